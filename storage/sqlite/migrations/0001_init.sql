-- ordersmith schema, version 1.
--
-- Conventions: UUIDs are TEXT in canonical lower-case form; decimal amounts
-- are TEXT (exact, never floating point); times are TEXT in UTC with a fixed
-- width, 'YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ' (RFC 3339 with nine fractional
-- digits), so that they sort as text and SQLite's date functions read them.
-- Every table is scoped by tenant. Aggregates are loaded from doc (their
-- full JSON); the other columns mirror it for reporting and filtering.

CREATE TABLE orders (
    id                 TEXT    NOT NULL,
    tenant             TEXT    NOT NULL,
    version            INTEGER NOT NULL,
    status             TEXT    NOT NULL,
    channel_kind       TEXT    NOT NULL,
    channel_name       TEXT    NOT NULL,
    external_ref       TEXT    NOT NULL,
    customer_id        TEXT    NOT NULL,
    currency           TEXT    NOT NULL,
    subtotal           TEXT    NOT NULL,
    discount           TEXT    NOT NULL,
    shipping           TEXT    NOT NULL,
    tax                TEXT    NOT NULL,
    total              TEXT    NOT NULL,
    payment_status     TEXT    NOT NULL,
    fulfillment_status TEXT    NOT NULL,
    created_at         TEXT    NOT NULL,
    updated_at         TEXT    NOT NULL,
    doc                TEXT    NOT NULL,
    PRIMARY KEY (tenant, id)
);
CREATE INDEX orders_list ON orders (tenant, created_at, id);
CREATE INDEX orders_status ON orders (tenant, status, created_at, id);
CREATE INDEX orders_customer ON orders (tenant, customer_id, created_at, id);
CREATE INDEX orders_channel ON orders (tenant, channel_name, created_at, id);

CREATE TABLE order_lines (
    tenant     TEXT    NOT NULL,
    order_id   TEXT    NOT NULL,
    line_id    TEXT    NOT NULL,
    position   INTEGER NOT NULL,
    sku        TEXT    NOT NULL,
    quantity   INTEGER NOT NULL,
    unit_price TEXT    NOT NULL,
    total      TEXT    NOT NULL,
    shipped    INTEGER NOT NULL,
    returned   INTEGER NOT NULL,
    PRIMARY KEY (tenant, order_id, position),
    FOREIGN KEY (tenant, order_id) REFERENCES orders (tenant, id) ON DELETE CASCADE
);
CREATE INDEX order_lines_sku ON order_lines (tenant, sku);

CREATE TABLE payments (
    id         TEXT    NOT NULL,
    tenant     TEXT    NOT NULL,
    order_id   TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    status     TEXT    NOT NULL,
    gateway    TEXT    NOT NULL,
    currency   TEXT    NOT NULL,
    amount     TEXT    NOT NULL,
    authorized TEXT    NOT NULL,
    captured   TEXT    NOT NULL,
    refunded   TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL,
    doc        TEXT    NOT NULL,
    PRIMARY KEY (tenant, id)
);
CREATE INDEX payments_by_order ON payments (tenant, order_id, created_at, id);

CREATE TABLE fulfillments (
    id          TEXT    NOT NULL,
    tenant      TEXT    NOT NULL,
    order_id    TEXT    NOT NULL,
    location_id TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    status      TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    doc         TEXT    NOT NULL,
    PRIMARY KEY (tenant, id)
);
CREATE INDEX fulfillments_by_order ON fulfillments (tenant, order_id, created_at, id);
CREATE INDEX fulfillments_by_location ON fulfillments (tenant, location_id, status);

CREATE TABLE shipments (
    id              TEXT    NOT NULL,
    tenant          TEXT    NOT NULL,
    order_id        TEXT    NOT NULL,
    fulfillment_id  TEXT    NOT NULL,
    version         INTEGER NOT NULL,
    status          TEXT    NOT NULL,
    carrier         TEXT    NOT NULL,
    service         TEXT    NOT NULL,
    tracking_number TEXT    NOT NULL,
    cost            TEXT    NOT NULL,
    currency        TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    doc             TEXT    NOT NULL,
    PRIMARY KEY (tenant, id)
);
CREATE INDEX shipments_by_order ON shipments (tenant, order_id, created_at, id);
CREATE INDEX shipments_by_tracking ON shipments (tenant, carrier, tracking_number);

CREATE TABLE returns (
    id           TEXT    NOT NULL,
    tenant       TEXT    NOT NULL,
    order_id     TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    status       TEXT    NOT NULL,
    refund_total TEXT    NOT NULL,
    currency     TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL,
    doc          TEXT    NOT NULL,
    PRIMARY KEY (tenant, id)
);
CREATE INDEX returns_by_order ON returns (tenant, order_id, created_at, id);

CREATE TABLE items (
    tenant     TEXT NOT NULL,
    sku        TEXT NOT NULL,
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant, sku)
);

CREATE TABLE locations (
    id         TEXT    NOT NULL,
    tenant     TEXT    NOT NULL,
    code       TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    lat        REAL    NOT NULL,
    lon        REAL    NOT NULL,
    priority   INTEGER NOT NULL,
    active     INTEGER NOT NULL CHECK (active IN (0, 1)),
    version    INTEGER NOT NULL,
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL,
    PRIMARY KEY (tenant, id),
    UNIQUE (tenant, code)
);

CREATE TABLE stock_levels (
    tenant      TEXT    NOT NULL,
    sku         TEXT    NOT NULL,
    location_id TEXT    NOT NULL,
    on_hand     INTEGER NOT NULL,
    reserved    INTEGER NOT NULL,
    version     INTEGER NOT NULL,
    updated_at  TEXT    NOT NULL,
    PRIMARY KEY (tenant, sku, location_id),
    FOREIGN KEY (tenant, location_id) REFERENCES locations (tenant, id),
    CHECK (on_hand >= 0 AND reserved >= 0 AND reserved <= on_hand)
);
CREATE INDEX stock_levels_by_location ON stock_levels (tenant, location_id);

CREATE TABLE reservations (
    id          TEXT    NOT NULL,
    tenant      TEXT    NOT NULL,
    order_id    TEXT    NOT NULL,
    line_id     TEXT,
    sku         TEXT    NOT NULL,
    location_id TEXT    NOT NULL,
    quantity    INTEGER NOT NULL,
    status      TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    PRIMARY KEY (tenant, id)
);
CREATE INDEX reservations_by_order ON reservations (tenant, order_id, created_at, id);
CREATE INDEX reservations_by_sku ON reservations (tenant, sku, status, created_at, id);
CREATE INDEX reservations_list ON reservations (tenant, created_at, id);

CREATE TABLE stock_movements (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             TEXT    NOT NULL,
    tenant         TEXT    NOT NULL,
    sku            TEXT    NOT NULL,
    location_id    TEXT    NOT NULL,
    kind           TEXT    NOT NULL,
    quantity       INTEGER NOT NULL,
    on_hand_delta  INTEGER NOT NULL,
    reserved_delta INTEGER NOT NULL,
    on_hand_after  INTEGER NOT NULL,
    reserved_after INTEGER NOT NULL,
    order_id       TEXT,
    reason         TEXT    NOT NULL,
    at             TEXT    NOT NULL
);
CREATE INDEX stock_movements_by_id ON stock_movements (id);
CREATE INDEX stock_movements_by_sku ON stock_movements (tenant, sku, location_id, seq);
CREATE INDEX stock_movements_by_location ON stock_movements (tenant, location_id, seq);
CREATE INDEX stock_movements_by_order ON stock_movements (tenant, order_id, seq) WHERE order_id IS NOT NULL;

CREATE TABLE outbox (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    id             TEXT    NOT NULL UNIQUE,
    tenant         TEXT    NOT NULL,
    type           TEXT    NOT NULL,
    aggregate_type TEXT    NOT NULL,
    aggregate_id   TEXT    NOT NULL,
    payload        TEXT,
    occurred_at    TEXT    NOT NULL,
    owner          TEXT,
    lease_until    TEXT,
    delivered_at   TEXT
);
CREATE INDEX outbox_undelivered ON outbox (seq) WHERE delivered_at IS NULL;
CREATE INDEX outbox_by_aggregate ON outbox (aggregate_id, seq);
CREATE INDEX outbox_by_tenant ON outbox (tenant, seq);

CREATE TABLE idempotency_keys (
    tenant      TEXT NOT NULL,
    key         TEXT NOT NULL,
    operation   TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (tenant, key)
);
