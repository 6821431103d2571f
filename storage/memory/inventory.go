package memory

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/storage"
)

type inventoryRepo struct{ t *tx }

func (r inventoryRepo) PutItem(_ context.Context, it inventory.Item) error {
	it.Tenant = r.t.tenant
	if r.t.items == nil {
		r.t.items = make(map[string]inventory.Item)
	}
	r.t.items[it.SKU] = it
	return nil
}

func (r inventoryRepo) GetItem(_ context.Context, sku string) (inventory.Item, error) {
	if it, ok := r.t.items[sku]; ok {
		return it, nil
	}
	d := r.t.data
	d.catalogMu.RLock()
	it, ok := d.items[sku]
	d.catalogMu.RUnlock()
	if !ok {
		return inventory.Item{}, fmt.Errorf("memory: item %q: %w", sku, storage.ErrNotFound)
	}
	return it, nil
}

// location returns the location as the transaction sees it, not a copy.
func (r inventoryRepo) location(id uuid.UUID) (*inventory.Location, bool) {
	for _, l := range r.t.locations {
		if l.ID == id {
			return l, true
		}
	}
	d := r.t.data
	d.stockMu.RLock()
	l, ok := d.locations[id]
	d.stockMu.RUnlock()
	return l, ok
}

func (r inventoryRepo) CreateLocation(ctx context.Context, l *inventory.Location) error {
	if _, ok := r.location(l.ID); ok {
		return fmt.Errorf("memory: create location %s: %w", l.ID, storage.ErrDuplicate)
	}
	all, err := r.ListLocations(ctx)
	if err != nil {
		return err
	}
	for _, other := range all {
		if other.Code == l.Code {
			return fmt.Errorf("memory: location code %q: %w", l.Code, storage.ErrDuplicate)
		}
	}
	r.t.versions = append(withCap(r.t.versions, 8), versionUndo{loc: l, prev: l.Version})
	l.Version = 1
	c := l.Clone()
	r.t.locations = append(r.t.locations, &c)
	return nil
}

func (r inventoryRepo) GetLocation(_ context.Context, id uuid.UUID) (*inventory.Location, error) {
	l, ok := r.location(id)
	if !ok {
		return nil, fmt.Errorf("memory: location %s: %w", id, storage.ErrNotFound)
	}
	c := l.Clone()
	return &c, nil
}

var _ storage.LocationBatcher = (*tx)(nil)

// GetLocations returns the locations with these IDs, ordered by Code then
// ID, copied in one allocation (GetLocation copies each in one of its
// own); IDs with no location of the tenant are left out.
func (t *tx) GetLocations(_ context.Context, ids []uuid.UUID) ([]*inventory.Location, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	out := make([]*inventory.Location, 0, len(ids))
	d := t.data
	d.stockMu.RLock()
	for _, id := range ids {
		if i := slices.IndexFunc(t.locations, func(l *inventory.Location) bool { return l.ID == id }); i >= 0 {
			out = append(out, t.locations[i]) // created in this transaction
		} else if l, ok := d.locations[id]; ok {
			out = append(out, l)
		}
	}
	d.stockMu.RUnlock()
	storage.SortLocations(out)
	out = slices.Compact(out) // an ID given twice is the same location, now side by side
	copies := make([]inventory.Location, len(out))
	for i, l := range out {
		copies[i] = l.Clone()
		out[i] = &copies[i]
	}
	return out, nil
}

func (r inventoryRepo) ListLocations(_ context.Context) ([]*inventory.Location, error) {
	d := r.t.data
	d.stockMu.RLock()
	out := make([]*inventory.Location, 0, len(d.locations)+len(r.t.locations))
	for _, l := range d.locations {
		out = append(out, l)
	}
	d.stockMu.RUnlock()
	out = append(out, r.t.locations...)
	copies := make([]inventory.Location, len(out)) // in one allocation
	for i, l := range out {
		copies[i] = l.Clone()
		out[i] = &copies[i]
	}
	slices.SortFunc(out, func(a, b *inventory.Location) int { return strings.Compare(a.Code, b.Code) })
	return out, nil
}

// held returns the index in t.held of the level k, or -1.
func (t *tx) heldIndex(k stockKey) int {
	for i := range t.held {
		if t.held[i].key == k {
			return i
		}
	}
	return -1
}

func (r inventoryRepo) StockLevels(_ context.Context, skus []string) ([]inventory.StockLevel, error) {
	d := r.t.data
	d.stockMu.RLock() // under which commits store the levels
	var out []inventory.StockLevel
	if skus == nil {
		out = make([]inventory.StockLevel, 0, len(d.stock))
		for _, c := range d.stock {
			if c.exists {
				out = append(out, c.level)
			}
		}
	} else {
		n := 0
		for _, sku := range skus {
			n += len(d.skuCells[sku])
		}
		out = make([]inventory.StockLevel, 0, n)
		for i, sku := range skus {
			if slices.Contains(skus[:i], sku) {
				continue
			}
			for _, c := range d.skuCells[sku] {
				if c.exists {
					out = append(out, c.level)
				}
			}
		}
	}
	d.stockMu.RUnlock()
	for _, h := range r.t.held {
		if !h.changed || skus != nil && !slices.Contains(skus, h.key.sku) {
			continue
		}
		i := slices.IndexFunc(out, func(l inventory.StockLevel) bool {
			return l.SKU == h.key.sku && l.LocationID == h.key.loc
		})
		if i < 0 {
			out = append(out, h.level)
		} else {
			out[i] = h.level
		}
	}
	slices.SortFunc(out, func(a, b inventory.StockLevel) int {
		return compareStockKeys(stockKey{a.SKU, a.LocationID}, stockKey{b.SKU, b.LocationID})
	})
	return out, nil
}

// lockLevel locks the stock level k for the rest of the transaction and
// returns its index in t.held. Levels locked in the contract's order (by
// SKU, then location) wait for the transaction holding them; a level
// below one already held is only taken when free, and ErrConflict is
// reported otherwise, since waiting could deadlock.
func (t *tx) lockLevel(ctx context.Context, k stockKey) (int, error) {
	c := t.data.cell(k)
	if len(t.held) > 0 && compareStockKeys(k, t.maxHeld) < 0 {
		if !c.mu.TryLock() {
			return 0, fmt.Errorf("memory: stock %q at %s locked out of order: %w", k.sku, k.loc, storage.ErrConflict)
		}
	} else {
		if err := c.lock(ctx); err != nil {
			return 0, err
		}
		t.maxHeld = k
	}
	// The holder of the lock is the only writer of the cell: reading it
	// needs no other lock.
	lvl := c.level
	if !c.exists {
		lvl = inventory.StockLevel{Tenant: t.tenant, SKU: k.sku, LocationID: k.loc}
	}
	t.held = append(withCap(t.held, 4), heldLevel{key: k, cell: c, level: lvl})
	return len(t.held) - 1, nil
}

func (r inventoryRepo) ApplyMovement(ctx context.Context, m inventory.Movement) (inventory.StockLevel, inventory.Movement, error) {
	if _, ok := r.location(m.LocationID); !ok {
		return inventory.StockLevel{}, m, fmt.Errorf("memory: stock at location %s: %w", m.LocationID, storage.ErrNotFound)
	}
	t := r.t
	k := stockKey{sku: m.SKU, loc: m.LocationID}
	i := t.heldIndex(k)
	if i < 0 {
		var err error
		if i, err = t.lockLevel(ctx, k); err != nil {
			return inventory.StockLevel{}, m, err
		}
	}
	h := &t.held[i]
	next, applied, err := h.level.Apply(m)
	if err != nil {
		return inventory.StockLevel{}, m, err
	}
	next.Version = h.level.Version + 1
	next.UpdatedAt = m.At
	applied.Tenant = t.tenant
	h.level, h.changed = next, true
	t.movements = append(withCap(t.movements, 4), applied)
	return next, applied, nil
}
