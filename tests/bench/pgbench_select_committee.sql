-- pgbench's read by key: the one statement GET /v1/committees/{id} sends
-- (agenda's committee_get), for the committee the bench reads through the
-- gateway (-D committee=ID). Run by ./samhand bench.
SELECT id, name, short_name, kind, parent_id, mandate, notice_period_days, case_number_format,
  (extract(epoch FROM created_at) * 1000000)::bigint, (extract(epoch FROM updated_at) * 1000000)::bigint,
  coalesce(secretariat_organization_id::text, ''), row_seq
  FROM agenda.committees WHERE id = :committee;
