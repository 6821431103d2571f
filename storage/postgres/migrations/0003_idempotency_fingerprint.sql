-- Idempotency records get the fingerprint of the request their key was
-- first used with (a SHA-256 hex digest), so that a repeat with another
-- request can be refused. Records written before have none: '', which the
-- engine accepts as matching any request.
ALTER TABLE {{schema}}.idempotency_keys
    ADD COLUMN fingerprint text NOT NULL DEFAULT '';
