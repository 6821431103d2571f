package returns

import (
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/fielderr"
	"github.com/ordersmith/oms/internal/machine"
)

var (
	// ErrInvalidTransition is returned when an event is not allowed in the
	// return's current status. The error is a *TransitionError.
	ErrInvalidTransition = errors.New("returns: invalid transition")
	// ErrNotFound is returned (by stores and engines) when a return does not
	// exist in the tenant.
	ErrNotFound = errors.New("returns: not found")
	// ErrInvalidInput is matched by every *fielderr.Error the package
	// returns, which names each bad field by its JSON path, such as
	// "lines[1].quantity".
	ErrInvalidInput = errors.New("returns: invalid input")
	// ErrNotDelivered is returned by Policy.Check for an order that has not
	// been delivered, so its return window has not opened.
	ErrNotDelivered = errors.New("returns: order not delivered")
	// ErrWindowClosed is returned by Policy.Check after the return window
	// has closed. The error is a *WindowError.
	ErrWindowClosed = errors.New("returns: return window closed")
	// ErrUnknownLine is returned for an order line that is not part of the
	// return. The error is a *LineError.
	ErrUnknownLine = errors.New("returns: unknown line")
	// ErrQuantityExceeded is returned when a received quantity exceeds the
	// requested one, or a resellable quantity the received one. The error is
	// a *QuantityError.
	ErrQuantityExceeded = errors.New("returns: quantity exceeded")
)

// TransitionError reports an event that is not allowed in the return's
// current status. It matches [ErrInvalidTransition] with errors.Is; read
// it with errors.As into a *TransitionError. Its exported fields are:
//
//	Machine string   // "return": the aggregate whose machine refused the event
//	From    Status   // the status the return was in
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

// WindowError reports a return requested after the window closed. It
// matches [ErrWindowClosed].
type WindowError struct {
	// DeliveredAt is when the order was delivered.
	DeliveredAt time.Time
	// Deadline is the last moment a return could be requested.
	Deadline time.Time
}

// Error implements error.
func (e *WindowError) Error() string {
	return fmt.Sprintf("returns: return window closed: delivered %s, deadline was %s",
		e.DeliveredAt.Format(time.RFC3339), e.Deadline.Format(time.RFC3339))
}

// Is reports whether target is ErrWindowClosed.
func (e *WindowError) Is(target error) bool { return target == ErrWindowClosed }

// LineError names an order line that is not part of the return. It matches
// [ErrUnknownLine].
type LineError struct {
	OrderLineID uuid.UUID
}

// Error implements error.
func (e *LineError) Error() string {
	return fmt.Sprintf("returns: order line %s is not part of the return", e.OrderLineID)
}

// Is reports whether target is ErrUnknownLine.
func (e *LineError) Is(target error) bool { return target == ErrUnknownLine }

// QuantityError reports a quantity above its limit on one line. It matches
// [ErrQuantityExceeded].
type QuantityError struct {
	OrderLineID uuid.UUID
	// Field is the quantity that is too large: "Quantity" (received more
	// than requested) or "Resellable" (more resellable than received).
	Field string
	// Got is the quantity given; Max is the limit.
	Got, Max int64
}

// Error implements error.
func (e *QuantityError) Error() string {
	return fmt.Sprintf("returns: line %s: %s %d exceeds %d", e.OrderLineID, e.Field, e.Got, e.Max)
}

// Is reports whether target is ErrQuantityExceeded.
func (e *QuantityError) Is(target error) bool { return target == ErrQuantityExceeded }
