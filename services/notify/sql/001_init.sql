-- The notify service's schema starts with the bookkeeping every service has
-- (schema_migrations, outbox); subscriptions and deliveries arrive later.
COMMENT ON SCHEMA notify IS 'samhand notify service: subscriptions, deliveries, e-mail';
