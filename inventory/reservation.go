package inventory

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
)

// ReservationStatus is the state of a reservation.
type ReservationStatus string

// The reservation states. A reservation starts open and ends released or
// shipped.
const (
	ReservationOpen     ReservationStatus = "open"
	ReservationReleased ReservationStatus = "released"
	ReservationShipped  ReservationStatus = "shipped"
)

// Reservation holds Quantity units of a SKU at a location for one order line.
// While open, its units count in the stock level's Reserved.
type Reservation struct {
	ID         uuid.UUID         `json:"id"`
	Tenant     string            `json:"-"`
	OrderID    uuid.UUID         `json:"order_id"`
	LineID     uuid.UUID         `json:"line_id"`
	SKU        string            `json:"sku"`
	LocationID uuid.UUID         `json:"location_id"`
	Quantity   int64             `json:"quantity"`
	Status     ReservationStatus `json:"status"`
	CreatedAt  time.Time         `json:"created_at"`
	UpdatedAt  time.Time         `json:"updated_at"`
	Version    int64             `json:"-"`
}

// NewReservation returns an open reservation created at now.
//
// It returns a [*fielderr.Error] naming "tenant" or "sku" when empty,
// "location_id" or "order_id" when nil, and "quantity" when not positive.
func NewReservation(id uuid.UUID, tenant string, orderID, lineID uuid.UUID, sku string, loc uuid.UUID, qty int64, now time.Time) (*Reservation, error) {
	var fe problems
	if strings.TrimSpace(tenant) == "" {
		fe.Add("tenant", "must not be empty")
	}
	if orderID == uuid.Nil {
		fe.Add("order_id", "must not be nil")
	}
	if strings.TrimSpace(sku) == "" {
		fe.Add("sku", "must not be empty")
	}
	if loc == uuid.Nil {
		fe.Add("location_id", "must not be nil")
	}
	if qty <= 0 {
		fe.Add("quantity", "must be greater than 0")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return &Reservation{
		ID: id, Tenant: tenant, OrderID: orderID, LineID: lineID, SKU: sku,
		LocationID: loc, Quantity: qty, Status: ReservationOpen,
		CreatedAt: now, UpdatedAt: now,
	}, nil
}

// IsOpen reports whether the reservation still holds stock.
func (r *Reservation) IsOpen() bool { return r.Status == ReservationOpen }

// Release marks an open reservation released at now. It returns an error
// matching [ErrReservationClosed] (and leaves r unchanged) when r is not open.
func (r *Reservation) Release(now time.Time) error {
	return r.close(ReservationReleased, now)
}

// MarkShipped marks an open reservation shipped at now. It returns an error
// matching [ErrReservationClosed] (and leaves r unchanged) when r is not open.
func (r *Reservation) MarkShipped(now time.Time) error {
	return r.close(ReservationShipped, now)
}

func (r *Reservation) close(to ReservationStatus, now time.Time) error {
	if r.Status != ReservationOpen {
		return fmt.Errorf("inventory: reservation %s is %s, cannot mark %s: %w", r.ID, r.Status, to, ErrReservationClosed)
	}
	r.Status = to
	r.UpdatedAt = now
	return nil
}

// Clone returns a copy of r that shares no memory with it.
func (r *Reservation) Clone() *Reservation {
	if r == nil {
		return nil
	}
	c := *r
	return &c
}
