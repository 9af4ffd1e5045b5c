-- One index of the pending deliveries, in the order they are sent. 003's
-- deliveries_pending (subscription, event) WHERE PENDING has been the
-- same set as 012's deliveries_pending_in_order (subscription, counter),
-- ordered by the event instead of the counter; every delivery is made
-- with both, and every record of a sent one (no HOT update: `state` is in
-- their predicates) writes both anew. The senders, the queues and the
-- heartbeats read the pending in the counter's order; the health view's
-- head does too now: the oldest pending delivery is the one to be sent
-- first.
CREATE OR REPLACE VIEW subscription_health AS
SELECT s.id, s.state, s.failing_since, s.consecutive_failures,
       coalesce(extract(epoch FROM now() - head.received_at), 0)::bigint
           AS oldest_pending_age_seconds
FROM subscriptions s
LEFT JOIN LATERAL (
    SELECT e.received_at FROM deliveries d JOIN events e ON e.seq = d.event_seq
    WHERE d.subscription_id = s.id AND d.state = 'PENDING'
    ORDER BY d.subscription_sequence LIMIT 1) head ON true;
DROP INDEX IF EXISTS deliveries_pending;
