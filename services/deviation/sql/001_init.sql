-- The deviation service's schema starts with the bookkeeping every service
-- has (schema_migrations, outbox); reports arrive with the deviation issue.
COMMENT ON SCHEMA deviation IS 'samhand deviation service: reports, workflow, statistics';
