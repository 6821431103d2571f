-- Stock levels are read by their key (tenant, SKU, location): a placement
-- reads every level of its SKUs, at every location stocking them. In a
-- rowid table each row found in the key's index costs a second search, in
-- the table; a WITHOUT ROWID table keeps the rows in the key's own B-tree.
CREATE TABLE stock_levels_new (
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
) WITHOUT ROWID;
INSERT INTO stock_levels_new (tenant, sku, location_id, on_hand, reserved, version, updated_at)
    SELECT tenant, sku, location_id, on_hand, reserved, version, updated_at FROM stock_levels;
DROP TABLE stock_levels;
ALTER TABLE stock_levels_new RENAME TO stock_levels;
CREATE INDEX stock_levels_by_location ON stock_levels (tenant, location_id);
