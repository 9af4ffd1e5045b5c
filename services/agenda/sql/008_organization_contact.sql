-- Where an organisation is reached by mail: its shared address for
-- deviations and other matters sent to the organisation rather than to a
-- person (postmottak). Optional.
ALTER TABLE organizations ADD COLUMN contact_email text;
