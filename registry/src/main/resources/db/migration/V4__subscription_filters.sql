-- Which events a subscription receives (a filter document, as JSON text); NULL is every event of its action.
ALTER TABLE subscriptions ADD COLUMN filter text;
