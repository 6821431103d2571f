package returns

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/internal/machine"
)

var (
	// ErrInvalidTransition is returned when an event is not allowed in the
	// return's current status. The error is a *TransitionError.
	ErrInvalidTransition = errors.New("returns: invalid transition")
	// ErrNotFound is returned (by stores and engines) when a return does not
	// exist in the tenant.
	ErrNotFound = errors.New("returns: not found")
	// ErrInvalidInput is matched by every *ValidationError.
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

// TransitionError reports a return event that is not allowed in the
// return's current status: it carries the status, the refused event and the
// events that are allowed. It matches [ErrInvalidTransition].
type TransitionError = machine.TransitionError[Status, Event]

// FieldError names one bad input field and what is wrong with it.
type FieldError struct {
	// Field is the field's name, e.g. "lines[2].Quantity".
	Field string
	// Problem says what is wrong, e.g. "must be positive".
	Problem string
}

// String returns "field: problem".
func (f FieldError) String() string { return f.Field + ": " + f.Problem }

// ValidationError lists every bad field of an input. It matches
// [ErrInvalidInput] with errors.Is.
type ValidationError struct {
	Fields []FieldError
}

// Error implements error.
func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.String()
	}
	return "returns: invalid input: " + strings.Join(parts, "; ")
}

// Is reports whether target is ErrInvalidInput.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidInput }

// Has reports whether field is among the bad fields.
func (e *ValidationError) Has(field string) bool {
	for _, f := range e.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

// fieldErrors accumulates FieldErrors; err returns nil when there are none.
type fieldErrors []FieldError

func (fe *fieldErrors) add(field, problem string) {
	*fe = append(*fe, FieldError{Field: field, Problem: problem})
}

func (fe fieldErrors) err() error {
	if len(fe) == 0 {
		return nil
	}
	return &ValidationError{Fields: append([]FieldError(nil), fe...)}
}

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
