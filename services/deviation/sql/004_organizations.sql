-- The organisations of the directory, as far as deviations need them: a
-- read model fed by agenda's events (names and kinds for statistics).
CREATE TABLE organizations (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    kind text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
