package oms

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/storage"
)

// stepReads is what the placements of one saga step read of the
// catalogue, the locations and the stock, read once per transaction: a
// batch of orders for one hot SKU reads its item, the locations and its
// stock levels once, not once per order. Stock counts as reserved what
// earlier placements of the step planned (take), so each order is planned
// against the stock the earlier ones will leave; the reservations'
// conditional changes still decide, so a concurrent transaction that took
// units meanwhile makes the step plan again.
type stepReads struct {
	tx     storage.Tx
	items  map[string]error                  // an SKU's lookup: nil when it is in the catalogue
	locs   map[uuid.UUID]*inventory.Location // by ID, as read; nil for an ID with no location
	levels map[string][]inventory.StockLevel // by SKU, as read
	taken  map[stockLevelKey]int64
	// read is the last read of levels, of the distinct SKUs readSKUs, as
	// the store ordered them: what stock returns for those SKUs while
	// nothing is taken.
	read     []inventory.StockLevel
	readSKUs []string
}

// newStepReads returns an empty cache of tx's reads.
func newStepReads(tx storage.Tx) *stepReads {
	return &stepReads{tx: tx}
}

// item returns the store's answer to looking sku up in the catalogue: nil
// when it is there, an error wrapping storage.ErrNotFound when not.
func (r *stepReads) item(ctx context.Context, sku string) error {
	if err, ok := r.items[sku]; ok {
		return err
	}
	_, err := r.tx.Inventory().GetItem(ctx, sku)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return err // not remembered: the transaction fails anyway
	}
	if r.items == nil {
		r.items = make(map[string]error)
	}
	r.items[sku] = err
	return err
}

// prefetchItems looks up the SKUs not looked up yet in one read
// (storage.GetItems) when the store reads several at once, and one by one
// otherwise.
func (r *stepReads) prefetchItems(ctx context.Context, skus []string) error {
	missing := missingOf(skus, func(sku string) bool { _, ok := r.items[sku]; return ok })
	if len(missing) == 0 {
		return nil
	}
	if r.items == nil {
		r.items = make(map[string]error, len(missing))
	}
	if _, ok := r.tx.(storage.ItemBatcher); !ok {
		// One lookup per SKU, as storage.GetItems would make, without
		// its map of the items.
		for _, sku := range missing {
			if err := r.item(ctx, sku); err != nil && !errors.Is(err, storage.ErrNotFound) {
				return err
			}
		}
		return nil
	}
	found, err := storage.GetItems(ctx, r.tx, missing)
	if err != nil {
		return err
	}
	for _, sku := range missing {
		if _, ok := found[sku]; ok {
			r.items[sku] = nil
		} else {
			r.items[sku] = fmt.Errorf("item %q: %w", sku, storage.ErrNotFound)
		}
	}
	return nil
}

// missingOf returns the SKUs of skus that read says were not read yet,
// each once: skus itself when that is all of them.
func missingOf(skus []string, read func(string) bool) []string {
	all := true
	for i, sku := range skus {
		if read(sku) || slices.Contains(skus[:i], sku) {
			all = false
			break
		}
	}
	if all {
		return skus
	}
	var missing []string
	for _, sku := range skus {
		if !read(sku) && !slices.Contains(missing, sku) {
			if missing == nil {
				missing = make([]string, 0, len(skus))
			}
			missing = append(missing, sku)
		}
	}
	return missing
}

// locationsOf returns the locations of levels (those that hold a level
// of them, which are all an allocator can ship from), ordered by Code,
// reading only those not read yet in the step: a placement reads the
// locations stocking its SKUs, not every location of the tenant.
func (r *stepReads) locationsOf(ctx context.Context, levels []inventory.StockLevel) ([]*inventory.Location, error) {
	missing := make([]uuid.UUID, 0, len(levels))
	for _, l := range levels {
		if _, ok := r.locs[l.LocationID]; !ok {
			missing = append(missing, l.LocationID)
		}
	}
	slices.SortFunc(missing, func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })
	missing = slices.Compact(missing) // a location holds a level of each SKU it stocks
	if len(missing) > 0 {
		found, err := storage.GetLocations(ctx, r.tx, missing)
		if err != nil {
			return nil, err
		}
		if r.locs == nil {
			r.locs = make(map[uuid.UUID]*inventory.Location, len(missing))
		}
		for _, id := range missing {
			r.locs[id] = nil // read: perhaps no such location
		}
		for _, l := range found {
			r.locs[l.ID] = l
		}
	}
	out := make([]*inventory.Location, 0, len(levels))
	for _, l := range levels {
		if loc := r.locs[l.LocationID]; loc != nil {
			out = append(out, loc)
		}
	}
	// Sorted by Code and ID, a location's repeats (one per SKU it
	// stocks) are neighbours.
	storage.SortLocations(out)
	return slices.Compact(out), nil
}

// prefetch reads the stock levels of skus not read yet, in one call.
func (r *stepReads) prefetch(ctx context.Context, skus []string) error {
	missing := missingOf(skus, func(sku string) bool { _, ok := r.levels[sku]; return ok })
	if len(missing) == 0 {
		return nil
	}
	levels, err := r.tx.Inventory().StockLevels(ctx, missing)
	if err != nil {
		return err
	}
	r.read, r.readSKUs = levels, missing
	if r.levels == nil {
		r.levels = make(map[string][]inventory.StockLevel, len(missing))
	}
	for _, sku := range missing {
		r.levels[sku] = nil // read, perhaps with no level anywhere
	}
	// The store orders the levels by SKU: each SKU's run is a piece of
	// levels, capped so that adding to it (a run of an SKU the store did
	// not keep together) copies it.
	for i := 0; i < len(levels); {
		j := i + 1
		for j < len(levels) && levels[j].SKU == levels[i].SKU {
			j++
		}
		sku := levels[i].SKU
		if prev := r.levels[sku]; len(prev) > 0 {
			r.levels[sku] = append(prev, levels[i:j]...)
		} else {
			r.levels[sku] = levels[i:j:j]
		}
		i = j
	}
	return nil
}

// stock returns the stock levels of skus, ordered by SKU then location ID
// as the store orders them, with what earlier placements of the step
// planned counted as reserved. It sorts skus in place. The levels may be
// the step's own copy of the store's: the caller only reads them.
func (r *stepReads) stock(ctx context.Context, skus []string) ([]inventory.StockLevel, error) {
	if err := r.prefetch(ctx, skus); err != nil {
		return nil, err
	}
	slices.Sort(skus)
	skus = slices.Compact(skus)
	if len(r.taken) == 0 && sameSKUs(skus, r.readSKUs) {
		return r.read, nil // ordered by SKU then location, as the store returns them
	}
	n := 0
	for _, sku := range skus {
		n += len(r.levels[sku])
	}
	out := make([]inventory.StockLevel, 0, n)
	for _, sku := range skus {
		for _, l := range r.levels[sku] {
			l.Reserved += r.taken[stockLevelKey{l.SKU, l.LocationID}]
			out = append(out, l)
		}
	}
	return out, nil
}

// sameSKUs reports whether the distinct SKUs of a and b are the same.
func sameSKUs(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, sku := range a {
		if !slices.Contains(b, sku) {
			return false
		}
	}
	return true
}

// take counts plan's units as reserved for the placements planned next.
func (r *stepReads) take(plan inventory.Plan) {
	if r.taken == nil {
		r.taken = make(map[stockLevelKey]int64)
	}
	for _, a := range plan.Assignments {
		r.taken[stockLevelKey{a.SKU, a.LocationID}] += a.Quantity
	}
}
