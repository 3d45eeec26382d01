-- Where a subscription starts in its action's log when that is before its creation (backfill_from); NULL: at its
-- creation time.
ALTER TABLE subscriptions ADD COLUMN backfill_from timestamptz;
