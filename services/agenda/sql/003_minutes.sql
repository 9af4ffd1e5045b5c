-- Minutes: attendance, each item's outcome and decision, cases that keep
-- their identity across meetings and committees, postponed cases carried
-- to the committee's next meeting.

CREATE TABLE cases (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    title text NOT NULL,
    committee_id uuid NOT NULL REFERENCES committees (id),
    created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE agenda_items
    ADD COLUMN case_id uuid REFERENCES cases (id),
    ADD COLUMN outcome text,
    ADD COLUMN decision text NOT NULL DEFAULT '',
    ADD COLUMN discussion_points text[] NOT NULL DEFAULT '{}',
    ADD COLUMN carried_from uuid REFERENCES agenda_items (id);
CREATE INDEX agenda_items_case_id ON agenda_items (case_id);
CREATE UNIQUE INDEX agenda_items_carried_once ON agenda_items (carried_from)
    WHERE carried_from IS NOT NULL;

ALTER TABLE meetings ADD COLUMN minutes_approved_at timestamptz;

CREATE TABLE attendance (
    meeting_id uuid NOT NULL REFERENCES meetings (id),
    person_id uuid NOT NULL REFERENCES persons (id),
    status text NOT NULL,
    deputy_for uuid REFERENCES persons (id),
    PRIMARY KEY (meeting_id, person_id)
);
