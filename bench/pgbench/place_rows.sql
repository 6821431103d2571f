-- One 3-line order placed by hand writing every row the engine writes for
-- it (bench/pgbench/place.sql writes 5 and updates 3 of them), in the
-- engine's own tables and in two transactions like the engine's saga: the
-- side by side's postgres-rows comparison, which tells the cost of the
-- engine's records from the engine's own overhead. Nothing is read first
-- (no idempotency, catalogue or stock read: the conditional updates check
-- the stock), and no advisory lock orders the events. The documents are
-- literal copies of one the engine wrote for the same order (sizes
-- matter, not contents); ids are time-ordered like the engine's (uuid7(),
-- from bench/pgbench/rows_setup.sql). Run by sidebyside.sh on a schema the
-- engine migrated and stocked (sidebyside -mode stock-postgres):
--   PGOPTIONS=-csearch_path=<schema> pgbench -n -M prepared -c 8 -j 2 -T 10 -D loc=<location id> -D one_tx=0 -f <this file> <url>
-- With -D one_tx=1 the same statements run in one transaction: the
-- figure the issue's 0.5x target names ("the same SQL work in one
-- transaction", the saga's second commit being the engine's extra cost).
\set a random(0, 49)
\set b random(50, 99)
\set c random(100, 149)
BEGIN;
UPDATE stock_levels SET reserved = reserved + 1, version = version + 1, updated_at = now()
  WHERE tenant = 'default' AND sku = 'S-' || lpad(:a::text, 3, '0') AND location_id = :loc AND on_hand - reserved >= 1
  RETURNING on_hand AS a_on_hand, reserved AS a_reserved \gset
UPDATE stock_levels SET reserved = reserved + 1, version = version + 1, updated_at = now()
  WHERE tenant = 'default' AND sku = 'S-' || lpad(:b::text, 3, '0') AND location_id = :loc AND on_hand - reserved >= 1
  RETURNING on_hand AS b_on_hand, reserved AS b_reserved \gset
UPDATE stock_levels SET reserved = reserved + 1, version = version + 1, updated_at = now()
  WHERE tenant = 'default' AND sku = 'S-' || lpad(:c::text, 3, '0') AND location_id = :loc AND on_hand - reserved >= 1
  RETURNING on_hand AS c_on_hand, reserved AS c_reserved \gset
INSERT INTO orders (tenant, id, version, doc, status, channel_kind, channel_name, external_ref, customer_id, currency,
    subtotal, discount, shipping, tax, total, payment_status, fulfillment_status, created_at, updated_at, status_group)
  VALUES ('default', uuid7(), 1, '{"schema_version":1,"tenant":"default","version":1,"id":"01a23af6-b6bb-7000-b565-0ad5c16bec6e","channel":{"kind":"web","name":"bench"},"external_ref":"SBS-17","customer":{"id":"bench"},"shipping_address":{"name":"Bench","line1":"1 Main St","city":"Frankfurt","postal_code":"60311","country":"DE","geo":{"lat":50.1,"lon":8.7}},"currency":"EUR","lines":[{"id":"01a23af6-b6bb-7001-af44-508923dabfd4","sku":"S-030","quantity":1,"unit_price":{"amount":"9.99","currency":"EUR"},"subtotal":{"amount":"9.99","currency":"EUR"},"discount":{"amount":"0.00","currency":"EUR"},"shipping":{"amount":"1.45","currency":"EUR"},"tax":{"amount":"2.17","currency":"EUR"},"total":{"amount":"13.61","currency":"EUR"},"shipped":0,"returned":0},{"id":"01a23af6-b6bb-7002-8a6b-140577dbe055","sku":"S-060","quantity":1,"unit_price":{"amount":"19.99","currency":"EUR"},"subtotal":{"amount":"19.99","currency":"EUR"},"discount":{"amount":"0.00","currency":"EUR"},"shipping":{"amount":"2.89","currency":"EUR"},"tax":{"amount":"4.35","currency":"EUR"},"total":{"amount":"27.23","currency":"EUR"},"shipped":0,"returned":0},{"id":"01a23af6-b6bb-7003-ad51-0208bb39bc5f","sku":"S-114","quantity":1,"unit_price":{"amount":"4.25","currency":"EUR"},"subtotal":{"amount":"4.25","currency":"EUR"},"discount":{"amount":"0.00","currency":"EUR"},"shipping":{"amount":"0.61","currency":"EUR"},"tax":{"amount":"0.92","currency":"EUR"},"total":{"amount":"5.78","currency":"EUR"},"shipped":0,"returned":0}],"totals":{"subtotal":{"amount":"34.23","currency":"EUR"},"discount":{"amount":"0.00","currency":"EUR"},"shipping":{"amount":"4.95","currency":"EUR"},"tax":{"amount":"7.44","currency":"EUR"},"total":{"amount":"46.62","currency":"EUR"}},"tax_rate":"0.19","status":"pending","payment":{"status":"pending","authorized":{"amount":"0.00","currency":"EUR"},"captured":{"amount":"0.00","currency":"EUR"},"refunded":{"amount":"0.00","currency":"EUR"}},"fulfillment":{"status":"unfulfilled","ordered":3,"shipped":0,"returned":0},"created_at":"2026-12-03T08:12:56.891107681Z","updated_at":"2026-12-03T08:12:56.891107681Z"}', 'pending', 'web', 'bench', 'SBS-' || :client_id || '-' || (random() * 1e15)::bigint, 'bench', 'EUR',
    34.23, 0.00, 4.95, 7.44, 46.62, 'pending', 'unfulfilled', now(), now(), 'open')
  RETURNING id AS order_id, external_ref \gset
INSERT INTO order_lines (tenant, order_id, line_id, position, sku, quantity, unit_price, total, shipped, returned)
  VALUES ('default', :order_id, uuid7(), 0, 'S-' || lpad(:a::text, 3, '0'), 1, 9.99, 13.61, 0, 0),
    ('default', :order_id, uuid7(), 1, 'S-' || lpad(:b::text, 3, '0'), 1, 19.99, 27.23, 0, 0),
    ('default', :order_id, uuid7(), 2, 'S-' || lpad(:c::text, 3, '0'), 1, 4.25, 5.78, 0, 0);
INSERT INTO payments (tenant, id, version, doc, order_id, status, gateway, currency, amount, authorized, captured, refunded, created_at, updated_at)
  VALUES ('default', uuid7(), 1, '{"schema_version":1,"tenant":"default","version":1,"id":"01a23af6-b6bb-7004-b09d-5d9daa670829","order_id":"01a23af6-b6bb-7000-b565-0ad5c16bec6e","gateway":"sandbox","amount":{"amount":"46.62","currency":"EUR"},"authorized":{"amount":"0.00","currency":"EUR"},"captured":{"amount":"0.00","currency":"EUR"},"refunded":{"amount":"0.00","currency":"EUR"},"authorization_ref":"","authorization_token":"tok_approve","status":"pending","failure_reason":"","transactions": null,"created_at":"2026-12-03T08:12:56.891107681Z","updated_at":"2026-12-03T08:12:56.891107681Z"}', :order_id, 'pending', 'sandbox', 'EUR', 46.62, 0.00, 0.00, 0.00, now(), now())
  RETURNING id AS payment_id \gset
INSERT INTO idempotency_keys (tenant, key, operation, resource_id, created_at, fingerprint)
  VALUES ('default', 'channel:5:' || 'bench' || ':' || :external_ref, 'place_order', :order_id, now(), '5a0afadc7279c7ebf4d94c0b6f7c251491298c75bb7d1b63ee8b5fde9276d52f');
INSERT INTO reservations (tenant, id, version, order_id, line_id, sku, location_id, quantity, status, created_at, updated_at)
  VALUES ('default', uuid7(), 1, :order_id, uuid7(), 'S-' || lpad(:a::text, 3, '0'), :loc, 1, 'open', now(), now()),
    ('default', uuid7(), 1, :order_id, uuid7(), 'S-' || lpad(:b::text, 3, '0'), :loc, 1, 'open', now(), now()),
    ('default', uuid7(), 1, :order_id, uuid7(), 'S-' || lpad(:c::text, 3, '0'), :loc, 1, 'open', now(), now());
INSERT INTO stock_movements (id, tenant, sku, location_id, kind, quantity, on_hand_delta, reserved_delta, on_hand_after, reserved_after, order_id, reason, at)
  VALUES (uuid7(), 'default', 'S-' || lpad(:a::text, 3, '0'), :loc, 'reserve', 1, 0, 1, :a_on_hand, :a_reserved, :order_id, 'order placed', now()),
    (uuid7(), 'default', 'S-' || lpad(:b::text, 3, '0'), :loc, 'reserve', 1, 0, 1, :b_on_hand, :b_reserved, :order_id, 'order placed', now()),
    (uuid7(), 'default', 'S-' || lpad(:c::text, 3, '0'), :loc, 'reserve', 1, 0, 1, :c_on_hand, :c_reserved, :order_id, 'order placed', now());
INSERT INTO outbox (id, tenant, type, aggregate_type, aggregate_id, payload, occurred_at)
  VALUES (uuid7(), 'default', 'order.placed', 'order', :order_id, '{"order_id":"01a23af6-b6bb-7000-b565-0ad5c16bec6e","status":"pending","channel":"bench","external_ref":"SBS-17","total":{"amount":"46.62","currency":"EUR"},"payment_status":"pending","fulfillment_status":"unfulfilled"}', now());
\if :one_tx
\else
COMMIT;
BEGIN;
\endif
UPDATE payments SET version = version + 1, doc = '{"schema_version":1,"tenant":"default","version":2,"id":"01a23af6-b6bb-7004-b09d-5d9daa670829","order_id":"01a23af6-b6bb-7000-b565-0ad5c16bec6e","gateway":"sandbox","amount":{"amount":"46.62","currency":"EUR"},"authorized":{"amount":"46.62","currency":"EUR"},"captured":{"amount":"0.00","currency":"EUR"},"refunded":{"amount":"0.00","currency":"EUR"},"authorization_ref":"sbx_auth_17","authorization_token":"tok_approve","status":"authorized","failure_reason":"","transactions":[{"id":"01a23af6-b6bc-7000-b89b-911e3224ba4c","kind":"authorize","amount":{"amount":"46.62","currency":"EUR"},"gateway_ref":"sbx_auth_17","idempotency_key":"authorize:01a23af6-b6bb-7004-b09d-5d9daa670829:7: default","at":"2026-12-03T08:12:56.892359266Z"}],"created_at":"2026-12-03T08:12:56.891107681Z","updated_at":"2026-12-03T08:12:56.892359266Z"}', status = 'authorized', authorized = 46.62, updated_at = now()
  WHERE tenant = 'default' AND id = :payment_id AND version = 1;
UPDATE orders SET version = version + 1, doc = '{"schema_version":1,"tenant":"default","version":2,"id":"01a23af6-b6bb-7000-b565-0ad5c16bec6e","channel":{"kind":"web","name":"bench"},"external_ref":"SBS-17","customer":{"id":"bench"},"shipping_address":{"name":"Bench","line1":"1 Main St","city":"Frankfurt","postal_code":"60311","country":"DE","geo":{"lat":50.1,"lon":8.7}},"currency":"EUR","lines":[{"id":"01a23af6-b6bb-7001-af44-508923dabfd4","sku":"S-030","quantity":1,"unit_price":{"amount":"9.99","currency":"EUR"},"subtotal":{"amount":"9.99","currency":"EUR"},"discount":{"amount":"0.00","currency":"EUR"},"shipping":{"amount":"1.45","currency":"EUR"},"tax":{"amount":"2.17","currency":"EUR"},"total":{"amount":"13.61","currency":"EUR"},"shipped":0,"returned":0},{"id":"01a23af6-b6bb-7002-8a6b-140577dbe055","sku":"S-060","quantity":1,"unit_price":{"amount":"19.99","currency":"EUR"},"subtotal":{"amount":"19.99","currency":"EUR"},"discount":{"amount":"0.00","currency":"EUR"},"shipping":{"amount":"2.89","currency":"EUR"},"tax":{"amount":"4.35","currency":"EUR"},"total":{"amount":"27.23","currency":"EUR"},"shipped":0,"returned":0},{"id":"01a23af6-b6bb-7003-ad51-0208bb39bc5f","sku":"S-114","quantity":1,"unit_price":{"amount":"4.25","currency":"EUR"},"subtotal":{"amount":"4.25","currency":"EUR"},"discount":{"amount":"0.00","currency":"EUR"},"shipping":{"amount":"0.61","currency":"EUR"},"tax":{"amount":"0.92","currency":"EUR"},"total":{"amount":"5.78","currency":"EUR"},"shipped":0,"returned":0}],"totals":{"subtotal":{"amount":"34.23","currency":"EUR"},"discount":{"amount":"0.00","currency":"EUR"},"shipping":{"amount":"4.95","currency":"EUR"},"tax":{"amount":"7.44","currency":"EUR"},"total":{"amount":"46.62","currency":"EUR"}},"tax_rate":"0.19","status":"confirmed","payment":{"status":"authorized","authorized":{"amount":"46.62","currency":"EUR"},"captured":{"amount":"0.00","currency":"EUR"},"refunded":{"amount":"0.00","currency":"EUR"}},"fulfillment":{"status":"unfulfilled","ordered":3,"shipped":0,"returned":0},"created_at":"2026-12-03T08:12:56.891107681Z","updated_at":"2026-12-03T08:12:56.892359266Z"}', status = 'confirmed', payment_status = 'authorized', updated_at = now()
  WHERE tenant = 'default' AND id = :order_id AND version = 1;
INSERT INTO outbox (id, tenant, type, aggregate_type, aggregate_id, payload, occurred_at)
  VALUES (uuid7(), 'default', 'payment.authorized', 'payment', :payment_id, '{"payment_id":"01a23af6-b6bb-7004-b09d-5d9daa670829","order_id":"01a23af6-b6bb-7000-b565-0ad5c16bec6e","status":"authorized","refund_status":"none","authorized":{"amount":"46.62","currency":"EUR"},"captured":{"amount":"0.00","currency":"EUR"},"refunded":{"amount":"0.00","currency":"EUR"}}', now()),
    (uuid7(), 'default', 'order.confirmed', 'order', :order_id, '{"order_id":"01a23af6-b6bb-7000-b565-0ad5c16bec6e","status":"confirmed","channel":"bench","external_ref":"SBS-17","total":{"amount":"46.62","currency":"EUR"},"payment_status":"authorized","fulfillment_status":"unfulfilled"}', now());
COMMIT;
