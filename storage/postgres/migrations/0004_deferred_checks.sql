-- Checks that a write queued on a transaction (sent with a later statement
-- or with the COMMIT) makes on the server: a failed check raises an error,
-- which aborts the transaction, instead of a row count the client would
-- have to read. The adapter maps the SQLSTATEs to its errors:
--   OMS01: a conditional write changed fewer rows than expected because
--          a row was changed meanwhile (storage.ErrConflict);
--   OMS02: the row to change does not exist (storage.ErrNotFound).
-- want is the number of rows the write must have changed, got the number
-- it changed, and present whether the row exists; what names the write in
-- the message.
CREATE FUNCTION {{schema}}.expect_rows(got bigint, want bigint, present boolean, what text)
RETURNS boolean
LANGUAGE plpgsql
AS $$
BEGIN
    IF got = want THEN
        RETURN true;
    END IF;
    IF NOT present THEN
        RAISE EXCEPTION '%: not found', what USING ERRCODE = 'OMS02';
    END IF;
    RAISE EXCEPTION '%: % of % rows changed', what, got, want USING ERRCODE = 'OMS01';
END
$$;
