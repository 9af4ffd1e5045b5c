-- Emergencies in the order they were opened, for the committee's list.
ALTER TABLE emergencies ADD COLUMN row_seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE;
CREATE INDEX emergencies_committee ON emergencies (committee_id, row_seq);
