-- Fewer index entries written per placement. A placement writes the
-- order twice (pending, then confirmed); every index of a table gets a
-- new entry on each write unless the update is HOT (heap-only: no indexed
-- column changes and the page has room), so each index on the hot path
-- costs the server CPU and WAL on every order.
--
-- On a large existing database this migration takes time in proportion
-- to the tables: it rewrites orders (the generated column) and rebuilds
-- the primary keys of the ledger and the outbox, holding their locks.
--
-- Orders: listing by status goes through a status group instead of the
-- status itself. pending and confirmed share the group 'open', so that
-- confirming an order changes no indexed column and the update stays on
-- its page (fillfactor 75 leaves the room); every other status is a group
-- of its own. The list query filters on both the group (the index) and
-- the status (the rows). order_status_group is the one definition of the
-- grouping, used by the generated column and by the query.
CREATE FUNCTION {{schema}}.order_status_group(status text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN status IN ('pending', 'confirmed') THEN 'open' ELSE status END;

-- order_status_groups maps a list of statuses to their groups.
CREATE FUNCTION {{schema}}.order_status_groups(statuses text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ARRAY(SELECT DISTINCT {{schema}}.order_status_group(s) FROM unnest(statuses) AS s);

ALTER TABLE {{schema}}.orders
    ADD COLUMN status_group text NOT NULL
        GENERATED ALWAYS AS ({{schema}}.order_status_group(status)) STORED;
DROP INDEX {{schema}}.orders_status_idx;
CREATE INDEX orders_status_group_idx ON {{schema}}.orders (tenant, status_group, created_at, id);
ALTER TABLE {{schema}}.orders SET (fillfactor = 75);

-- Payments: authorizing updates no indexed column; fillfactor 90 keeps
-- room on the page for that update to be HOT.
ALTER TABLE {{schema}}.payments SET (fillfactor = 90);

-- Reservations: no statement reads them by SKU (a listing by SKU alone
-- filters the tenant's reservations, storage.ListReservations), so the
-- index by SKU and status cost three entries per 3-line order and made
-- every later change of a reservation's status rewrite its index entries;
-- without it, and with room on the page, that change is HOT.
DROP INDEX {{schema}}.reservations_sku_idx;
ALTER TABLE {{schema}}.reservations SET (fillfactor = 90);

-- Movements: the ledger's primary key is (tenant, sku, location_id, seq),
-- the index by SKU it had beside a key on seq alone, which only a listing
-- of a whole tenant's ledger in seq order read (it sorts instead): one
-- index entry fewer per movement.
ALTER TABLE {{schema}}.stock_movements DROP CONSTRAINT stock_movements_pkey;
DROP INDEX {{schema}}.stock_movements_sku_idx;
ALTER TABLE {{schema}}.stock_movements ADD PRIMARY KEY (tenant, sku, location_id, seq);

-- Order lines are written only with their order, in the same statement
-- as its insert or beside its version-checked update, and orders are
-- never deleted: the foreign key's check of every line (a lookup of the
-- order row, locking it FOR KEY SHARE) guarded nothing the adapter does
-- not. A host deleting orders by hand deletes their lines too.
ALTER TABLE {{schema}}.order_lines DROP CONSTRAINT order_lines_tenant_order_id_fkey;

-- Outbox: one index by aggregate instead of two. Aggregate IDs are
-- version 7 UUIDs, unique across tenants, so (aggregate_id, seq) serves
-- the relay's per-aggregate ordering (which filters delivered_at on the
-- rows, a few per aggregate) and the tenant's event reads (which filter
-- tenant on the rows).
DROP INDEX {{schema}}.outbox_aggregate_undelivered_idx;
DROP INDEX {{schema}}.outbox_aggregate_idx;
CREATE INDEX outbox_aggregate_idx ON {{schema}}.outbox (aggregate_id, seq);

-- The outbox's primary key is the event ID (unique already); seq keeps
-- ordering the events through the index by aggregate and the relay's
-- partial index of undelivered events, and needs no index of its own.
ALTER TABLE {{schema}}.outbox
    DROP CONSTRAINT outbox_pkey,
    DROP CONSTRAINT outbox_id_key,
    ADD PRIMARY KEY (id);
