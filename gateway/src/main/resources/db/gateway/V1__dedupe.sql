-- The gateway's deduplication claims (DESIGN §4, deduper): one row per (action, deduper) within the window.
-- A row without an event id is a publish in flight; the id is recorded after the broker acked the append.
CREATE TABLE gateway_dedupe (
    action      text        NOT NULL,
    deduper     text        NOT NULL,
    event_id    text,
    timestamped timestamptz,
    claimed_at  timestamptz NOT NULL,
    PRIMARY KEY (action, deduper)
);

CREATE INDEX gateway_dedupe_claimed_at ON gateway_dedupe (claimed_at);
