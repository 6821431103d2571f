package payment

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/ordersmith/oms/fielderr"
	"github.com/ordersmith/oms/money"
)

var (
	// ErrInvalidTransition is returned when an event is not allowed in the
	// payment's current status. The error is a *TransitionError.
	ErrInvalidTransition = errors.New("payment: invalid transition")
	// ErrNotFound is returned (by stores and engines) when a payment does not
	// exist in the tenant.
	ErrNotFound = errors.New("payment: not found")
	// ErrInvalidInput is returned for malformed arguments. The error is a
	// *fielderr.Error naming each bad field by its JSON path.
	ErrInvalidInput = errors.New("payment: invalid input")
	// ErrInvalidAmount is returned for an amount that is not positive, not
	// rounded to its currency's minor unit, in an unknown currency, or in a
	// currency other than the payment's. The error is a *fielderr.Error
	// naming "amount", which also matches ErrInvalidInput.
	ErrInvalidAmount = errors.New("payment: invalid amount")
	// ErrDeclined is returned by a gateway that refused an operation. The
	// error is a *DeclineError.
	ErrDeclined = errors.New("payment: declined")
	// ErrInsufficientFunds is a decline for lack of funds. Errors matching
	// it also match ErrDeclined.
	ErrInsufficientFunds = errors.New("payment: insufficient funds")
	// ErrTransient is a retryable gateway failure (timeout, 5xx, rate
	// limit): retrying with the same idempotency key is safe.
	ErrTransient = errors.New("payment: transient gateway failure")
	// ErrExceedsAuthorized is returned when a capture exceeds the authorized
	// amount not yet captured. The error is an *AmountError.
	ErrExceedsAuthorized = errors.New("payment: amount exceeds authorized")
	// ErrExceedsCaptured is returned when a refund exceeds the captured
	// amount not yet refunded. The error is an *AmountError.
	ErrExceedsCaptured = errors.New("payment: amount exceeds captured")
	// ErrUnknownAuthorization is returned by a gateway for an authorization
	// reference it does not know.
	ErrUnknownAuthorization = errors.New("payment: unknown authorization")
	// ErrAlreadyCaptured is returned by a gateway asked to void an
	// authorization of which some money has been captured.
	ErrAlreadyCaptured = errors.New("payment: authorization already captured")
	// ErrVoided is returned by a gateway asked to capture against, or void
	// again, an authorization that has been voided.
	ErrVoided = errors.New("payment: authorization voided")
	// ErrIdempotencyConflict is returned when an idempotency key is reused
	// for a different operation or different parameters.
	ErrIdempotencyConflict = errors.New("payment: idempotency key reused with different parameters")
)

// IsTransient reports whether err is a retryable gateway failure (it matches
// [ErrTransient]).
func IsTransient(err error) bool { return errors.Is(err, ErrTransient) }

// DeclineError is a gateway's refusal of an operation. It matches
// [ErrDeclined] with errors.Is, and also [ErrInsufficientFunds] when Code is
// [CodeInsufficientFunds].
type DeclineError struct {
	// Code is the machine-readable reason, e.g. "card_declined".
	Code string
	// Message is the gateway's human-readable explanation.
	Message string
}

// Decline codes used by the Sandbox and recognised by [DeclineError.Is].
const (
	// CodeCardDeclined is a generic refusal by the card issuer.
	CodeCardDeclined = "card_declined"
	// CodeInsufficientFunds is a refusal for lack of funds.
	CodeInsufficientFunds = "insufficient_funds"
	// CodeInvalidToken is a payment method token the gateway does not know.
	CodeInvalidToken = "invalid_token"
)

// Error implements error.
func (e *DeclineError) Error() string {
	if e.Message == "" {
		return "payment: declined: " + e.Code
	}
	return fmt.Sprintf("payment: declined: %s: %s", e.Code, e.Message)
}

// Is reports whether target is ErrDeclined, or ErrInsufficientFunds for the
// insufficient_funds code.
func (e *DeclineError) Is(target error) bool {
	switch target {
	case ErrDeclined:
		return true
	case ErrInsufficientFunds:
		return e.Code == CodeInsufficientFunds
	}
	return false
}

// AmountError details an amount over its limit. It unwraps to Err, which is
// [ErrExceedsAuthorized] or [ErrExceedsCaptured].
type AmountError struct {
	// Op is the refused operation: "capture" or "refund".
	Op string
	// Requested is the amount asked for.
	Requested money.Money
	// Limit is the most that could have been asked for.
	Limit money.Money
	// Err is the sentinel the error matches.
	Err error
}

// Error implements error.
func (e *AmountError) Error() string {
	return fmt.Sprintf("payment: %s %s: limit is %s: %v", e.Op, e.Requested, e.Limit, e.Err)
}

// Unwrap returns the sentinel in Err.
func (e *AmountError) Unwrap() error { return e.Err }

// validator collects field problems.
type validator struct{ fields []fielderr.Field }

func (v *validator) add(field, problem string) {
	v.fields = append(v.fields, fielderr.Field{Path: field, Problem: problem})
}

func (v *validator) check(ok bool, field, problem string) {
	if !ok {
		v.add(field, problem)
	}
}

// checkText records a problem unless s is storable text: valid UTF-8
// without a NUL byte, which PostgreSQL refuses in a text column (the same
// rule as order.TextProblem; the packages do not import each other).
func (v *validator) checkText(field, s string) {
	switch {
	case strings.IndexByte(s, 0) >= 0:
		v.add(field, "contains a NUL byte")
	case !utf8.ValidString(s):
		v.add(field, "is not valid UTF-8")
	}
}

// err returns nil or a *fielderr.Error listing the problems, matching
// ErrInvalidInput, and ErrInvalidAmount too when a field named "amount" is
// among them.
func (v *validator) err() error {
	if len(v.fields) == 0 {
		return nil
	}
	fe := fielderr.New(ErrInvalidInput)
	fe.Fields = v.fields
	if fe.Has("amount") {
		fe.With(ErrInvalidAmount)
	}
	return fe
}

// invalidField returns a field error matching [ErrInvalidInput] that names
// one field.
func invalidField(path, problem string) error { return fielderr.Of(ErrInvalidInput, path, problem) }

// checkAmount records a problem unless a is a positive, rounded amount in a
// known currency equal to want (when want is non-empty).
func (v *validator) checkAmount(field string, a money.Money, want money.Currency) {
	switch {
	case !a.Currency().Valid():
		v.add(field, fmt.Sprintf("unknown currency %q", a.Currency()))
	case want != "" && a.Currency() != want:
		v.add(field, fmt.Sprintf("currency %s, payment is in %s", a.Currency(), want))
	case !a.IsPositive():
		v.add(field, "must be positive")
	case !a.IsRounded():
		v.add(field, fmt.Sprintf("%s is not rounded to the minor unit", a))
	}
}
