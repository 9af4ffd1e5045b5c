-- Cases submitted from outside the secretariat (innmeldte saker).

CREATE TABLE proposals (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    row_seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    committee_id uuid NOT NULL REFERENCES committees (id),
    title text NOT NULL CHECK (title <> ''),
    description text NOT NULL DEFAULT '',
    submitter_name text NOT NULL,
    submitter_email text NOT NULL DEFAULT '',
    organization_id uuid REFERENCES organizations (id),
    submitted_by text NOT NULL DEFAULT '',
    state text NOT NULL DEFAULT 'SUBMITTED',
    meeting_id uuid REFERENCES meetings (id),
    item_id uuid REFERENCES agenda_items (id),
    decline_reason text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    decided_at timestamptz
);
CREATE INDEX proposals_committee ON proposals (committee_id, row_seq);
