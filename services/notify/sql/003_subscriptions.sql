-- Webhook subscriptions, their deliveries (one per subscription and event,
-- delivered in the order of the feed) and every attempt.

ALTER TABLE events
    ADD COLUMN organization_id uuid,
    ADD COLUMN committee_id uuid;

CREATE TABLE subscriptions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    row_seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    owner_subject text NOT NULL,
    owner_organization_id uuid,
    sees_all boolean NOT NULL DEFAULT false,
    url text NOT NULL,
    event_types text[] NOT NULL DEFAULT '{}',
    organization_id uuid,
    committee_id uuid,
    description text NOT NULL DEFAULT '',
    state text NOT NULL DEFAULT 'ACTIVE',
    disabled_reason text NOT NULL DEFAULT '',
    secret text NOT NULL,
    previous_secret text,
    previous_secret_until timestamptz,
    failing_since timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE deliveries (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    row_seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    subscription_id uuid NOT NULL REFERENCES subscriptions (id),
    event_seq bigint NOT NULL REFERENCES events (seq),
    state text NOT NULL DEFAULT 'PENDING',
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    delivered_at timestamptz,
    UNIQUE (subscription_id, event_seq)
);
CREATE INDEX deliveries_pending ON deliveries (subscription_id, event_seq) WHERE state = 'PENDING';

CREATE TABLE delivery_attempts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id uuid NOT NULL REFERENCES deliveries (id),
    at timestamptz NOT NULL DEFAULT now(),
    status integer NOT NULL,
    latency_ms integer NOT NULL,
    response text NOT NULL DEFAULT ''
);
CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id, id);
