-- Webhook secrets at rest are sealed with SAMHAND_SECRET_KEY (AES-256-GCM,
-- a random nonce each; notify_secret.c): "v1." and the base64 of nonce,
-- ciphertext and tag. notify seals any secret still in plain text when it
-- starts and empties the plain columns; the idempotent answers that held a
-- secret go (they are kept a day, and are replayed without it from now).
ALTER TABLE subscriptions
    ADD COLUMN secret_sealed text,
    ADD COLUMN previous_secret_sealed text,
    ALTER COLUMN secret DROP NOT NULL;
DELETE FROM idempotency
    WHERE method IN ('notify.CreateSubscription', 'notify.UpdateSubscription');
