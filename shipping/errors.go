package shipping

import (
	"errors"
	"strings"

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
	// ErrInvalidInput is matched by every *ValidationError.
	ErrInvalidInput = errors.New("shipping: invalid input")
)

// TransitionError reports a shipment event that is not allowed in the
// shipment's current status: it carries the status, the refused event and
// the events that are allowed. It matches [ErrInvalidTransition].
type TransitionError = machine.TransitionError[Status, Event]

// FieldError names one bad input field and what is wrong with it.
type FieldError struct {
	// Field is the field's name, e.g. "Parcels[1].WeightGrams".
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
	return "shipping: invalid input: " + strings.Join(parts, "; ")
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
