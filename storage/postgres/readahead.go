package postgres

import (
	"context"
	"errors"
	"slices"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/storage"
)

// readAhead is what a transaction read ahead, in one round trip, of the
// reads a step makes next: by Prefetch, the idempotency records of its
// keys, and, by Prefetch or GetItems, the items of its SKUs, their stock
// levels and the locations holding those levels. Idempotency().Get,
// GetItems, StockLevels and GetLocations (of those locations) answer from
// it once each, while the
// transaction has sent nothing since (pipe.sent is as it was): the answer
// is then what the statement would have read, under READ COMMITTED a
// moment earlier. Any other statement, or another key or set of SKUs,
// reads afresh.
type readAhead struct {
	sent int // pipe.sent after the read
	// records holds the lookups of the keys read ahead.
	records map[string]*aheadRecord
	skus    []string // sorted, without repeats; nil when none was read
	// items is nil once taken, or when GetItems read them itself.
	items          []inventory.Item
	levels         []inventory.StockLevel
	locations      []*inventory.Location
	levelsTaken    bool
	locationsTaken bool
}

// aheadRecord is an idempotency key's lookup read ahead: its record, or
// storage.ErrNotFound.
type aheadRecord struct {
	rec   storage.IdempotencyRecord
	err   error
	taken bool
}

var _ storage.Prefetcher = (*tx)(nil)

// Prefetch reads, in one round trip, the idempotency records of r's keys
// and, for r's SKUs, what GetItems reads with its read-ahead (the items,
// their stock levels, locked as GetItems locks them, and the locations),
// so that a placement's first step reads in one round trip.
func (t *tx) Prefetch(ctx context.Context, r storage.ReadAhead) error {
	if len(r.IdempotencyKeys) == 0 && len(r.SKUs) == 0 {
		return nil
	}
	return t.readAheadAll(ctx, r.IdempotencyKeys, r.SKUs)
}

// stockLevelsStmt returns the statement StockLevels sends for skus.
func (t *tx) stockLevelsStmt(skus []string) stmt {
	var f filter
	f.add("tenant = ", t.tenant)
	if skus != nil {
		f.add("sku = ANY(", skus, ")")
	}
	return stmt{t.s.q.stockLevels + f.where() + ` ORDER BY sku COLLATE "C", location_id`, f.args}
}

// getItemsAhead returns the items of skus, from what Prefetch read ahead
// when it read these SKUs and nothing was sent since, or else reading
// them, their stock levels and the locations holding them in one batch (see
// readAheadAll).
func (t *tx) getItemsAhead(ctx context.Context, skus []string) ([]inventory.Item, error) {
	if len(skus) == 0 {
		return nil, nil
	}
	if a := t.ahead; a != nil && a.items != nil && a.sent == t.pg.sent && slices.Equal(sortedSet(skus), a.skus) {
		items := a.items
		a.items = nil
		return items, nil
	}
	if err := t.readAheadAll(ctx, nil, skus); err != nil {
		return nil, err
	}
	items := t.ahead.items
	t.ahead.items = nil
	return items, nil
}

// readAheadAll reads, in one batch, the idempotency records of keys and,
// when skus is not empty, the items of skus, the stock levels of skus and
// the locations holding those levels, keeping them in t.ahead.
//
// Unless the transaction changed or locked stock levels before, the levels
// are read FOR UPDATE, in the global lock order (by SKU, byte order, then
// location ID), and kept in t.known: nothing else can change them until
// the transaction ends, so movements applied to them later are worked out
// from what the transaction knows and queued (see applyKnown), and a
// placement's stock change costs no round trip of its own. A transaction
// that applied movements first, or reads ahead a second time, locks
// nothing more here, so that it never takes levels out of order.
func (t *tx) readAheadAll(ctx context.Context, keys, skus []string) error {
	const op = "read ahead"
	if t.pg.lost != nil {
		return t.pg.lost
	}
	keys = sortedSet(keys)
	stmts := make([]stmt, 0, len(keys)+3)
	for _, k := range keys {
		stmts = append(stmts, stmt{t.s.q.idemGet, []any{t.tenant, k}})
	}
	lock, withSKUs := false, len(skus) > 0
	if withSKUs {
		levelsStmt := t.stockLevelsStmt(skus)
		if lock = !t.stockLocked; lock {
			levelsStmt.sql += " FOR UPDATE"
			t.stockLocked = true
		}
		stmts = append(stmts, stmt{t.s.q.getItems, []any{t.tenant, skus}}, levelsStmt, stmt{t.s.q.stockLocations, []any{t.tenant, skus}})
	}
	br, err := t.pg.sendAll(ctx, stmts...)
	if err != nil {
		return err
	}
	a := &readAhead{}
	err = a.read(t.tenant, br, keys, withSKUs)
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return interpretError(op, err)
	}
	if withSKUs {
		a.skus = sortedSet(skus)
		if a.items == nil {
			a.items = []inventory.Item{}
		}
	}
	a.sent = t.pg.sent
	t.ahead = a
	if lock {
		t.known = make(map[levelKey]inventory.StockLevel, len(a.levels))
		for _, l := range a.levels {
			t.known[levelKey{l.SKU, l.LocationID}] = l
		}
	}
	return nil
}

// read reads the results of readAheadAll's batch into a: a record per key,
// then, when withSKUs, the items, levels and locations.
func (a *readAhead) read(tenant string, br pgx.BatchResults, keys []string, withSKUs bool) error {
	if len(keys) > 0 {
		a.records = make(map[string]*aheadRecord, len(keys))
	}
	for _, k := range keys {
		rec, err := scanIdempotencyRecord(br.QueryRow())
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			err = idempotencyLookupError(k, err)
		case err != nil:
			return err
		}
		a.records[k] = &aheadRecord{rec: rec, err: err}
	}
	if !withSKUs {
		return nil
	}
	rows, err := br.Query()
	if err != nil {
		return err
	}
	a.items, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (inventory.Item, error) {
		it := inventory.Item{Tenant: tenant}
		err := row.Scan(&it.SKU, &it.Name, &it.CreatedAt)
		it.CreatedAt = it.CreatedAt.UTC()
		return it, err
	})
	if err != nil {
		return err
	}
	if rows, err = br.Query(); err != nil {
		return err
	}
	if a.levels, err = pgx.CollectRows(rows, stockLevelIn(tenant)); err != nil {
		return err
	}
	if rows, err = br.Query(); err != nil {
		return err
	}
	a.locations, err = pgx.CollectRows(rows, locationIn(tenant))
	return err
}

// aheadRecord returns the lookup of key read ahead, if it is still what
// Idempotency().Get would read.
func (t *tx) aheadRecord(key string) (*aheadRecord, bool) {
	a := t.ahead
	if a == nil || a.sent != t.pg.sent {
		return nil, false
	}
	r, ok := a.records[key]
	if !ok || r.taken {
		return nil, false
	}
	r.taken = true
	return r, true
}

// aheadLevels returns the stock levels of skus read ahead, if they are
// still what StockLevels would read.
func (t *tx) aheadLevels(skus []string) ([]inventory.StockLevel, bool) {
	a := t.ahead
	if a == nil || a.skus == nil || a.levelsTaken || a.sent != t.pg.sent || skus == nil || !slices.Equal(sortedSet(skus), a.skus) {
		return nil, false
	}
	a.levelsTaken = true
	return a.levels, true
}

// aheadLocations returns the locations of ids read ahead, ordered by Code,
// if they are still what GetLocations would read: each of ids is one of
// the locations holding levels of the SKUs read ahead.
func (t *tx) aheadLocations(ids []uuid.UUID) ([]*inventory.Location, bool) {
	a := t.ahead
	if a == nil || a.skus == nil || a.locationsTaken || a.sent != t.pg.sent {
		return nil, false
	}
	out := make([]*inventory.Location, 0, len(ids))
	for _, l := range a.locations { // ordered by Code
		if slices.Contains(ids, l.ID) {
			out = append(out, l)
		}
	}
	for _, id := range ids {
		if !slices.ContainsFunc(out, func(l *inventory.Location) bool { return l.ID == id }) {
			return nil, false
		}
	}
	a.locationsTaken = true
	return out, true
}

// sortedSet returns skus sorted, without repeats.
func sortedSet(skus []string) []string {
	return slices.Compact(slices.Sorted(slices.Values(skus)))
}
