-- The organisations' review address (agenda's review_email): where the
-- leaders who approve an organisation's deviation reports are told that
-- one waits for them.
ALTER TABLE organizations ADD COLUMN review_email text;
