// Package webhook delivers outbox events to HTTP endpoints as signed
// webhooks, and verifies signed deliveries a receiver (or the engine's own
// tracking intake) gets.
//
// # Signing
//
// Deliveries follow the Standard Webhooks scheme
// (https://www.standardwebhooks.com): three headers, webhook-id (the same
// on every retry of one message: de-duplicate on it), webhook-timestamp
// (integer Unix seconds) and webhook-signature, a space-separated list of
// "v1,<base64(HMAC-SHA256(key, id + "." + timestamp + "." + body))>", one
// entry per secret. Secrets travel as "whsec_<base64 key>" ([ParseSecret],
// [NewSecret]). Any Standard Webhooks library verifies what [Sign] makes,
// and [Verify] checks what such a library signs.
//
// # Receiving
//
// [Verify] checks a delivery's headers and raw body against one or more
// secrets: it accepts when any v1 signature matches any secret (so during a
// rotation the old and the new secret both verify), compares in constant
// time, and refuses a timestamp more than [DefaultTolerance] from the
// clock. A [Verifier] does the same with its own clock and tolerance and,
// unless VerifierOptions.AllowReplays is set, also refuses a replay: it
// remembers each accepted ID until the delivery would be refused as too old
// anyway, in a bounded memory, and answers a second delivery with that ID
// with [ErrReplayed]. The memory is on by default because the timestamp
// alone leaves the tolerance window open to replays. A receiver that
// accepted a delivery but failed to handle it calls [Verifier.Forget]
// before answering with an error status, so that the sender's retry (same
// ID, fresh timestamp) is accepted. Errors are sentinels checked with
// errors.Is; a [*HeaderError] names a missing or malformed header.
//
// # Sending
//
// A [Dispatcher] is built from [Endpoint]s (URL, secrets, optional event
// type and tenant filters) and an *http.Client; its [Dispatcher.Handler] is
// an oms.Handler to subscribe to an oms.Relay. It POSTs each event as
// CloudEvents structured JSON (oms.Envelope; Content-Type
// application/cloudevents+json), webhook-id the event's ID, signed with
// every secret of the endpoint. Progress is kept per endpoint: one that
// accepted an event (2xx) is not posted it again when the relay redelivers
// the event because another endpoint failed; one that failed (non-2xx, a
// failed request, a timeout) is tried on later deliveries after its
// backoff (by default 1s, 2s, 4s ... up to 10 min, no jitter), and after
// Options.MaxAttempts failures, or at once on 410 Gone, its dead letter
// ([Options].DeadLetterFunc) gets the event and the endpoint is done with
// it. The handler returns an error while any endpoint is still owed the
// event, so the relay delivers it again. The state is in memory and
// bounded (Options.MaxTracked): fully delivered events drop out.
//
// # Tracking intake
//
// [TrackingIntake] is the http.Handler a carrier calls to push tracking:
// a signed POST of {"shipment_id": "<uuid>"} ([TrackingPush]), verified by
// a Verifier, after which the engine syncs the shipment's tracking from the
// carrier (oms.Engine.SyncTracking). It answers 204, or an RFC 9457
// problem with the status the error's oms.Code maps to.
package webhook
