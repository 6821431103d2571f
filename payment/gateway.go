package payment

import (
	"context"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/money"
)

// AuthorizeRequest asks a gateway to hold Amount on the payment method
// identified by Token.
type AuthorizeRequest struct {
	// IdempotencyKey makes retries safe; required.
	IdempotencyKey string
	// PaymentID is the Payment the authorization is for.
	PaymentID uuid.UUID
	// Amount is the amount to hold.
	Amount money.Money
	// Token identifies the payment method (a tokenised card, a wallet, ...).
	Token string
}

// CaptureRequest asks a gateway to capture Amount of an authorization.
type CaptureRequest struct {
	// IdempotencyKey makes retries safe; required.
	IdempotencyKey string
	// AuthorizationRef is the gateway's reference from Authorize.
	AuthorizationRef string
	// Amount is the amount to capture.
	Amount money.Money
}

// VoidRequest asks a gateway to release an uncaptured authorization.
type VoidRequest struct {
	// IdempotencyKey makes retries safe; required.
	IdempotencyKey string
	// AuthorizationRef is the gateway's reference from Authorize.
	AuthorizationRef string
}

// RefundRequest asks a gateway to refund Amount of the money captured on an
// authorization.
type RefundRequest struct {
	// IdempotencyKey makes retries safe; required.
	IdempotencyKey string
	// AuthorizationRef is the gateway's reference from Authorize.
	AuthorizationRef string
	// Amount is the amount to refund.
	Amount money.Money
}

// Result is a gateway's answer to a successful operation.
type Result struct {
	// Ref is the gateway's reference for this operation (for Authorize, the
	// authorization reference later requests name).
	Ref string
	// Amount is the amount processed (for Void, the authorization released).
	Amount money.Money
}

// Gateway drives a payment provider. Implementations are written by the
// host (or come with the library, like [Sandbox]) and are checked by
// payment/paymenttest.Run.
//
// Contract:
//   - Safe for concurrent use.
//   - Every request carries an IdempotencyKey (an empty key is refused with
//     an error matching [ErrInvalidInput]). A repeat with the same key and
//     the same parameters returns the first Result (or the first decline)
//     and performs the operation once; the same key with other parameters
//     returns an error matching [ErrIdempotencyConflict].
//   - An amount that is not positive, not rounded to its currency's minor
//     unit, or (for Capture and Refund) not in the authorization's currency
//     is refused with an error matching [ErrInvalidAmount].
//   - A refusal by the provider returns an error matching [ErrDeclined] that
//     errors.As finds as a *DeclineError ([ErrInsufficientFunds] too for
//     lack of funds).
//   - A retryable failure (timeout, 5xx, rate limit) returns an error
//     matching [ErrTransient]; the caller retries with the same key.
//   - Capture of more than authorized minus captured returns an error
//     matching [ErrExceedsAuthorized]; Refund of more than captured minus
//     refunded returns one matching [ErrExceedsCaptured]. These limits hold
//     under concurrent requests.
//   - A reference the gateway did not issue returns an error matching
//     [ErrUnknownAuthorization].
//   - Void after any capture returns an error matching [ErrAlreadyCaptured];
//     Capture or Void after a void returns one matching [ErrVoided].
//
// Gateways only classify errors; the Engine records results on the Payment.
type Gateway interface {
	// Authorize holds req.Amount on the payment method.
	Authorize(ctx context.Context, req AuthorizeRequest) (Result, error)
	// Capture takes req.Amount of an authorization; several captures may
	// follow one authorization when the gateway supports it.
	Capture(ctx context.Context, req CaptureRequest) (Result, error)
	// Void releases an authorization of which nothing was captured.
	Void(ctx context.Context, req VoidRequest) (Result, error)
	// Refund returns req.Amount of captured money.
	Refund(ctx context.Context, req RefundRequest) (Result, error)
}
