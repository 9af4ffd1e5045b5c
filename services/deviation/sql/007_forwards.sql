-- The organisations a report passed through: each receiver that forwarded
-- it keeps reading it, with its history (it handled the report, and may be
-- asked about it). Once a row is here it stays; the receiver today is in
-- reports.receiving_organization_id.
CREATE TABLE report_forwards (
    report_id uuid NOT NULL REFERENCES reports (id),
    organization_id uuid NOT NULL,
    forwarded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (report_id, organization_id)
);
CREATE INDEX report_forwards_organization ON report_forwards (organization_id, report_id);

-- Reports forwarded before this: their history says from whom
-- ("Videresendt fra <id> til <id>.", deviation_step.c).
INSERT INTO report_forwards (report_id, organization_id, forwarded_at)
SELECT report_id, substring(comment FROM 'Videresendt fra ([0-9a-f-]{36}) til')::uuid,
       min(created_at)
FROM transitions
WHERE action = 'forward' AND comment ~ '^Videresendt fra [0-9a-f-]{36} til'
GROUP BY 1, 2
ON CONFLICT DO NOTHING;

-- Who was shown the reporter of an anonymous report (only the partnership's
-- own quality staff are): a read of its own kind in the access log.
COMMENT ON COLUMN report_reads.how IS 'GET, LIST, EXPORT, or REPORTER: shown who reported an anonymous report';
