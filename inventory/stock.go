package inventory

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/google/uuid"
)

// StockLevel is the quantity of one SKU at one location: units on hand and
// units reserved for orders. Its invariant is 0 <= Reserved <= OnHand.
type StockLevel struct {
	Tenant     string    `json:"-"`
	SKU        string    `json:"sku"`
	LocationID uuid.UUID `json:"location_id"`
	OnHand     int64     `json:"on_hand"`
	Reserved   int64     `json:"reserved"`
	Version    int64     `json:"-"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Available returns the units that can still be promised: OnHand - Reserved.
func (s StockLevel) Available() int64 { return s.OnHand - s.Reserved }

// MovementKind names why stock moved.
type MovementKind string

// The movement kinds. Each determines how a movement's Quantity changes
// on-hand and reserved (see [NewMovement]).
const (
	// MovementReceive adds received goods to on-hand.
	MovementReceive MovementKind = "receive"
	// MovementAdjust corrects on-hand up or down (a count, damage, loss).
	MovementAdjust MovementKind = "adjust"
	// MovementReserve holds units for an order.
	MovementReserve MovementKind = "reserve"
	// MovementRelease gives held units back.
	MovementRelease MovementKind = "release"
	// MovementShip removes held units that left the building.
	MovementShip MovementKind = "ship"
	// MovementRestock puts returned goods back on hand.
	MovementRestock MovementKind = "restock"
)

// MovementKinds lists every movement kind.
func MovementKinds() []MovementKind {
	return []MovementKind{MovementReceive, MovementAdjust, MovementReserve, MovementRelease, MovementShip, MovementRestock}
}

// Valid reports whether k is a known movement kind.
func (k MovementKind) Valid() bool {
	switch k {
	case MovementReceive, MovementAdjust, MovementReserve, MovementRelease, MovementShip, MovementRestock:
		return true
	}
	return false
}

// Movement is one entry of the stock ledger: a change of one stock level.
type Movement struct {
	ID         uuid.UUID    `json:"id"`
	Tenant     string       `json:"-"`
	SKU        string       `json:"sku"`
	LocationID uuid.UUID    `json:"location_id"`
	Kind       MovementKind `json:"kind"`
	// Quantity is the number of units moved: > 0 for every kind except
	// adjust, which is positive (found) or negative (lost) but never 0.
	Quantity int64 `json:"quantity"`
	// OnHandDelta and ReservedDelta are the changes the movement makes,
	// derived from Kind and Quantity by NewMovement.
	OnHandDelta   int64 `json:"on_hand_delta"`
	ReservedDelta int64 `json:"reserved_delta"`
	// OnHandAfter and ReservedAfter are the level after the movement, filled
	// by StockLevel.Apply.
	OnHandAfter   int64 `json:"on_hand_after"`
	ReservedAfter int64 `json:"reserved_after"`
	// OrderID is the related order, or uuid.Nil.
	OrderID uuid.UUID `json:"order_id"`
	Reason  string    `json:"reason"`
	At      time.Time `json:"at"`
}

// deltas returns the on-hand and reserved changes of kind for qty.
func deltas(kind MovementKind, qty int64) (onHand, reserved int64) {
	switch kind {
	case MovementReceive, MovementRestock, MovementAdjust:
		return qty, 0
	case MovementReserve:
		return 0, qty
	case MovementRelease:
		return 0, -qty
	case MovementShip:
		return -qty, -qty
	}
	return 0, 0
}

// checkMovement records in fe every problem with kind, qty and sku.
func checkMovement(fe *problems, sku string, kind MovementKind, qty int64) {
	if strings.TrimSpace(sku) == "" {
		fe.Add("sku", "must not be empty")
	}
	switch {
	case !kind.Valid():
		fe.Add("kind", fmt.Sprintf("unknown movement kind %q", kind))
	case kind == MovementAdjust:
		if qty == 0 {
			fe.Add("quantity", "must not be 0")
		} else if qty == math.MinInt64 {
			fe.Add("quantity", "out of range")
		}
	case qty <= 0:
		fe.Add("quantity", "must be greater than 0")
	}
}

// NewMovement builds a movement and derives its deltas from kind and qty:
// receive and restock (+qty, 0), adjust (qty, 0) with qty positive or
// negative, reserve (0, +qty), release (0, -qty), ship (-qty, -qty).
//
// It returns a [*fielderr.Error] naming "sku" when sku is empty, "kind" when
// kind is unknown, and "quantity" when qty <= 0 (for adjust: when qty == 0).
func NewMovement(id uuid.UUID, tenant, sku string, loc uuid.UUID, kind MovementKind, qty int64, orderID uuid.UUID, reason string, at time.Time) (Movement, error) {
	var fe problems
	checkMovement(&fe, sku, kind, qty)
	if err := fe.Err(); err != nil {
		return Movement{}, err
	}
	dOn, dRes := deltas(kind, qty)
	return Movement{
		ID:            id,
		Tenant:        tenant,
		SKU:           sku,
		LocationID:    loc,
		Kind:          kind,
		Quantity:      qty,
		OnHandDelta:   dOn,
		ReservedDelta: dRes,
		OrderID:       orderID,
		Reason:        reason,
		At:            at,
	}, nil
}

// Apply returns the level after movement m and m with OnHandAfter and
// ReservedAfter filled. It is pure: s is never changed. UpdatedAt becomes
// m.At; Version is left to storage.
//
// A zero-identity level (empty Tenant and SKU, nil LocationID) takes m's
// identity, so the first movement of a SKU at a location can be applied to
// StockLevel{}.
//
// Errors:
//   - a [*ShortageError] with one [Shortage] (matching [ErrInsufficientStock])
//     when the result would have OnHand < 0, Reserved < 0 or Reserved > OnHand;
//   - a [*fielderr.Error] (matching [ErrInvalidInput]) when m is not a valid
//     movement (as NewMovement checks), its deltas do not match its kind and
//     quantity, it belongs to another tenant, SKU or location than s, or the
//     result would overflow.
func (s StockLevel) Apply(m Movement) (StockLevel, Movement, error) {
	var fe problems
	if checkMovement(&fe, m.SKU, m.Kind, m.Quantity); fe.Err() == nil {
		if dOn, dRes := deltas(m.Kind, m.Quantity); dOn != m.OnHandDelta || dRes != m.ReservedDelta {
			fe.Add("deltas", "do not match kind and quantity; build movements with NewMovement")
		}
	}
	zeroIdentity := s.Tenant == "" && s.SKU == "" && s.LocationID == uuid.Nil
	if !zeroIdentity {
		if m.Tenant != s.Tenant {
			fe.Add("tenant", "movement is for another tenant than the stock level")
		}
		if m.SKU != s.SKU {
			fe.Add("sku", "movement is for another SKU than the stock level")
		}
		if m.LocationID != s.LocationID {
			fe.Add("location_id", "movement is for another location than the stock level")
		}
	}
	if err := fe.Err(); err != nil {
		return s, m, err
	}

	onHand, ok1 := addChecked(s.OnHand, m.OnHandDelta)
	reserved, ok2 := addChecked(s.Reserved, m.ReservedDelta)
	if !ok1 || !ok2 {
		fe := invalid()
		fe.Add("quantity", "overflows the stock level")
		return s, m, fe
	}
	if onHand < 0 || reserved < 0 || reserved > onHand {
		return s, m, &ShortageError{Shortages: []Shortage{shortageFor(s, m)}}
	}

	next := s
	if zeroIdentity {
		next.Tenant, next.SKU, next.LocationID = m.Tenant, m.SKU, m.LocationID
	}
	next.OnHand, next.Reserved = onHand, reserved
	next.UpdatedAt = m.At
	m.OnHandAfter, m.ReservedAfter = onHand, reserved
	return next, m, nil
}

// shortageFor describes why m cannot be applied to s: the units m needs from
// the pool it draws on, and how many that pool holds.
func shortageFor(s StockLevel, m Movement) Shortage {
	requested := m.Quantity
	var available int64
	switch m.Kind {
	case MovementRelease:
		available = s.Reserved
	case MovementShip:
		available = min(s.Reserved, s.OnHand)
	case MovementAdjust:
		if requested < 0 {
			requested = -requested
		}
		available = min(s.OnHand, s.Available())
	default: // reserve; receive and restock only fail on a level already broken
		available = s.Available()
	}
	return Shortage{SKU: m.SKU, Requested: requested, Available: max(0, available)}
}

// addChecked returns a+b and whether it did not overflow.
func addChecked(a, b int64) (int64, bool) {
	c := a + b
	if (b > 0 && c < a) || (b < 0 && c > a) {
		return 0, false
	}
	return c, true
}

// ATP returns the available-to-promise quantity per SKU: the sum of
// Available over the levels at active locations. Levels at inactive or
// unlisted locations are ignored, a level with negative availability counts
// as 0, and sums saturate at math.MaxInt64, so no value is ever negative.
// Every SKU with a level at an active location has an entry, possibly 0.
func ATP(levels []StockLevel, locations []Location) map[string]int64 {
	active := make(map[uuid.UUID]bool, len(locations))
	for _, l := range locations {
		if l.Active {
			active[l.ID] = true
		}
	}
	out := make(map[string]int64)
	for _, lv := range levels {
		if !active[lv.LocationID] {
			continue
		}
		out[lv.SKU] = addSaturating(out[lv.SKU], max(0, lv.Available()))
	}
	return out
}

// addSaturating adds two non-negative numbers, capping at math.MaxInt64.
func addSaturating(a, b int64) int64 {
	if c, ok := addChecked(a, b); ok {
		return c
	}
	return math.MaxInt64
}
