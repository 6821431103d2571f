-- Less server CPU per order write. Measured with perf during bulk
-- placements (BENCHMARKS.md, fifth session): the generated status_group
-- column cost 5-6% of the server's CPU, since PostgreSQL parses and plans
-- a stored generated column's expression at the start of every INSERT and
-- UPDATE of the table; compressing order documents with pglz (an order of
-- three lines is a 2.3 KB document, above the 2 KB at which a row is
-- compressed) cost 8-9%.
--
-- status_group becomes a plain column. The adapter's insert and update of
-- an order set it to order_status_group(status) in the same statement
-- (a prepared statement's plan has the function inlined once), so the
-- function stays the one definition of the grouping. A host writing
-- orders by hand sets it the same way. Dropping the expression keeps the
-- values and rewrites nothing.
ALTER TABLE {{schema}}.orders ALTER COLUMN status_group DROP EXPRESSION;

-- Order documents are compressed with lz4 (several times faster than
-- pglz, about as small) where the server was built with it, as Debian's,
-- Ubuntu's, the PGDG packages and the official images are; elsewhere they
-- keep pglz. Only values written from now on change; existing ones read
-- as they are.
DO $oms$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_settings
               WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
        EXECUTE format('ALTER TABLE %s ALTER COLUMN doc SET COMPRESSION lz4',
            $name${{schema}}.orders$name$::regclass);
    END IF;
END
$oms$;
