-- Who to tell when a subscription is switched off (410 Gone, or failing
-- for days); without it, the owner organisation's shared address.
ALTER TABLE subscriptions ADD COLUMN contact_email text NOT NULL DEFAULT '';
