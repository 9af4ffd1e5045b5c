-- Who holds a delivery's lease: the PostgreSQL backend of the notify process
-- sending it. When that process dies its session ends, and another replica
-- (or the process started again) may take the delivery at once instead of
-- waiting out the lease. Cleared when the attempt is recorded.
ALTER TABLE deliveries ADD COLUMN leased_by integer;
