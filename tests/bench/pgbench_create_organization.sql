-- The same database work as POST /v1/organizations: one organisation and
-- its outbox event in one transaction. Run by ./samhand bench with pgbench.
\set n random(100000000, 999999999)
BEGIN;
INSERT INTO agenda.organizations (name, organization_number, kind)
  VALUES ('Bench kommune ' || :n, :n::text, 'MUNICIPALITY') ON CONFLICT DO NOTHING;
INSERT INTO agenda.outbox (type, subject, event)
  VALUES ('no.samhand.organization.created', :n::text, '\x0a00'::bytea);
COMMIT;
