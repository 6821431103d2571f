package fulfillment

import (
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/fielderr"
)

var (
	// ErrInvalidTransition is returned when an event is not allowed in the
	// fulfillment's current status. The error is a *TransitionError.
	ErrInvalidTransition = errors.New("fulfillment: invalid transition")
	// ErrNotFound is returned (by stores and engines) when a fulfillment
	// order does not exist in the tenant.
	ErrNotFound = errors.New("fulfillment: not found")
	// ErrInvalidInput is returned for malformed arguments. The error is a
	// *fielderr.Error naming each bad field by its JSON path.
	ErrInvalidInput = errors.New("fulfillment: invalid input")
	// ErrOverPick is returned when a pick exceeds the quantity left to pick
	// on a line. The error is a *QuantityError.
	ErrOverPick = errors.New("fulfillment: more picked than ordered")
	// ErrNotFullyPicked is returned by Pack while some line is not fully
	// picked.
	ErrNotFullyPicked = errors.New("fulfillment: not fully picked")
	// ErrPackMismatch is returned when the packages' lines do not add up to
	// the picked quantities. The error is a *PackMismatchError.
	ErrPackMismatch = errors.New("fulfillment: packed quantities do not match picked")
	// ErrUnknownLine is returned for an order line the fulfillment does not
	// hold. The error is an *UnknownLineError.
	ErrUnknownLine = errors.New("fulfillment: unknown order line")
)

// invalid returns an empty field error matching [ErrInvalidInput].
func invalid() *fielderr.Error { return fielderr.New(ErrInvalidInput) }

// invalidField returns a field error matching [ErrInvalidInput] that names
// one field.
func invalidField(path, problem string) error { return fielderr.Of(ErrInvalidInput, path, problem) }

// QuantityError details an over-pick. It matches [ErrOverPick].
type QuantityError struct {
	// OrderLineID is the line over-picked.
	OrderLineID uuid.UUID
	// SKU is the line's SKU.
	SKU string
	// Requested is the quantity the call tried to pick (summed over the
	// call's picks of this line).
	Requested int64
	// Remaining is the quantity that was left to pick.
	Remaining int64
}

// Error implements error.
func (e *QuantityError) Error() string {
	return fmt.Sprintf("fulfillment: line %s (%s): pick %d, only %d left to pick", e.OrderLineID, e.SKU, e.Requested, e.Remaining)
}

// Unwrap returns ErrOverPick.
func (e *QuantityError) Unwrap() error { return ErrOverPick }

// UnknownLineError names an order line the fulfillment does not hold. It
// matches [ErrUnknownLine].
type UnknownLineError struct {
	// OrderLineID is the unknown line.
	OrderLineID uuid.UUID
}

// Error implements error.
func (e *UnknownLineError) Error() string {
	return fmt.Sprintf("fulfillment: order line %s is not in this fulfillment", e.OrderLineID)
}

// Unwrap returns ErrUnknownLine.
func (e *UnknownLineError) Unwrap() error { return ErrUnknownLine }

// LineMismatch is one line whose packed quantity differs from its picked
// quantity.
type LineMismatch struct {
	// OrderLineID is the mismatched line.
	OrderLineID uuid.UUID
	// SKU is the line's SKU.
	SKU string
	// Picked is the quantity picked (what must be packed).
	Picked int64
	// Packed is the quantity the packages hold.
	Packed int64
}

// PackMismatchError lists the lines whose packed quantities differ from
// the picked ones. It matches [ErrPackMismatch].
type PackMismatchError struct {
	// Lines lists the mismatched lines in fulfillment line order.
	Lines []LineMismatch
}

// Error implements error.
func (e *PackMismatchError) Error() string {
	parts := make([]string, len(e.Lines))
	for i, l := range e.Lines {
		parts[i] = fmt.Sprintf("%s (%s) picked %d, packed %d", l.OrderLineID, l.SKU, l.Picked, l.Packed)
	}
	return "fulfillment: packed quantities do not match picked: " + strings.Join(parts, "; ")
}

// Unwrap returns ErrPackMismatch.
func (e *PackMismatchError) Unwrap() error { return ErrPackMismatch }
