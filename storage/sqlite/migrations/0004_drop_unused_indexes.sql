-- Three indexes no query of the store reads, each written by every
-- placement: ledger entries by ID, reservations by creation time (the
-- store lists a tenant's reservations by ID, an order's by order) and
-- outbox events by tenant, which also led the planner away from
-- outbox_by_aggregate when events of some aggregates are read back
-- (ReadEvents then scanned every later event of the tenant). The
-- PostgreSQL adapter has none of them either.
DROP INDEX IF EXISTS stock_movements_by_id;
DROP INDEX IF EXISTS reservations_list;
DROP INDEX IF EXISTS outbox_by_tenant;
