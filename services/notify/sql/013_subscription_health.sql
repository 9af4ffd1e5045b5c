-- Each subscription's own health, apart from the platform's: since when it
-- fails (failing_since, kept since 003), how many attempts in a row failed,
-- and how long its oldest pending delivery has waited. The senders count
-- the failures and clear them with failing_since at the next success; the
-- API, /metrics, `samhand queues` and the operations page read the view.
ALTER TABLE subscriptions ADD COLUMN consecutive_failures integer NOT NULL DEFAULT 0;

CREATE VIEW subscription_health AS
SELECT s.id, s.state, s.failing_since, s.consecutive_failures,
       coalesce(extract(epoch FROM now() - head.received_at), 0)::bigint
           AS oldest_pending_age_seconds
FROM subscriptions s
LEFT JOIN LATERAL (
    SELECT e.received_at FROM deliveries d JOIN events e ON e.seq = d.event_seq
    WHERE d.subscription_id = s.id AND d.state = 'PENDING'
    ORDER BY d.event_seq LIMIT 1) head ON true;
