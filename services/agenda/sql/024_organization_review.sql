-- Where an organisation's leaders are told that a deviation report waits
-- for their approval (leader review): a shared, functional address like
-- contact_email, optional (without it no one is mailed: a postmottak is
-- journaled).
ALTER TABLE organizations ADD COLUMN review_email text;
