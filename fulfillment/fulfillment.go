package fulfillment

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/google/uuid"
)

// Line is one order line to fulfil from the location.
type Line struct {
	// OrderLineID is the order line this fulfils; unique in a fulfillment.
	OrderLineID uuid.UUID `json:"order_line_id"`
	// SKU is the item's stock keeping unit.
	SKU string `json:"sku"`
	// Quantity is the quantity to ship from this location.
	Quantity int64 `json:"quantity"`
	// Picked is the quantity picked so far, 0 ≤ Picked ≤ Quantity.
	Picked int64 `json:"picked"`
}

// PackageLine is a quantity of one order line in a package.
type PackageLine struct {
	// OrderLineID is the order line packed.
	OrderLineID uuid.UUID `json:"order_line_id"`
	// SKU is the line's SKU (filled in by Pack when left empty).
	SKU string `json:"sku"`
	// Quantity is the quantity of the line in the package, positive.
	Quantity int64 `json:"quantity"`
}

// Package is one parcel of a packed fulfillment.
type Package struct {
	// ID identifies the package (from Pack's newID).
	ID uuid.UUID `json:"id"`
	// WeightGrams is the gross weight, always positive.
	WeightGrams int64 `json:"weight_grams"`
	// LengthCm, WidthCm and HeightCm are the outer dimensions; 0 means
	// unknown.
	LengthCm int64 `json:"length_cm"`
	WidthCm  int64 `json:"width_cm"`
	HeightCm int64 `json:"height_cm"`
	// Lines lists what the package holds.
	Lines []PackageLine `json:"lines"`
}

// FulfillmentOrder is the part of an order shipped from one location.
type FulfillmentOrder struct {
	// ID identifies the fulfillment (uuid v7, chosen by the caller).
	ID uuid.UUID `json:"id"`
	// Tenant is the merchant the fulfillment belongs to.
	Tenant string `json:"-"`
	// Version is the storage version; storage bumps it, domain code does not.
	Version int64 `json:"-"`
	// OrderID is the order fulfilled.
	OrderID uuid.UUID `json:"order_id"`
	// LocationID is the location that picks, packs and ships.
	LocationID uuid.UUID `json:"location_id"`
	// Status is the lifecycle state; it changes only through the machine.
	Status Status `json:"status"`
	// Lines lists the order lines to fulfil, in the order given to New.
	Lines []Line `json:"lines"`
	// Packages lists the parcels, set by Pack.
	Packages []Package `json:"packages"`
	// ShipmentID is the shipment that carried the packages; uuid.Nil until
	// shipped.
	ShipmentID uuid.UUID `json:"shipment_id"`
	// ShippingAttempt counts the claims for shipping: BeginShipping
	// increments it, so each attempt can buy its label and capture its
	// payment under keys of its own.
	ShippingAttempt int `json:"shipping_attempt"`
	// CreatedAt is when the fulfillment was created.
	CreatedAt time.Time `json:"created_at"`
	// UpdatedAt is when the fulfillment last changed.
	UpdatedAt time.Time `json:"updated_at"`
}

// New returns a pending fulfillment of lines of order orderID from location
// locationID. Lines must be non-empty, each with a distinct non-nil
// OrderLineID, a SKU, a positive Quantity and Picked 0. It returns a
// *fielderr.Error (matching [ErrInvalidInput]) naming every invalid
// argument. The lines are copied.
func New(id uuid.UUID, tenant string, orderID, locationID uuid.UUID, lines []Line, now time.Time) (*FulfillmentOrder, error) {
	v := invalid()
	v.Check(id != uuid.Nil, "id", "required")
	v.Check(tenant != "", "tenant", "required")
	v.Check(orderID != uuid.Nil, "order_id", "required")
	v.Check(locationID != uuid.Nil, "location_id", "required")
	v.Check(len(lines) > 0, "lines", "at least one line is required")
	v.Check(!now.IsZero(), "now", "required")
	seen := make(map[uuid.UUID]bool, len(lines))
	for i, l := range lines {
		field := fmt.Sprintf("lines[%d]", i)
		switch {
		case l.OrderLineID == uuid.Nil:
			v.Add(field+".order_line_id", "required")
		case seen[l.OrderLineID]:
			v.Add(field+".order_line_id", fmt.Sprintf("duplicate order line %s", l.OrderLineID))
		}
		seen[l.OrderLineID] = true
		v.Check(l.SKU != "", field+".sku", "required")
		v.Check(l.Quantity > 0, field+".quantity", fmt.Sprintf("must be positive, got %d", l.Quantity))
		v.Check(l.Picked == 0, field+".picked", fmt.Sprintf("must be 0 on a new fulfillment, got %d", l.Picked))
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return &FulfillmentOrder{
		ID:         id,
		Tenant:     tenant,
		OrderID:    orderID,
		LocationID: locationID,
		Status:     StatusPending,
		Lines:      slices.Clone(lines),
		CreatedAt:  now,
		UpdatedAt:  now,
	}, nil
}

// line returns the index of the line for orderLineID, or -1.
func (f *FulfillmentOrder) line(orderLineID uuid.UUID) int {
	return slices.IndexFunc(f.Lines, func(l Line) bool { return l.OrderLineID == orderLineID })
}

// PickItem is one entry of a pick list: a quantity still to pick.
type PickItem struct {
	// OrderLineID is the order line to pick for.
	OrderLineID uuid.UUID
	// SKU is the item to pick.
	SKU string
	// Quantity is the quantity left to pick.
	Quantity int64
}

// PickList is what is left to pick for a fulfillment at its location.
type PickList struct {
	// FulfillmentID is the fulfillment picked for.
	FulfillmentID uuid.UUID
	// LocationID is where to pick.
	LocationID uuid.UUID
	// Items lists the lines with something left to pick, sorted by SKU
	// then order line ID.
	Items []PickItem
}

// PickList returns the quantities left to pick, sorted by SKU then order
// line. Fully picked lines are left out; a fully picked fulfillment has an
// empty list.
func (f *FulfillmentOrder) PickList() PickList {
	items := make([]PickItem, 0, len(f.Lines))
	for _, l := range f.Lines {
		if rest := l.Quantity - l.Picked; rest > 0 {
			items = append(items, PickItem{OrderLineID: l.OrderLineID, SKU: l.SKU, Quantity: rest})
		}
	}
	slices.SortFunc(items, func(a, b PickItem) int {
		return cmp.Or(cmp.Compare(a.SKU, b.SKU), bytes.Compare(a.OrderLineID[:], b.OrderLineID[:]))
	})
	return PickList{FulfillmentID: f.ID, LocationID: f.LocationID, Items: items}
}

// Pick is a quantity picked for one order line.
type Pick struct {
	// OrderLineID is the order line picked for.
	OrderLineID uuid.UUID
	// Quantity is the quantity picked, positive.
	Quantity int64
}

// Pick adds picked quantities; several picks of one line in a call add up.
// The first pick of a pending fulfillment fires start_picking. It returns a
// *TransitionError (matching [ErrInvalidTransition]) unless the fulfillment
// is pending or picking, a *fielderr.Error (matching [ErrInvalidInput]) for
// no picks, a quantity ≤ 0 or a nil line ID, an *UnknownLineError (matching
// [ErrUnknownLine]) for a line not in the fulfillment, or a *QuantityError
// (matching [ErrOverPick]) when a line would be picked beyond its quantity.
// Everything is checked before anything changes.
func (f *FulfillmentOrder) Pick(ctx context.Context, picks []Pick, now time.Time) error {
	if f.Status != StatusPicking {
		if err := lifecycle.Check(f.Status, EventStartPicking); err != nil {
			return err
		}
	}
	v := invalid()
	v.Check(len(picks) > 0, "picks", "at least one pick is required")
	v.Check(!now.IsZero(), "now", "required")
	for i, p := range picks {
		v.Check(p.OrderLineID != uuid.Nil, fmt.Sprintf("picks[%d].order_line_id", i), "required")
		v.Check(p.Quantity > 0, fmt.Sprintf("picks[%d].quantity", i), fmt.Sprintf("must be positive, got %d", p.Quantity))
	}
	if err := v.Err(); err != nil {
		return err
	}
	add := make(map[int]int64, len(picks))
	over := make(map[int]bool)
	var order []int
	for _, p := range picks {
		i := f.line(p.OrderLineID)
		if i < 0 {
			return &UnknownLineError{OrderLineID: p.OrderLineID}
		}
		if _, ok := add[i]; !ok {
			order = append(order, i)
		}
		var ok bool
		if add[i], ok = addQty(add[i], p.Quantity); !ok {
			over[i] = true
		}
	}
	for _, i := range order {
		l := f.Lines[i]
		if rest := l.Quantity - l.Picked; add[i] > rest || over[i] {
			return &QuantityError{OrderLineID: l.OrderLineID, SKU: l.SKU, Requested: add[i], Remaining: rest}
		}
	}
	if f.Status == StatusPending {
		next, err := lifecycle.Fire(ctx, f.Status, EventStartPicking)
		if err != nil {
			return err
		}
		f.Status = next
	}
	for _, i := range order {
		f.Lines[i].Picked += add[i]
	}
	f.UpdatedAt = now
	return nil
}

// addQty adds non-negative quantities, saturating at math.MaxInt64; ok is
// false when the sum overflowed.
func addQty(a, b int64) (sum int64, ok bool) {
	if b > math.MaxInt64-a {
		return math.MaxInt64, false
	}
	return a + b, true
}

// FullyPicked reports whether every line is picked to its quantity.
func (f *FulfillmentOrder) FullyPicked() bool {
	for _, l := range f.Lines {
		if l.Picked != l.Quantity {
			return false
		}
	}
	return true
}

// PackageDraft describes a package to record with Pack.
type PackageDraft struct {
	// WeightGrams must be positive.
	WeightGrams int64
	// LengthCm, WidthCm and HeightCm are optional (0 = unknown), never
	// negative.
	LengthCm, WidthCm, HeightCm int64
	// Lines must be non-empty; a line's SKU may be left empty and is then
	// taken from the fulfillment line.
	Lines []PackageLine
}

// Pack records the packages and fires pack. newID supplies one package ID
// per draft, called only once everything is valid. The drafts' lines must
// add up, per order line, exactly to the picked quantities. It returns a
// *TransitionError (matching [ErrInvalidTransition]) unless the
// fulfillment is picking, an error matching [ErrNotFullyPicked] while some
// line is not fully picked, a *fielderr.Error (matching [ErrInvalidInput])
// for no packages, a nil newID, a weight ≤ 0, a negative dimension, a
// package without lines, a quantity ≤ 0, a SKU not matching its line, or
// nil or duplicate IDs from newID, an *UnknownLineError (matching
// [ErrUnknownLine]), or a *PackMismatchError (matching [ErrPackMismatch])
// listing the lines whose packed quantity differs from the picked one.
func (f *FulfillmentOrder) Pack(ctx context.Context, newID func() uuid.UUID, packages []PackageDraft, now time.Time) error {
	if err := lifecycle.Check(f.Status, EventPack); err != nil {
		return err
	}
	if !f.FullyPicked() {
		left := 0
		for _, it := range f.PickList().Items {
			left += int(it.Quantity)
		}
		return fmt.Errorf("fulfillment: %d units left to pick: %w", left, ErrNotFullyPicked)
	}
	v := invalid()
	v.Check(newID != nil, "new_id", "required")
	v.Check(len(packages) > 0, "packages", "at least one package is required")
	v.Check(!now.IsZero(), "now", "required")
	for i, p := range packages {
		field := fmt.Sprintf("packages[%d]", i)
		v.Check(p.WeightGrams > 0, field+".weight_grams", fmt.Sprintf("must be positive, got %d", p.WeightGrams))
		v.Check(p.LengthCm >= 0, field+".length_cm", "must not be negative")
		v.Check(p.WidthCm >= 0, field+".width_cm", "must not be negative")
		v.Check(p.HeightCm >= 0, field+".height_cm", "must not be negative")
		v.Check(len(p.Lines) > 0, field+".lines", "at least one line is required")
		for j, l := range p.Lines {
			lf := fmt.Sprintf("%s.lines[%d]", field, j)
			v.Check(l.OrderLineID != uuid.Nil, lf+".order_line_id", "required")
			v.Check(l.Quantity > 0, lf+".quantity", fmt.Sprintf("must be positive, got %d", l.Quantity))
			if k := f.line(l.OrderLineID); k >= 0 && l.SKU != "" && l.SKU != f.Lines[k].SKU {
				v.Add(lf+".sku", fmt.Sprintf("%q, the order line's SKU is %q", l.SKU, f.Lines[k].SKU))
			}
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	packed := make([]int64, len(f.Lines))
	over := make([]bool, len(f.Lines))
	for _, p := range packages {
		for _, l := range p.Lines {
			k := f.line(l.OrderLineID)
			if k < 0 {
				return &UnknownLineError{OrderLineID: l.OrderLineID}
			}
			var ok bool
			if packed[k], ok = addQty(packed[k], l.Quantity); !ok {
				over[k] = true
			}
		}
	}
	var mismatch []LineMismatch
	for k, l := range f.Lines {
		if packed[k] != l.Picked || over[k] {
			mismatch = append(mismatch, LineMismatch{OrderLineID: l.OrderLineID, SKU: l.SKU, Picked: l.Picked, Packed: packed[k]})
		}
	}
	if mismatch != nil {
		return &PackMismatchError{Lines: mismatch}
	}
	out := make([]Package, len(packages))
	ids := make(map[uuid.UUID]bool, len(packages))
	for i, p := range packages {
		id := newID()
		if id == uuid.Nil || ids[id] {
			return invalidField("new_id", fmt.Sprintf("returned a nil or duplicate ID %s", id))
		}
		ids[id] = true
		lines := make([]PackageLine, len(p.Lines))
		for j, l := range p.Lines {
			if l.SKU == "" {
				l.SKU = f.Lines[f.line(l.OrderLineID)].SKU
			}
			lines[j] = l
		}
		out[i] = Package{ID: id, WeightGrams: p.WeightGrams, LengthCm: p.LengthCm, WidthCm: p.WidthCm, HeightCm: p.HeightCm, Lines: lines}
	}
	next, err := lifecycle.Fire(ctx, f.Status, EventPack)
	if err != nil {
		return err
	}
	f.Status = next
	f.Packages = out
	f.UpdatedAt = now
	return nil
}

// MarkShipped records that the packages left with shipment shipmentID and
// fires ship. It returns a *TransitionError (matching
// [ErrInvalidTransition]) unless the fulfillment is shipping (see
// [FulfillmentOrder.BeginShipping]), or a
// *fielderr.Error (matching [ErrInvalidInput]) for a nil shipmentID or a
// zero now.
func (f *FulfillmentOrder) MarkShipped(ctx context.Context, shipmentID uuid.UUID, now time.Time) error {
	if err := lifecycle.Check(f.Status, EventShip); err != nil {
		return err
	}
	v := invalid()
	v.Check(shipmentID != uuid.Nil, "shipment_id", "required")
	v.Check(!now.IsZero(), "now", "required")
	if err := v.Err(); err != nil {
		return err
	}
	next, err := lifecycle.Fire(ctx, f.Status, EventShip)
	if err != nil {
		return err
	}
	f.Status = next
	f.ShipmentID = shipmentID
	f.UpdatedAt = now
	return nil
}

// BeginShipping claims a packed fulfillment for shipping: from here on it
// cannot be cancelled, so an order cannot be cancelled while its label is
// being bought and its payment captured. It returns a *TransitionError
// (matching [ErrInvalidTransition]) unless the fulfillment is packed, or a
// *fielderr.Error for a zero now.
func (f *FulfillmentOrder) BeginShipping(ctx context.Context, now time.Time) error {
	if err := f.move(ctx, EventBeginShipping, now); err != nil {
		return err
	}
	f.ShippingAttempt++
	return nil
}

// AbortShipping returns a fulfillment that was being shipped to packed,
// when the label or the capture failed. It returns a *TransitionError
// (matching [ErrInvalidTransition]) unless the fulfillment is shipping, or
// a *fielderr.Error for a zero now.
func (f *FulfillmentOrder) AbortShipping(ctx context.Context, now time.Time) error {
	return f.move(ctx, EventAbortShipping, now)
}

// move fires ev, which needs nothing but the time.
func (f *FulfillmentOrder) move(ctx context.Context, ev Event, now time.Time) error {
	if err := lifecycle.Check(f.Status, ev); err != nil {
		return err
	}
	if now.IsZero() {
		return invalidField("now", "required")
	}
	next, err := lifecycle.Fire(ctx, f.Status, ev)
	if err != nil {
		return err
	}
	f.Status = next
	f.UpdatedAt = now
	return nil
}

// Cancel cancels a fulfillment that is pending, picking or packed. Picked
// quantities and packages are kept, so the caller knows what to put back.
// It returns a *TransitionError (matching [ErrInvalidTransition]) once
// shipping, shipped or cancelled, or a *fielderr.Error (matching
// [ErrInvalidInput]) for a zero now.
func (f *FulfillmentOrder) Cancel(ctx context.Context, now time.Time) error {
	return f.move(ctx, EventCancel, now)
}

// TotalWeightGrams returns the summed weight of the packages (0 before
// packing).
func (f *FulfillmentOrder) TotalWeightGrams() int64 {
	var total int64
	for _, p := range f.Packages {
		total += p.WeightGrams
	}
	return total
}

// Quantities returns the quantity to fulfil per order line.
func (f *FulfillmentOrder) Quantities() map[uuid.UUID]int64 {
	q := make(map[uuid.UUID]int64, len(f.Lines))
	for _, l := range f.Lines {
		q[l.OrderLineID] += l.Quantity
	}
	return q
}

// Clone returns a deep copy of f that shares no memory with it.
func (f *FulfillmentOrder) Clone() *FulfillmentOrder {
	if f == nil {
		return nil
	}
	c := *f
	c.Lines = slices.Clone(f.Lines)
	if f.Packages != nil {
		c.Packages = make([]Package, len(f.Packages))
		for i, p := range f.Packages {
			p.Lines = slices.Clone(p.Lines)
			c.Packages[i] = p
		}
	}
	return &c
}
