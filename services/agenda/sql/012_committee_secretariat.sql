-- The organisation whose secretariat runs a committee: its secretariat and
-- secretaries act on the committee's meetings, minutes and actions.
ALTER TABLE committees ADD COLUMN secretariat_organization_id uuid REFERENCES organizations (id);
