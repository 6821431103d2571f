package inventory

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ordersmith/oms/fielderr"
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
	// ErrInvalidInput is matched by every *fielderr.Error the package
	// returns, which names each bad field by its JSON path.
	ErrInvalidInput = errors.New("inventory: invalid input")
)

// invalid returns an empty field error matching [ErrInvalidInput].
func invalid() *fielderr.Error { return fielderr.New(ErrInvalidInput) }

// problems collects field problems into the *fielderr.Error invalid
// returns, made at the first problem: a valid input allocates nothing.
type problems struct{ fe *fielderr.Error }

// Add records a problem with the field at path.
func (p *problems) Add(path, problem string) {
	if p.fe == nil {
		p.fe = invalid()
	}
	p.fe.Add(path, problem)
}

// Err returns the problems as an error, or nil when there are none.
func (p *problems) Err() error { return p.fe.Err() }

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
