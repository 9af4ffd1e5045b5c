-- A membership's version, for ETag and If-Match on its changes.
ALTER TABLE memberships ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
UPDATE memberships SET updated_at = created_at;
