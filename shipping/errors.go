package shipping

import (
	"errors"

	"github.com/ordersmith/oms/fielderr"
	"github.com/ordersmith/oms/internal/machine"
)

var (
	// ErrInvalidTransition is returned when an event is not allowed in the
	// shipment's current status. The error is a *TransitionError.
	ErrInvalidTransition = errors.New("shipping: invalid transition")
	// ErrNotFound is returned (by stores and engines) when a shipment does not
	// exist in the tenant.
	ErrNotFound = errors.New("shipping: not found")
	// ErrNoRate is returned when no carrier service covers the destination,
	// weight, currency or delivery deadline asked for.
	ErrNoRate = errors.New("shipping: no rate")
	// ErrUnknownTracking is returned by a carrier for a tracking number it did
	// not issue.
	ErrUnknownTracking = errors.New("shipping: unknown tracking number")
	// ErrVoidNotAllowed is returned by a carrier asked to void a label whose
	// parcel is already moving (in transit or later).
	ErrVoidNotAllowed = errors.New("shipping: void not allowed")
	// ErrTransient is a retryable carrier failure (timeout, 5xx, rate limit):
	// retrying with the same idempotency key is safe.
	ErrTransient = errors.New("shipping: transient carrier failure")
	// ErrInvalidInput is matched by every *fielderr.Error the package
	// returns, which names each bad field by its JSON path, such as
	// "parcels[1].weight_grams".
	ErrInvalidInput = errors.New("shipping: invalid input")
)

// TransitionError reports an event that is not allowed in the shipment's
// current status. It matches [ErrInvalidTransition] with errors.Is; read
// it with errors.As into a *TransitionError. Its exported fields are:
//
//	Machine string   // "shipment": the aggregate whose machine refused the event
//	From    Status   // the status the shipment was in
//	Event   Event    // the event that was refused
//	Allowed []Event  // the events allowed in From, sorted
//
// (It is an alias of a generic type in an internal package, so go doc
// shows these fields here rather than on the type.)
type TransitionError = machine.TransitionError[Status, Event]

// invalid returns an empty field error matching [ErrInvalidInput].
func invalid() *fielderr.Error { return fielderr.New(ErrInvalidInput) }

// invalidField returns a field error matching [ErrInvalidInput] that names
// one field.
func invalidField(path, problem string) error { return fielderr.Of(ErrInvalidInput, path, problem) }
