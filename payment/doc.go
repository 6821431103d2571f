// Package payment holds the Payment aggregate, its status machine, the
// Gateway port through which the host's payment provider is driven, an
// in-memory Sandbox gateway, and (in payment/paymenttest) the conformance kit
// every Gateway implementation runs.
//
// # Lifecycle
//
// A Payment is created pending for an order total. The gateway's answer to
// the authorization is recorded with [Payment.RecordAuthorization] or
// [Payment.RecordFailure]. Money is then captured, in one or several
// captures, and captured money may be refunded, in one or several refunds:
//
//   - capture_partial moves authorized or partially_captured to
//     partially_captured while some authorized money remains uncaptured;
//     capture moves them to captured when the whole authorization is taken.
//   - void releases an authorization only while nothing has been captured
//     (from authorized). A partially captured payment cannot be voided: its
//     uncaptured remainder simply lapses at the gateway, or is captured later.
//   - refund_partial and refund are allowed from captured, partially_captured
//     and partially_refunded, so a partially captured payment can be
//     refunded. Refunding ends the capture phase: once any refund is recorded
//     no further capture is accepted, and the uncaptured remainder lapses.
//     refund is fired when everything captured has been refunded.
//
// The machine is declared once in [Transitions]; [Diagram] draws it.
//
// # Invariants
//
// Captured never exceeds Authorized and Refunded never exceeds Captured. Every
// amount is positive, rounded to its currency's minor unit and in the
// payment's currency. A method that returns an error leaves the Payment
// exactly as it was. Recording a gateway result twice under the same
// idempotency key is a no-op, so a retried command cannot count money twice.
//
// The aggregate never calls a gateway and never reads the clock: IDs and
// times are parameters, and the caller (the Engine) talks to the [Gateway],
// then records its result here.
package payment
