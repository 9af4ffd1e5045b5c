-- pgbench doing the database work of one POST /v1/organizations, statement
-- for statement as agenda sends them (read from the server log with
-- log_statement = all): the organisation with its RETURNING list, and its
-- event in an outbox of the same shape as agenda's (reference.outbox:
-- in agenda's own the relay would publish it; about 260 bytes of
-- protobuf), in one transaction.
-- Not replayed: the relay's publication of the outbox (one transaction for
-- up to 200 events) and the followers' copies (deviation's and notify's read
-- models), which samhand does besides. Run by ./samhand bench.
\set n random(100000000, 999999999)
BEGIN;
INSERT INTO agenda.organizations (name, organization_number, kind, contact_email, review_email)
  VALUES ('Bench kommune ' || :n, :n::text, 'MUNICIPALITY', nullif('', ''), nullif('', ''))
  ON CONFLICT DO NOTHING
  RETURNING id, name, organization_number, kind, (extract(epoch FROM created_at) * 1000000)::bigint,
    (extract(epoch FROM updated_at) * 1000000)::bigint, coalesce(contact_email, ''),
    coalesce(review_email, ''), row_seq;
INSERT INTO reference.outbox (type, subject, event)
  SELECT 'no.samhand.organization.created'::text, :n::text, decode(repeat('0a', 260), 'hex')
  FROM pg_current_xact_id();
COMMIT;
