package order

import (
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
)

var (
	// ErrInvalidOrder is matched by every *ValidationError: the input (a
	// draft, a quantity map, a rating, ...) has one or more bad fields.
	ErrInvalidOrder = errors.New("order: invalid order")
	// ErrInvalidTransition is matched by every *TransitionError: the event is
	// not allowed in the order's current status.
	ErrInvalidTransition = errors.New("order: invalid transition")
	// ErrNotFound reports that no order exists with the requested ID in the
	// requested tenant. The domain package never returns it; the engine wraps
	// it together with storage.ErrNotFound.
	ErrNotFound = errors.New("order: not found")
	// ErrFeedbackNotAllowed is matched by *FeedbackNotAllowedError: feedback
	// can only be left once the order has been delivered.
	ErrFeedbackNotAllowed = errors.New("order: feedback not allowed")
	// ErrFeedbackExists reports that the order already has feedback; it can
	// be left only once.
	ErrFeedbackExists = errors.New("order: feedback already left")
	// ErrUnknownLine reports a line ID that does not belong to the order.
	ErrUnknownLine = errors.New("order: unknown line")
	// ErrQuantityExceeded is matched by *QuantityError: more units were
	// shipped, returned or apportioned than a line has available.
	ErrQuantityExceeded = errors.New("order: quantity exceeded")
)

// FieldError names one bad input field and what is wrong with it.
type FieldError struct {
	// Field is the path of the field, e.g. "lines[1].unit_price" or
	// "shipping_address.city".
	Field string `json:"field"`
	// Problem says what is wrong, e.g. "must be positive".
	Problem string `json:"problem"`
}

// String returns "field: problem".
func (f FieldError) String() string { return f.Field + ": " + f.Problem }

// ValidationError lists every bad field of an input at once. It matches
// ErrInvalidOrder with errors.Is. The zero value is an empty list, ready to
// use with Add.
type ValidationError struct {
	// Fields lists the problems in the order they were found.
	Fields []FieldError `json:"fields"`
}

// Error implements error, listing every field problem.
func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.String()
	}
	return "order: invalid order: " + strings.Join(parts, "; ")
}

// Is reports whether target is ErrInvalidOrder.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidOrder }

// Add appends a problem with field.
func (e *ValidationError) Add(field, problem string) {
	e.Fields = append(e.Fields, FieldError{Field: field, Problem: problem})
}

// Has reports whether field has at least one problem listed.
func (e *ValidationError) Has(field string) bool {
	if e == nil {
		return false
	}
	for _, f := range e.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

// Err returns e as an error, or nil when e is nil or lists no problem.
func (e *ValidationError) Err() error {
	if e == nil || len(e.Fields) == 0 {
		return nil
	}
	return e
}

// QuantityError reports that a request needs more units of a line than it
// has available. It matches ErrQuantityExceeded with errors.Is.
type QuantityError struct {
	// Line is the line's ID.
	Line uuid.UUID
	// SKU is the line's SKU.
	SKU string
	// Op is what was attempted: "ship", "return" or "share".
	Op string
	// Requested is the number of units the operation would reach.
	Requested int64
	// Available is the number of units the line allows.
	Available int64
}

// Error implements error.
func (e *QuantityError) Error() string {
	return fmt.Sprintf("order: %s %d units of line %s (%s): only %d available", e.Op, e.Requested, e.Line, e.SKU, e.Available)
}

// Is reports whether target is ErrQuantityExceeded.
func (e *QuantityError) Is(target error) bool { return target == ErrQuantityExceeded }

// FeedbackNotAllowedError reports feedback left on an order in a status that
// does not accept it. It matches ErrFeedbackNotAllowed with errors.Is.
type FeedbackNotAllowedError struct {
	// Status is the order's status at the time.
	Status Status
}

// Error implements error.
func (e *FeedbackNotAllowedError) Error() string {
	return fmt.Sprintf("order: feedback not allowed when %s", e.Status)
}

// Is reports whether target is ErrFeedbackNotAllowed.
func (e *FeedbackNotAllowedError) Is(target error) bool { return target == ErrFeedbackNotAllowed }
