-- A subscription's identity (DESIGN §6.9): a UUID minted when it is created and never reused, so that a subscription
-- deleted and created again under the same name is a different subscription. The registry mints it; there is no
-- default, so an insert that forgets it fails instead of inventing one.
ALTER TABLE subscriptions ADD COLUMN id uuid;
UPDATE subscriptions SET id = gen_random_uuid();
ALTER TABLE subscriptions ALTER COLUMN id SET NOT NULL;
ALTER TABLE subscriptions ADD CONSTRAINT subscriptions_id_key UNIQUE (id);

-- Every subscription was published without an id: the changelog relay publishes each one again, now with it.
INSERT INTO outbox (key)
SELECT 'subscription/' || name FROM subscriptions ORDER BY created_at, name;
