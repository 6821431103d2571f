-- The tables of the hand-written placement (place.sql, place_hot.sql), in
-- a schema of their own, dropped and recreated on every run; the twin of
-- the SQLite schema in bench/cmd/sidebyside/hand.go. One location; SKUs
-- HOT and S-000..S-149, each with 2^40 units on hand.
DROP SCHEMA IF EXISTS bench_pgbench CASCADE;
CREATE SCHEMA bench_pgbench;
CREATE TABLE bench_pgbench.stock (
	tenant text NOT NULL, sku text NOT NULL, location_id uuid NOT NULL,
	on_hand bigint NOT NULL, reserved bigint NOT NULL DEFAULT 0,
	version bigint NOT NULL DEFAULT 1, updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant, sku, location_id));
CREATE TABLE bench_pgbench.orders (
	tenant text NOT NULL, id uuid PRIMARY KEY, status text NOT NULL,
	total numeric NOT NULL, doc jsonb NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE bench_pgbench.order_lines (
	tenant text NOT NULL, order_id uuid NOT NULL REFERENCES bench_pgbench.orders (id), line_no int NOT NULL,
	sku text NOT NULL, quantity bigint NOT NULL, unit_price numeric NOT NULL,
	PRIMARY KEY (order_id, line_no));
CREATE TABLE bench_pgbench.outbox (
	seq bigserial PRIMARY KEY, tenant text NOT NULL, event_id uuid NOT NULL,
	aggregate_id uuid NOT NULL, type text NOT NULL, payload jsonb NOT NULL, created_at timestamptz NOT NULL);
INSERT INTO bench_pgbench.stock (tenant, sku, location_id, on_hand)
	SELECT 'default', s, '00000000-0000-7000-8000-000000000001', 1::bigint << 40
	FROM (SELECT 'HOT' AS s UNION ALL SELECT 'S-' || lpad(i::text, 3, '0') FROM generate_series(0, 149) i) skus;
