-- The registry's system of record. Nothing here is ever dropped or reset at startup: Flyway only moves forward.

CREATE TABLE applications (
    name                  text        PRIMARY KEY,
    address               text        NOT NULL,
    -- secrets sign webhooks, so they are sealed (AES-GCM under the master key), not hashed
    secret_sealed         text        NOT NULL,
    previous_secret_sealed text,
    previous_secret_until timestamptz,
    created_at            timestamptz NOT NULL,
    updated_at            timestamptz NOT NULL
);

CREATE TABLE actions (
    name          text        PRIMARY KEY,
    application   text        NOT NULL REFERENCES applications (name),
    topic         text        NOT NULL UNIQUE,
    -- Kafka folds '.' into '_' in metric names: two topics must never fold to the same name (DESIGN §3)
    metric_name   text        NOT NULL UNIQUE,
    partitions    integer     NOT NULL CHECK (partitions > 0),
    retention     text        NOT NULL,
    partition_key text,
    compatibility text        NOT NULL,
    description   text,
    created_at    timestamptz NOT NULL
);

CREATE TABLE schemata (
    action     text        NOT NULL REFERENCES actions (name),
    version    integer     NOT NULL CHECK (version > 0),
    schema     text        NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (action, version)
);

CREATE TABLE subscriptions (
    name          text        PRIMARY KEY,
    application   text        NOT NULL REFERENCES applications (name),
    action        text        NOT NULL REFERENCES actions (name),
    handler       text        NOT NULL,
    max_retries   integer     NOT NULL CHECK (max_retries > 0),
    ordered       boolean     NOT NULL,
    rate_limit    integer     CHECK (rate_limit > 0),
    description   text,
    status        text        NOT NULL CHECK (status IN ('active', 'paused')),
    paused_reason text,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);

CREATE INDEX subscriptions_action ON subscriptions (action);
CREATE INDEX subscriptions_application ON subscriptions (application);
CREATE INDEX actions_application ON actions (application);

-- Transactional outbox of the amebo.registry changelog: every change inserts its entity's key in the same
-- transaction; the relay publishes the entity's current state (or a tombstone) and then deletes the row.
CREATE TABLE outbox (
    id         bigserial   PRIMARY KEY,
    key        text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
