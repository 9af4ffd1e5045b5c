-- pgbench's bare insert: one organisation row, INSERT ... RETURNING id, in
-- its own transaction, into a table of agenda.organizations' shape
-- (reference.organizations, made by reference.sql). Run by ./samhand bench.
\set n random(100000000, 999999999)
INSERT INTO reference.organizations (name, organization_number, kind)
  VALUES ('Bench kommune ' || :n, :n::text, 'MUNICIPALITY') ON CONFLICT DO NOTHING RETURNING id;
