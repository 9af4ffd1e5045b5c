-- Where an organisation's leaders are told that a deviation report waits
-- for their approval (leader review): a shared, functional address like
-- contact_email, optional (contact_email is written to without it).
ALTER TABLE organizations ADD COLUMN review_email text;
