package returns

import (
	"fmt"

	"github.com/google/uuid"
)

// Placement is a number of units of one order line at one location: where
// they shipped from, or where a return put them back on hand.
type Placement struct {
	OrderLineID uuid.UUID `json:"order_line_id"`
	SKU         string    `json:"sku"`
	LocationID  uuid.UUID `json:"location_id"`
	Quantity    int64     `json:"quantity"`
}

// Pending returns, per order line, the units asked back by the returns
// still open (requested or approved): units a new request cannot ask for
// again until those are received, rejected or closed.
func Pending(prior []*Return) map[uuid.UUID]int64 {
	out := make(map[uuid.UUID]int64)
	for _, r := range prior {
		if r.Status != StatusRequested && r.Status != StatusApproved {
			continue
		}
		for _, l := range r.Lines {
			out[l.OrderLineID] += l.Quantity
		}
	}
	return out
}

// PlanRestock says where r's resellable units go back on hand, so that
// every location's count stays true: each line fills the places it shipped
// from (shipped, in its order) back up to what shipped there, less what
// earlier returns already put back (earlier), and any rest goes to the
// first place the line shipped from. Room is counted per SKU and location,
// as stock is. Lines are planned in r's order, for a stable ledger.
//
// It returns an error wrapping ErrUnknownLine for a line with resellable
// units that shipped from nowhere, and no plan.
func (r *Return) PlanRestock(shipped, earlier []Placement) ([]Placement, error) {
	type place struct {
		sku string
		loc uuid.UUID
	}
	room := make(map[place]int64) // units shipped from a place and not yet put back
	for _, s := range shipped {
		room[place{s.SKU, s.LocationID}] += s.Quantity
	}
	for _, e := range earlier {
		room[place{e.SKU, e.LocationID}] -= e.Quantity
	}
	var plan []Placement
	add := func(lineID uuid.UUID, p place, qty int64) {
		plan = append(plan, Placement{OrderLineID: lineID, SKU: p.sku, LocationID: p.loc, Quantity: qty})
	}
	for _, l := range r.Lines {
		qty := l.Resellable
		if qty <= 0 {
			continue
		}
		var first *place
		for _, s := range shipped {
			if s.OrderLineID != l.OrderLineID {
				continue
			}
			p := place{s.SKU, s.LocationID}
			if first == nil {
				first = &p
			}
			if n := min(qty, room[p]); n > 0 {
				add(l.OrderLineID, p, n)
				room[p] -= n
				qty -= n
			}
			if qty == 0 {
				break
			}
		}
		if qty == 0 {
			continue
		}
		if first == nil {
			return nil, fmt.Errorf("restock line %s: it shipped from no location: %w", l.OrderLineID, ErrUnknownLine)
		}
		// More back than shipped from these places: the first one takes
		// the rest.
		add(l.OrderLineID, *first, qty)
	}
	return plan, nil
}
