-- ordersmith schema, version 1.
--
-- {{schema}} stands for the (quoted) PostgreSQL schema holding the tables.
-- postgres.Open replaces it with the sanitized identifier of Config.Schema;
-- a host applying this file with its own migration tool replaces it the same
-- way (for example with "oms").
--
-- Every table carries the tenant; every aggregate is stored whole, as JSON, in
-- doc, which is what the adapter reads back. The other columns mirror fields
-- of doc for reporting and filtering with plain SQL and are rewritten on every
-- write. Amounts are numeric, times timestamptz (UTC).

CREATE TABLE {{schema}}.orders (
    tenant             text        NOT NULL,
    id                 uuid        NOT NULL,
    version            bigint      NOT NULL,
    status             text        NOT NULL,
    channel_kind       text        NOT NULL,
    channel_name       text        NOT NULL,
    external_ref       text,
    customer_id        text,
    currency           text        NOT NULL,
    subtotal           numeric     NOT NULL,
    discount           numeric     NOT NULL,
    shipping           numeric     NOT NULL,
    tax                numeric     NOT NULL,
    total              numeric     NOT NULL,
    payment_status     text        NOT NULL,
    fulfillment_status text        NOT NULL,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    doc                jsonb       NOT NULL,
    PRIMARY KEY (tenant, id)
);
CREATE INDEX orders_created_idx ON {{schema}}.orders (tenant, created_at, id);
CREATE INDEX orders_customer_idx ON {{schema}}.orders (tenant, customer_id, created_at, id);
CREATE INDEX orders_channel_idx ON {{schema}}.orders (tenant, channel_name, created_at, id);
CREATE INDEX orders_status_idx ON {{schema}}.orders (tenant, status, created_at, id);
CREATE INDEX orders_external_ref_idx ON {{schema}}.orders (tenant, channel_name, external_ref)
    WHERE external_ref IS NOT NULL;

CREATE TABLE {{schema}}.order_lines (
    tenant     text    NOT NULL,
    order_id   uuid    NOT NULL,
    line_id    uuid    NOT NULL,
    position   integer NOT NULL,
    sku        text    NOT NULL,
    quantity   bigint  NOT NULL,
    unit_price numeric NOT NULL,
    total      numeric NOT NULL,
    shipped    bigint  NOT NULL,
    returned   bigint  NOT NULL,
    PRIMARY KEY (tenant, order_id, line_id),
    FOREIGN KEY (tenant, order_id) REFERENCES {{schema}}.orders (tenant, id) ON DELETE CASCADE
);
CREATE INDEX order_lines_sku_idx ON {{schema}}.order_lines (tenant, sku);

CREATE TABLE {{schema}}.payments (
    tenant     text        NOT NULL,
    id         uuid        NOT NULL,
    order_id   uuid        NOT NULL,
    version    bigint      NOT NULL,
    status     text        NOT NULL,
    gateway    text        NOT NULL,
    currency   text        NOT NULL,
    amount     numeric     NOT NULL,
    authorized numeric     NOT NULL,
    captured   numeric     NOT NULL,
    refunded   numeric     NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    doc        jsonb       NOT NULL,
    PRIMARY KEY (tenant, id)
);
CREATE INDEX payments_order_idx ON {{schema}}.payments (tenant, order_id, created_at, id);

CREATE TABLE {{schema}}.fulfillments (
    tenant      text        NOT NULL,
    id          uuid        NOT NULL,
    order_id    uuid        NOT NULL,
    location_id uuid        NOT NULL,
    version     bigint      NOT NULL,
    status      text        NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    doc         jsonb       NOT NULL,
    PRIMARY KEY (tenant, id)
);
CREATE INDEX fulfillments_order_idx ON {{schema}}.fulfillments (tenant, order_id, created_at, id);
CREATE INDEX fulfillments_location_idx ON {{schema}}.fulfillments (tenant, location_id, status);

CREATE TABLE {{schema}}.shipments (
    tenant          text        NOT NULL,
    id              uuid        NOT NULL,
    order_id        uuid        NOT NULL,
    fulfillment_id  uuid,
    version         bigint      NOT NULL,
    status          text        NOT NULL,
    carrier         text        NOT NULL,
    service         text        NOT NULL,
    tracking_number text        NOT NULL,
    cost            numeric     NOT NULL,
    currency        text        NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    doc             jsonb       NOT NULL,
    PRIMARY KEY (tenant, id)
);
CREATE INDEX shipments_order_idx ON {{schema}}.shipments (tenant, order_id, created_at, id);
CREATE INDEX shipments_tracking_idx ON {{schema}}.shipments (tenant, carrier, tracking_number);

CREATE TABLE {{schema}}.returns (
    tenant       text        NOT NULL,
    id           uuid        NOT NULL,
    order_id     uuid        NOT NULL,
    version      bigint      NOT NULL,
    status       text        NOT NULL,
    refund_total numeric     NOT NULL,
    currency     text        NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    doc          jsonb       NOT NULL,
    PRIMARY KEY (tenant, id)
);
CREATE INDEX returns_order_idx ON {{schema}}.returns (tenant, order_id, created_at, id);

CREATE TABLE {{schema}}.items (
    tenant     text        NOT NULL,
    sku        text        NOT NULL,
    name       text        NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant, sku)
);

CREATE TABLE {{schema}}.locations (
    tenant     text             NOT NULL,
    id         uuid             NOT NULL,
    code       text             NOT NULL,
    name       text             NOT NULL,
    lat        double precision NOT NULL,
    lon        double precision NOT NULL,
    priority   integer          NOT NULL,
    active     boolean          NOT NULL,
    version    bigint           NOT NULL,
    created_at timestamptz      NOT NULL,
    updated_at timestamptz      NOT NULL,
    PRIMARY KEY (tenant, id),
    UNIQUE (tenant, code)
);

CREATE TABLE {{schema}}.stock_levels (
    tenant      text        NOT NULL,
    sku         text        NOT NULL,
    location_id uuid        NOT NULL,
    on_hand     bigint      NOT NULL,
    reserved    bigint      NOT NULL,
    version     bigint      NOT NULL,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant, sku, location_id),
    FOREIGN KEY (tenant, location_id) REFERENCES {{schema}}.locations (tenant, id),
    CONSTRAINT stock_levels_invariant CHECK (on_hand >= 0 AND reserved >= 0 AND reserved <= on_hand)
);
CREATE INDEX stock_levels_location_idx ON {{schema}}.stock_levels (tenant, location_id);

CREATE TABLE {{schema}}.reservations (
    tenant      text        NOT NULL,
    id          uuid        NOT NULL,
    order_id    uuid        NOT NULL,
    line_id     uuid        NOT NULL,
    sku         text        NOT NULL,
    location_id uuid        NOT NULL,
    quantity    bigint      NOT NULL,
    status      text        NOT NULL,
    version     bigint      NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant, id)
);
CREATE INDEX reservations_order_idx ON {{schema}}.reservations (tenant, order_id, created_at, id);
CREATE INDEX reservations_sku_idx ON {{schema}}.reservations (tenant, sku, status);

CREATE TABLE {{schema}}.stock_movements (
    seq            bigserial   PRIMARY KEY,
    id             uuid        NOT NULL,
    tenant         text        NOT NULL,
    sku            text        NOT NULL,
    location_id    uuid        NOT NULL,
    kind           text        NOT NULL,
    quantity       bigint      NOT NULL,
    on_hand_delta  bigint      NOT NULL,
    reserved_delta bigint      NOT NULL,
    on_hand_after  bigint      NOT NULL,
    reserved_after bigint      NOT NULL,
    order_id       uuid,
    reason         text        NOT NULL,
    at             timestamptz NOT NULL
);
CREATE INDEX stock_movements_sku_idx ON {{schema}}.stock_movements (tenant, sku, location_id, seq);
CREATE INDEX stock_movements_location_idx ON {{schema}}.stock_movements (tenant, location_id, seq);
CREATE INDEX stock_movements_order_idx ON {{schema}}.stock_movements (tenant, order_id, seq)
    WHERE order_id IS NOT NULL;

-- The outbox is shared by all tenants: relays claim across tenants. owner and
-- lease_until describe the current lease; delivered_at is set once on ack.
-- payload is json (not jsonb) so subscribers get the appended bytes verbatim.
CREATE TABLE {{schema}}.outbox (
    seq            bigserial   PRIMARY KEY,
    id             uuid        NOT NULL UNIQUE,
    tenant         text        NOT NULL,
    type           text        NOT NULL,
    aggregate_type text        NOT NULL,
    aggregate_id   uuid        NOT NULL,
    payload        json,
    occurred_at    timestamptz NOT NULL,
    owner          text,
    lease_until    timestamptz,
    delivered_at   timestamptz
);
CREATE INDEX outbox_undelivered_idx ON {{schema}}.outbox (seq) WHERE delivered_at IS NULL;
CREATE INDEX outbox_aggregate_undelivered_idx ON {{schema}}.outbox (aggregate_id, seq) WHERE delivered_at IS NULL;
CREATE INDEX outbox_aggregate_idx ON {{schema}}.outbox (tenant, aggregate_id, seq);

CREATE TABLE {{schema}}.idempotency_keys (
    tenant      text        NOT NULL,
    key         text        NOT NULL,
    operation   text        NOT NULL,
    resource_id uuid        NOT NULL,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant, key)
);
