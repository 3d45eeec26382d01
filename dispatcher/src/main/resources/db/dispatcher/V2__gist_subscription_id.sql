-- Gists belong to a subscription's identity, not its name (DESIGN §6.9): a new subscription that takes a deleted
-- one's name sees none of its gists. Rows from before subscriptions had ids keep '' and match by name only.
ALTER TABLE dispatcher_gists ADD COLUMN subscription_id text NOT NULL DEFAULT '';

CREATE INDEX dispatcher_gists_subscription_id ON dispatcher_gists (subscription_id, status, created_at);
