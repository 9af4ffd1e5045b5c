-- Crisis meeting series of emergency committees, with their log.

CREATE TABLE emergencies (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    committee_id uuid NOT NULL REFERENCES committees (id),
    title text NOT NULL CHECK (title <> ''),
    description text NOT NULL DEFAULT '',
    opened_at timestamptz NOT NULL DEFAULT now(),
    closed_at timestamptz,
    closing_note text NOT NULL DEFAULT ''
);
-- one open series per committee at a time
CREATE UNIQUE INDEX emergencies_open ON emergencies (committee_id) WHERE closed_at IS NULL;

ALTER TABLE meetings ADD COLUMN emergency_id uuid REFERENCES emergencies (id);

CREATE TABLE emergency_log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    emergency_id uuid NOT NULL REFERENCES emergencies (id),
    kind text NOT NULL,
    text text NOT NULL CHECK (text <> ''),
    meeting_id uuid REFERENCES meetings (id),
    author text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX emergency_log_series ON emergency_log (emergency_id, id);
