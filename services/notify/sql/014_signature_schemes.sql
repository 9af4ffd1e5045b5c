-- A subscription's webhooks are signed by its scheme (Standard Webhooks):
-- HMAC_SHA256 ("v1,") with a shared secret whsec_…, as before, or ED25519
-- ("v1a,") with a private key whsk_… that samhand made and keeps sealed in
-- secret_sealed like a secret (previous_secret_sealed signs on during a
-- rotation, whatever its scheme); the receiver verifies with public_key
-- (whpk_…), which is public and kept in plain text.
ALTER TABLE subscriptions
    ADD COLUMN signature_scheme text NOT NULL DEFAULT 'HMAC_SHA256'
        CHECK (signature_scheme IN ('HMAC_SHA256', 'ED25519')),
    ADD COLUMN public_key text NOT NULL DEFAULT '';
