package oms

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/ordersmith/oms/fulfillment"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/returns"
	"github.com/ordersmith/oms/shipping"
	"github.com/ordersmith/oms/storage"
)

var (
	// ErrNotConfigured means the engine lacks what a call needs: no payment
	// gateway or carrier registered, or an unknown gateway name.
	ErrNotConfigured = errors.New("oms: not configured")
	// ErrIdempotencyKeyReused means an idempotency key was first used for a
	// different operation or resource.
	ErrIdempotencyKeyReused = errors.New("oms: idempotency key reused for a different request")
	// ErrPaymentNotAuthorized means a step needs money the order's payment
	// does not hold: shipping units whose share cannot be captured.
	ErrPaymentNotAuthorized = errors.New("oms: the order's payment is not authorized")
	// ErrReturnInProgress means the order has a return still open, so it
	// cannot be completed yet.
	ErrReturnInProgress = errors.New("oms: a return of the order is in progress")
	// ErrPlacementInProgress means the order is still being placed (its
	// payment is being authorized): it can be cancelled once the placement
	// ends, or ExpirePendingPlacements undoes it if the placement died.
	ErrPlacementInProgress = errors.New("oms: the order is still being placed")
	// ErrShippingInProgress means a fulfillment of the order is being
	// shipped (its label bought, its payment captured), so the order cannot
	// be cancelled or held until that step ends.
	ErrShippingInProgress = errors.New("oms: a fulfillment of the order is being shipped")
)

// notFound returns err marked with domain (such as order.ErrNotFound) when
// the store found nothing, so that it matches both domain and
// storage.ErrNotFound, and err unchanged otherwise. It adds no "oms:"
// prefix: each Engine method wraps its error once, as
// "oms: <operation> <id>: ...".
func notFound(domain, err error) error {
	if errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("%w: %w", domain, err)
	}
	return err
}

// ErrorCode classifies an error the library returns by what a caller can do
// about it. A host maps it to its own protocol's status with one switch; see
// [Code] for the table.
type ErrorCode string

// The error codes [Code] returns.
const (
	// CodeOK is the code of a nil error.
	CodeOK ErrorCode = "ok"
	// CodeNotFound: the order, payment, fulfillment, shipment, return,
	// item or location named by the request does not exist in the tenant.
	CodeNotFound ErrorCode = "not_found"
	// CodeInvalid: the request is wrong as it is and fails again unchanged:
	// bad fields, bad amounts, a bad cursor, a missing idempotency key, an
	// idempotency key reused for another request, a line or quantity the
	// order does not have.
	CodeInvalid ErrorCode = "invalid"
	// CodeConflict: the request is valid but the resource's state refuses
	// it: an illegal transition, a step of the order still in progress that
	// blocks it, a duplicate.
	CodeConflict ErrorCode = "conflict"
	// CodeUnavailable: the request is valid and the resource allows it, but
	// the world cannot meet it: not enough stock, a declined payment, no
	// shipping rate, no gateway or carrier configured for it.
	CodeUnavailable ErrorCode = "unavailable"
	// CodeTransient: retrying the same request (with the same idempotency
	// key) may succeed; exactly the errors [IsTransient] reports.
	CodeTransient ErrorCode = "transient"
	// CodeInternal: anything else: a bug, a store or provider failing in a
	// way it did not classify. Log it; do not show its text to end users.
	CodeInternal ErrorCode = "internal"
)

// String returns the code's name, such as "not_found".
func (c ErrorCode) String() string { return string(c) }

// HTTPStatus returns the HTTP status of the code, as the table of [Code]
// gives it: 200 ok, 404 not found, 422 invalid, 409 conflict, 424
// unavailable, 503 transient, and 500 internal and any code it does not
// know. No two codes share a status.
func (c ErrorCode) HTTPStatus() int {
	switch c {
	case CodeOK:
		return http.StatusOK
	case CodeNotFound:
		return http.StatusNotFound
	case CodeInvalid:
		return http.StatusUnprocessableEntity
	case CodeConflict:
		return http.StatusConflict
	case CodeUnavailable:
		return http.StatusFailedDependency
	case CodeTransient:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// Code classifies err, an error returned by the Engine or by one of the
// domain packages, by matching the sentinels it wraps with errors.Is. The
// first matching row wins, in this order:
//
//	Code             HTTP  matches
//	CodeOK           200   nil
//	CodeTransient    503   what IsTransient reports: storage.ErrConflict, storage.ErrUnavailable,
//	                       ErrPlacementInProgress, payment.ErrTransient, shipping.ErrTransient,
//	                       context.DeadlineExceeded (so also ErrDeliveryTimeout)
//	CodeNotFound     404   storage.ErrNotFound and every package's ErrNotFound,
//	                       inventory.ErrUnknownSKU, inventory.ErrUnknownLocation
//	CodeInvalid      422   every field error (order.ErrInvalidOrder and the packages' ErrInvalidInput),
//	                       payment.ErrInvalidAmount, payment.ErrExceedsAuthorized, payment.ErrExceedsCaptured,
//	                       money.ErrMalformedAmount, money.ErrUnknownCurrency, money.ErrCurrencyMismatch,
//	                       storage.ErrInvalidCursor, storage.ErrInvalidValue, ErrIdempotencyKeyRequired, ErrBatchTooLarge,
//	                       ErrIdempotencyKeyReused, the packages' ErrUnknownLine and ErrQuantityExceeded,
//	                       fulfillment.ErrOverPick, fulfillment.ErrPackMismatch
//	CodeConflict     409   every package's ErrInvalidTransition, payment.ErrIdempotencyConflict, ErrShippingInProgress, ErrReturnInProgress,
//	                       ErrPlacementExpired, ErrPaymentNotAuthorized, storage.ErrDuplicate,
//	                       order.ErrFeedbackNotAllowed, order.ErrFeedbackExists, fulfillment.ErrNotFullyPicked,
//	                       returns.ErrNotDelivered, returns.ErrWindowClosed, inventory.ErrReservationClosed,
//	                       payment.ErrAlreadyCaptured, payment.ErrVoided, shipping.ErrVoidNotAllowed
//	CodeUnavailable  424   inventory.ErrInsufficientStock, payment.ErrDeclined, shipping.ErrNoRate,
//	                       ErrNotConfigured
//	CodeInternal     500   anything else, such as inventory.ErrInvalidPlan (an allocator broke its
//	                       contract), payment.ErrUnknownAuthorization, shipping.ErrUnknownTracking
//
// The statuses are chosen so that each code has its own: 422 for a request
// to fix before sending again (RFC 9110's Unprocessable Content: the body
// was read but its content is wrong; 400 is left to an HTTP layer for a
// body it cannot read at all), which is also what the IETF Idempotency-Key
// header draft answers a key reused with another request; 409 for a
// request the resource's current state refuses (RFC 9110: the client may
// resolve the conflict and resubmit); 424 Failed Dependency (RFC 4918) for
// a valid request that failed because what it depends on could not be had:
// the stock, the payer's authorization, a carrier's rate; 503 (with
// Retry-After) for what retrying as it is may fix.
//
// An operation in progress is a conflict unless retrying the same request
// is expected to succeed once it ends: cancelling an order whose placement
// is in progress (ErrPlacementInProgress) does, so it is transient; an order
// being shipped (ErrShippingInProgress) will be shipped, and a return in
// progress (ErrReturnInProgress) waits for the host, so those are conflicts.
func Code(err error) ErrorCode {
	if err == nil {
		return CodeOK
	}
	if isTransient(err) {
		return CodeTransient
	}
	for _, row := range codeTable {
		for _, s := range row.sentinels {
			if errors.Is(err, s) {
				return row.code
			}
		}
	}
	return CodeInternal
}

// codeTable lists, in order, the sentinels that give each code other than
// CodeOK, CodeTransient and CodeInternal. It is never modified.
var codeTable = [...]struct {
	code      ErrorCode
	sentinels []error
}{
	{CodeNotFound, []error{
		storage.ErrNotFound, order.ErrNotFound, payment.ErrNotFound, fulfillment.ErrNotFound,
		shipping.ErrNotFound, returns.ErrNotFound, inventory.ErrUnknownSKU, inventory.ErrUnknownLocation,
	}},
	{CodeInvalid, []error{
		order.ErrInvalidOrder, inventory.ErrInvalidInput, payment.ErrInvalidInput, fulfillment.ErrInvalidInput,
		shipping.ErrInvalidInput, returns.ErrInvalidInput,
		payment.ErrInvalidAmount, payment.ErrExceedsAuthorized, payment.ErrExceedsCaptured,
		money.ErrMalformedAmount, money.ErrUnknownCurrency, money.ErrCurrencyMismatch,
		storage.ErrInvalidCursor, storage.ErrInvalidValue, ErrIdempotencyKeyRequired, ErrBatchTooLarge,
		ErrIdempotencyKeyReused,
		order.ErrUnknownLine, fulfillment.ErrUnknownLine, returns.ErrUnknownLine,
		order.ErrQuantityExceeded, returns.ErrQuantityExceeded, fulfillment.ErrOverPick, fulfillment.ErrPackMismatch,
	}},
	{CodeConflict, []error{
		order.ErrInvalidTransition, payment.ErrInvalidTransition, fulfillment.ErrInvalidTransition,
		shipping.ErrInvalidTransition, returns.ErrInvalidTransition,
		payment.ErrIdempotencyConflict,
		ErrShippingInProgress, ErrReturnInProgress, ErrPlacementExpired, ErrPaymentNotAuthorized, storage.ErrDuplicate,
		order.ErrFeedbackNotAllowed, order.ErrFeedbackExists, fulfillment.ErrNotFullyPicked,
		returns.ErrNotDelivered, returns.ErrWindowClosed, inventory.ErrReservationClosed,
		payment.ErrAlreadyCaptured, payment.ErrVoided, shipping.ErrVoidNotAllowed,
	}},
	{CodeUnavailable, []error{
		inventory.ErrInsufficientStock, payment.ErrDeclined, shipping.ErrNoRate, ErrNotConfigured,
	}},
}

// IsTransient reports whether err is worth retrying as it is: an
// optimistic-concurrency conflict the engine gave up on, a store that was
// unreachable or lost its connection (storage.ErrUnavailable, as in a
// database failover), an order whose placement is still in progress
// (ErrPlacementInProgress), a gateway's or a carrier's transient failure,
// or a deadline that passed. Validation errors, refused transitions,
// declines and shortages are permanent. It reports true exactly when
// [Code] returns CodeTransient.
func IsTransient(err error) bool { return Code(err) == CodeTransient }

func isTransient(err error) bool {
	return errors.Is(err, storage.ErrConflict) ||
		errors.Is(err, storage.ErrUnavailable) ||
		errors.Is(err, ErrPlacementInProgress) ||
		errors.Is(err, payment.ErrTransient) ||
		errors.Is(err, shipping.ErrTransient) ||
		errors.Is(err, context.DeadlineExceeded)
}
