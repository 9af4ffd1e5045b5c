-- Proposals that came from a disputed deviation report (deviation's
-- no.samhand.deviation.disputed event, to the committee the partnership
-- names for disputes): the link back to the report. The proposal's id is
-- the one the deviation service gave it, so the report links to it too.
CREATE TABLE deviation_disputes (
    proposal_id uuid PRIMARY KEY REFERENCES proposals (id),
    deviation_id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deviation_disputes_deviation ON deviation_disputes (deviation_id);
