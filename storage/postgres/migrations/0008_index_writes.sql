-- Fewer index entries written per placement, in bulk above all.
--
-- Room on each page for the updates that follow an insert, so that they
-- are HOT (heap-only: no new index entries). Migration 0005 left 25% of
-- an order's page and 10% of a payment's free, which holds one or two
-- updated rows: when orders are placed in bulk, the rows of a page are
-- inserted together and all confirmed right after, and during such a run
-- only 43% of the orders' updates, 10% of the payments' and 27% of the
-- stock levels' were HOT (pg_stat_user_tables; BENCHMARKS.md, sixth
-- session). Every other update wrote a new entry in each of the table's
-- indexes, which the index then had to clean up.
--
-- Half of each page is left free: room for every row of the page to be
-- updated once before the page is pruned. The tables' rows are rewritten
-- several times in their life (placed, confirmed, allocated, shipped,
-- delivered), so the space buys fewer index writes on each of those
-- steps. Only pages written from now on change; nothing is rewritten.
ALTER TABLE {{schema}}.orders SET (fillfactor = 50);
ALTER TABLE {{schema}}.payments SET (fillfactor = 50);
ALTER TABLE {{schema}}.stock_levels SET (fillfactor = 50);

-- Order lines: no statement of the adapter reads them by SKU (it reads an
-- order's lines by order), so the index by tenant and SKU cost one entry
-- per line and nothing else. A host reporting on lines by SKU by hand can
-- create an index of its own.
DROP INDEX {{schema}}.order_lines_sku_idx;
