package inventory

import (
	"errors"
	"fmt"
	"strings"
)

var (
	// ErrInsufficientStock is matched by errors that refuse a change because
	// there is not enough stock; the detail is a [*ShortageError].
	ErrInsufficientStock = errors.New("inventory: insufficient stock")
	// ErrUnknownSKU reports a SKU that is not a catalogue [Item] of the tenant.
	ErrUnknownSKU = errors.New("inventory: unknown SKU")
	// ErrUnknownLocation reports a location ID that is not a [Location] of the
	// tenant.
	ErrUnknownLocation = errors.New("inventory: unknown location")
	// ErrReservationClosed is returned when a reservation that is no longer
	// open is released or shipped.
	ErrReservationClosed = errors.New("inventory: reservation closed")
	// ErrInvalidInput is matched by every [*ValidationError].
	ErrInvalidInput = errors.New("inventory: invalid input")
)

// FieldError names one bad input field and what is wrong with it.
type FieldError struct {
	// Field is the field's name, e.g. "code" or "lines[2].quantity".
	Field string
	// Problem says what is wrong, e.g. "must not be empty".
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
	return "inventory: invalid input: " + strings.Join(parts, "; ")
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

// Shortage is the shortfall of one SKU: how many units were requested and how
// many were available.
type Shortage struct {
	SKU       string
	Requested int64
	Available int64
}

// ShortageError lists every SKU that is short. It matches
// [ErrInsufficientStock] with errors.Is.
type ShortageError struct {
	Shortages []Shortage
}

// Error implements error; it lists every shortage.
func (e *ShortageError) Error() string {
	parts := make([]string, len(e.Shortages))
	for i, s := range e.Shortages {
		parts[i] = fmt.Sprintf("%s requested %d, available %d", s.SKU, s.Requested, s.Available)
	}
	return "inventory: insufficient stock: " + strings.Join(parts, "; ")
}

// Is reports whether target is ErrInsufficientStock.
func (e *ShortageError) Is(target error) bool { return target == ErrInsufficientStock }
