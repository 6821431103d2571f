package money

import (
	"errors"
	"fmt"
)

var (
	// ErrCurrencyMismatch is returned when two amounts of different
	// currencies are combined or compared.
	ErrCurrencyMismatch = errors.New("money: currency mismatch")
	// ErrUnknownCurrency is returned for a currency code that is not a known
	// ISO 4217 code.
	ErrUnknownCurrency = errors.New("money: unknown currency")
	// ErrMalformedAmount is returned when an amount cannot be parsed as a
	// decimal number.
	ErrMalformedAmount = errors.New("money: malformed amount")
	// ErrInvalidWeights is returned by Allocate when the weights are empty,
	// negative, or sum to zero.
	ErrInvalidWeights = errors.New("money: invalid allocation weights")
)

// MismatchError details a currency mismatch. It matches ErrCurrencyMismatch
// with errors.Is.
type MismatchError struct {
	Op          string
	Left, Right Currency
}

// Error implements error.
func (e *MismatchError) Error() string {
	return fmt.Sprintf("money: %s: currency mismatch: %s and %s", e.Op, e.Left, e.Right)
}

// Is reports whether target is ErrCurrencyMismatch.
func (e *MismatchError) Is(target error) bool { return target == ErrCurrencyMismatch }
