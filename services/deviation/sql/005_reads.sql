-- Who read which report when: the access log that the sector's security
-- norm (Normen) asks for. Every report shown (opened, listed, exported) is
-- a row; quality staff read them. Nothing of the report itself is here.
CREATE TABLE report_reads (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    report_id uuid NOT NULL,
    read_at timestamptz NOT NULL DEFAULT now(),
    subject text NOT NULL,
    organization_id uuid,
    how text NOT NULL -- GET, LIST or EXPORT
);
CREATE INDEX report_reads_report ON report_reads (report_id, seq);
