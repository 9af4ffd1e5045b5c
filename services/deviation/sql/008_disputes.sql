-- A disputed report goes to the committee the partnership names for
-- disputes, as a proposal (innmeldt sak) there: the committee in each
-- settings version, and on the report the committee and proposal of its
-- last dispute with how the committee took it (from agenda's events):
-- placed on a meeting's agenda as an item, declined with a reason, or
-- decided in the approved minutes.
ALTER TABLE settings_versions ADD COLUMN dispute_committee_id uuid;
ALTER TABLE reports
    ADD COLUMN dispute_committee_id uuid,
    ADD COLUMN dispute_proposal_id uuid UNIQUE,
    ADD COLUMN dispute_state text
        CHECK (dispute_state IN ('SUBMITTED', 'ACCEPTED', 'DECLINED', 'DECIDED')),
    ADD COLUMN dispute_meeting_id uuid,
    ADD COLUMN dispute_item_id uuid,
    ADD COLUMN dispute_reason text NOT NULL DEFAULT '',
    ADD COLUMN dispute_decision text NOT NULL DEFAULT '';
CREATE INDEX reports_dispute_item ON reports (dispute_item_id) WHERE dispute_item_id IS NOT NULL;
