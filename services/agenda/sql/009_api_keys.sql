-- API keys for the parties' systems, made and revoked by administrators
-- through the API. Only the SHA-256 of a key is kept; the key is shown once,
-- in the answer that makes it.
CREATE TABLE api_keys (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    row_seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    name text NOT NULL,
    sha256 text NOT NULL UNIQUE,
    prefix text NOT NULL,
    organization_id uuid REFERENCES organizations (id),
    roles text[] NOT NULL,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_by text,
    revoked_at timestamptz
);
