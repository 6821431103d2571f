-- Two indexes no query of the store reads, each written by every line of
-- every placement: order lines by SKU and reservations by SKU and status
-- (the store reads an order's lines by order, and reservations by ID or
-- by order). A 3-line placement wrote some eight pages of them to the
-- log, of about 59 in all.
DROP INDEX IF EXISTS order_lines_sku;
DROP INDEX IF EXISTS reservations_by_sku;
