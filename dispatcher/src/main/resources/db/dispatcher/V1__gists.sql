-- The delivery log (gists): one row per (subscription, event), upserted in batches as attempts complete.
CREATE TABLE dispatcher_gists (
    id               uuid        PRIMARY KEY,
    subscription     text        NOT NULL,
    action           text        NOT NULL,
    event_id         text        NOT NULL,
    status           text        NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'dead')),
    attempts         integer     NOT NULL,
    last_status      integer,
    last_error       text,
    response_excerpt text,
    next_attempt_at  timestamptz,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL
);

CREATE INDEX dispatcher_gists_subscription ON dispatcher_gists (subscription, status, created_at);
CREATE INDEX dispatcher_gists_action ON dispatcher_gists (action, created_at);
CREATE INDEX dispatcher_gists_updated_at ON dispatcher_gists (updated_at);
