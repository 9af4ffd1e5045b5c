-- A read of a report's joint analysis (or its final report) is a read of
-- what the report holds: a row of its own kind in the access log.
COMMENT ON COLUMN report_reads.how IS 'GET, LIST, EXPORT; REPORTER: shown who reported an anonymous report; ANALYSIS: read its joint analysis or final report';
