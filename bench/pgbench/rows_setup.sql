-- The helper bench/pgbench/place_rows.sql needs in the engine's schema
-- (run with that schema first on the search path): time-ordered ids like
-- the engine's version 7 UUIDs, so that both sides' inserts land at the
-- right edge of their indexes. The version nibble stays 4 (random); only
-- the order matters here.
CREATE FUNCTION uuid7() RETURNS uuid LANGUAGE sql VOLATILE PARALLEL SAFE
RETURN encode(overlay(uuid_send(gen_random_uuid())
    PLACING substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
    FROM 1 FOR 6), 'hex')::uuid;
