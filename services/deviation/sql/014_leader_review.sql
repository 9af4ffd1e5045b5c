-- Leader review, optional per partnership: in a settings version that has
-- it, a submitted report goes first to a leader of the reporting
-- organisation (state IN_REVIEW), who approves it on to the receiver or
-- returns it to its writer as a draft.
ALTER TABLE settings_versions ADD COLUMN leader_review boolean NOT NULL DEFAULT false;
