-- A subscription keeps its stream whatever its state: every subscription
-- (paused, waiting for its handshake, switched off) gets a delivery of each
-- event that matches it, numbered by its own counter (from 1, no gaps,
-- given in the fan-out's transaction), and the senders send only for the
-- active ones, in the counter's order. Pacing (deliveries per second, 0:
-- unlimited) and heartbeats (seconds without a delivery, 0: none) are the
-- owner's settings.
ALTER TABLE subscriptions
    ADD COLUMN last_sequence bigint NOT NULL DEFAULT 0,
    ADD COLUMN max_per_second integer NOT NULL DEFAULT 0,
    ADD COLUMN paced_until timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN heartbeat_seconds integer NOT NULL DEFAULT 0,
    ADD COLUMN last_sent_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE deliveries ADD COLUMN subscription_sequence bigint;
UPDATE deliveries d SET subscription_sequence = n.n
FROM (SELECT id, row_number() OVER (PARTITION BY subscription_id ORDER BY event_seq) AS n
      FROM deliveries) n
WHERE n.id = d.id;
UPDATE subscriptions s SET last_sequence = coalesce(
    (SELECT max(subscription_sequence) FROM deliveries d WHERE d.subscription_id = s.id), 0);
ALTER TABLE deliveries
    ALTER COLUMN subscription_sequence SET NOT NULL,
    ADD CONSTRAINT deliveries_subscription_sequence UNIQUE (subscription_id, subscription_sequence);
CREATE INDEX deliveries_pending_in_order ON deliveries (subscription_id, subscription_sequence)
    WHERE state = 'PENDING';
