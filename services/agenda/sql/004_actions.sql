-- Actions decided by committees, with dated progress notes.

CREATE TABLE actions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    row_seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    committee_id uuid NOT NULL REFERENCES committees (id),
    number integer NOT NULL,
    item_id uuid REFERENCES agenda_items (id),
    description text NOT NULL CHECK (description <> ''),
    responsible_organization_ids uuid[] NOT NULL DEFAULT '{}',
    responsible text NOT NULL DEFAULT '',
    due_date date,
    status text NOT NULL DEFAULT 'OPEN',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (committee_id, number)
);
CREATE INDEX actions_open ON actions (committee_id, due_date) WHERE status IN ('OPEN', 'IN_PROGRESS');

CREATE TABLE action_notes (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    action_id uuid NOT NULL REFERENCES actions (id),
    text text NOT NULL,
    author text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX action_notes_action ON action_notes (action_id, id);
