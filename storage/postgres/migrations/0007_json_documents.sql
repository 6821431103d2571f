-- Aggregate documents are json instead of jsonb: stored as the adapter
-- writes them. Measured on PostgreSQL 15 (BENCHMARKS.md, sixth session):
-- converting a 2 KB order document to jsonb costs the server 26-42 us,
-- checking it as json 6-10 us; a placement writes the order's and the
-- payment's documents twice each, and no statement reads inside them (the
-- adapter decodes them itself; the columns beside them are what queries
-- filter on). json keeps them valid JSON for a host that queries them by
-- hand with -> and ->>, which json has as jsonb does.
--
-- The change rewrites each table once, under its ACCESS EXCLUSIVE lock.
-- jsonb's text keeps the documents' meaning; only their spacing and key
-- order change, which the adapter's decoder does not see. A document may
-- now hold \u0000 in a string, which jsonb refused.
--
-- A column's type change resets its compression: the orders' documents
-- keep lz4 where the server has it (as migration 0006 set), in the same
-- rewrite.
DO $oms$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_settings
               WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
        EXECUTE format('ALTER TABLE %s ALTER COLUMN doc TYPE json USING doc::json, ALTER COLUMN doc SET COMPRESSION lz4',
            $name${{schema}}.orders$name$::regclass);
    ELSE
        EXECUTE format('ALTER TABLE %s ALTER COLUMN doc TYPE json USING doc::json',
            $name${{schema}}.orders$name$::regclass);
    END IF;
END
$oms$;
ALTER TABLE {{schema}}.payments ALTER COLUMN doc TYPE json USING doc::json;
ALTER TABLE {{schema}}.fulfillments ALTER COLUMN doc TYPE json USING doc::json;
ALTER TABLE {{schema}}.shipments ALTER COLUMN doc TYPE json USING doc::json;
ALTER TABLE {{schema}}.returns ALTER COLUMN doc TYPE json USING doc::json;
