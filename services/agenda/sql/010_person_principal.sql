-- The principal a person signs in as ("oidc:<sub>" of their access token,
-- or "key:<12 hex>" of a personal key): what ties a caller to their
-- memberships, so that exempt content is shown to the committee's members.
ALTER TABLE persons ADD COLUMN principal_subject text UNIQUE;
