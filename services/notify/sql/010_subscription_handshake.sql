-- A subscription's scope follows its owner (principals), no longer a flag
-- taken when it was made. A new URL answers a handshake before events go
-- to it: verified_url is the one that did (those delivering already are
-- taken as verified); while url differs from it, the API shows REQUESTED
-- and the senders send the handshake, retried like a delivery.
ALTER TABLE subscriptions DROP COLUMN sees_all;
ALTER TABLE subscriptions
    ADD COLUMN verified_url text,
    ADD COLUMN handshake_attempts integer NOT NULL DEFAULT 0,
    ADD COLUMN handshake_next_at timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN handshake_error text NOT NULL DEFAULT '';
UPDATE subscriptions SET verified_url = url;
