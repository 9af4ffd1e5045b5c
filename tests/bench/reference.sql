-- The reference schema of ./samhand bench: tables of samhand's own shapes
-- (LIKE copies the columns, defaults, checks, indexes and identities; the
-- foreign keys are made here), for pgbench's bare insert and for PostGraphile,
-- with the meeting the bench reads (psql -v committee=ID -v meeting=ID).
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS reference CASCADE;
CREATE SCHEMA reference;
CREATE TABLE reference.organizations (LIKE agenda.organizations INCLUDING ALL);
-- pgbench's same work writes its events here: in agenda's own outbox the
-- relay would publish them to the followers
CREATE TABLE reference.outbox (LIKE agenda.outbox INCLUDING ALL);
CREATE TABLE reference.committees (LIKE agenda.committees INCLUDING ALL);
CREATE TABLE reference.meetings (LIKE agenda.meetings INCLUDING ALL);
CREATE TABLE reference.agenda_items (LIKE agenda.agenda_items INCLUDING ALL);
ALTER TABLE reference.meetings ADD FOREIGN KEY (committee_id) REFERENCES reference.committees (id);
ALTER TABLE reference.agenda_items ADD FOREIGN KEY (meeting_id) REFERENCES reference.meetings (id);
CREATE TABLE reference.categories (LIKE deviation.categories INCLUDING ALL);
CREATE TABLE reference.reports (LIKE deviation.reports INCLUDING ALL);
ALTER TABLE reference.reports ADD FOREIGN KEY (category_code) REFERENCES reference.categories (code);
INSERT INTO reference.categories SELECT * FROM deviation.categories;
INSERT INTO reference.committees OVERRIDING SYSTEM VALUE
  SELECT * FROM agenda.committees WHERE id = :'committee';
INSERT INTO reference.meetings OVERRIDING SYSTEM VALUE
  SELECT * FROM agenda.meetings WHERE id = :'meeting';
INSERT INTO reference.agenda_items SELECT * FROM agenda.agenda_items WHERE meeting_id = :'meeting';
ANALYZE reference.committees, reference.meetings, reference.agenda_items, reference.categories;
