package order

import (
	"errors"
	"fmt"

	"github.com/google/uuid"
)

var (
	// ErrInvalidOrder is matched by every *fielderr.Error the package
	// returns: the input (a draft, a quantity map, a rating, ...) has one or
	// more bad fields, each named by its JSON path.
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
