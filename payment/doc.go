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
//   - refund_partial and refund are allowed from captured and
//     partially_captured and leave the status as it is: the status follows
//     the authorization and its captures only. Refunds are tracked by the
//     Refunded amount ([Payment.RefundStatus] summarises it), so a refund
//     never stops a later capture: the uncaptured rest of the authorization
//     may be captured, and refunded, after any refund. refund is fired when
//     everything captured so far has been refunded.
//
// Payments stored with the statuses of an earlier version of this machine,
// partially_refunded and refunded, load with the capture status their
// amounts give.
//
// The machine is declared once in [Transitions]; [Diagram] draws it.
//
// # Invariants
//
// 0 ≤ Refunded ≤ Captured ≤ Authorized ≤ Amount, and [Payment.Capturable] is
// Authorized − Captured whenever a capture is allowed. Every
// amount is positive, rounded to its currency's minor unit and in the
// payment's currency. A method that returns an error leaves the Payment
// exactly as it was. Recording a gateway result twice under the same
// idempotency key is a no-op, so a retried command cannot count money twice.
//
// The aggregate never calls a gateway and never reads the clock: IDs and
// times are parameters, and the caller (the Engine) talks to the [Gateway],
// then records its result here.
package payment
