-- Deputies in order (a deputy stands in for one member or for an
-- organisation's seat, by rank), notices of absence (forfall) from a coming
-- meeting with the deputies called up one after the other, and declarations
-- of possible disqualification (inhabilitet, fvl. § 6) for an item with the
-- committee's decision. Reasons are personal: read by the member and those
-- who run the committee only.
ALTER TABLE memberships
    ADD COLUMN deputy_for_person_id uuid REFERENCES persons (id),
    ADD COLUMN deputy_for_organization_id uuid REFERENCES organizations (id),
    ADD COLUMN deputy_rank integer CHECK (deputy_rank BETWEEN 1 AND 99),
    ADD CHECK (deputy_for_person_id IS NULL OR deputy_for_organization_id IS NULL);

CREATE TABLE absences (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    meeting_id uuid NOT NULL REFERENCES meetings (id),
    person_id uuid NOT NULL REFERENCES persons (id),
    reason text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    withdrawn_at timestamptz
);
-- one standing notice a member a meeting
CREATE UNIQUE INDEX absences_standing ON absences (meeting_id, person_id)
    WHERE withdrawn_at IS NULL;

CREATE TABLE call_ups (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    absence_id uuid NOT NULL REFERENCES absences (id),
    deputy_person_id uuid NOT NULL REFERENCES persons (id),
    rank integer NOT NULL,
    state text NOT NULL DEFAULT 'CALLED',
    called_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    answered_at timestamptz
);
CREATE INDEX call_ups_absence ON call_ups (absence_id, called_at);
CREATE INDEX call_ups_deputy ON call_ups (deputy_person_id);

CREATE TABLE disqualifications (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    item_id uuid NOT NULL REFERENCES agenda_items (id),
    person_id uuid NOT NULL REFERENCES persons (id),
    reason text NOT NULL,
    decision text,
    created_at timestamptz NOT NULL DEFAULT now(),
    decided_at timestamptz,
    UNIQUE (item_id, person_id)
);
