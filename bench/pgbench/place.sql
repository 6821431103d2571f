-- One 3-line order placed by hand in one transaction: one unit of one SKU
-- from each third of the catalogue (ascending, so rows lock in one order), then the order, its three lines and one outbox row: 8 statements,
-- the work of bench/cmd/sidebyside's hand-sqlite mode. Run by sidebyside.sh:
--   pgbench -n -M prepared -c 8 -j 2 -T 10 -f <this file> <url>
\set a random(0, 49)
\set b random(50, 99)
\set c random(100, 149)
BEGIN;
UPDATE bench_pgbench.stock SET reserved = reserved + 1, version = version + 1, updated_at = now()
  WHERE tenant = 'default' AND sku = 'S-' || lpad(:a::text, 3, '0') AND location_id = '00000000-0000-7000-8000-000000000001' AND on_hand - reserved >= 1;
UPDATE bench_pgbench.stock SET reserved = reserved + 1, version = version + 1, updated_at = now()
  WHERE tenant = 'default' AND sku = 'S-' || lpad(:b::text, 3, '0') AND location_id = '00000000-0000-7000-8000-000000000001' AND on_hand - reserved >= 1;
UPDATE bench_pgbench.stock SET reserved = reserved + 1, version = version + 1, updated_at = now()
  WHERE tenant = 'default' AND sku = 'S-' || lpad(:c::text, 3, '0') AND location_id = '00000000-0000-7000-8000-000000000001' AND on_hand - reserved >= 1;
INSERT INTO bench_pgbench.orders (tenant, id, status, total, doc, created_at)
  VALUES ('default', gen_random_uuid(), 'confirmed', 46.34, '{"channel":{"kind":"web","name":"bench"},"customer":{"id":"bench"},"shipping_address":{"name":"Bench","line1":"1 Main St","city":"Frankfurt","postal_code":"60311","country":"DE"},"currency":"EUR","status":"confirmed","lines":[{"quantity":1,"unit_price":"9.99"},{"quantity":1,"unit_price":"19.99"},{"quantity":1,"unit_price":"4.25"}],"shipping_charge":"4.95","tax_rate":"0.19","total":"46.34"}', now()) RETURNING id AS order_id \gset
INSERT INTO bench_pgbench.order_lines (tenant, order_id, line_no, sku, quantity, unit_price)
  VALUES ('default', :order_id, 1, 'S-' || lpad(:a::text, 3, '0'), 1, 9.99);
INSERT INTO bench_pgbench.order_lines (tenant, order_id, line_no, sku, quantity, unit_price)
  VALUES ('default', :order_id, 2, 'S-' || lpad(:b::text, 3, '0'), 1, 19.99);
INSERT INTO bench_pgbench.order_lines (tenant, order_id, line_no, sku, quantity, unit_price)
  VALUES ('default', :order_id, 3, 'S-' || lpad(:c::text, 3, '0'), 1, 4.25);
INSERT INTO bench_pgbench.outbox (tenant, event_id, aggregate_id, type, payload, created_at)
  VALUES ('default', gen_random_uuid(), :order_id, 'order.placed', '{"channel":{"kind":"web","name":"bench"},"customer":{"id":"bench"},"shipping_address":{"name":"Bench","line1":"1 Main St","city":"Frankfurt","postal_code":"60311","country":"DE"},"currency":"EUR","status":"confirmed","lines":[{"quantity":1,"unit_price":"9.99"},{"quantity":1,"unit_price":"19.99"},{"quantity":1,"unit_price":"4.25"}],"shipping_charge":"4.95","tax_rate":"0.19","total":"46.34"}', now());
COMMIT;
