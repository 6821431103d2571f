package postgres

import (
	"context"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/ordersmith/oms/inventory"
)

// readAhead is what GetItems reads in the same round trip as the items:
// the stock levels of the same SKUs and the tenant's locations, which a
// placement reads next. StockLevels and ListLocations answer from it once
// each, while the transaction has sent nothing since (pipe.sent is as it
// was): the answer is then what the statement would have read, under READ
// COMMITTED a moment earlier. Any other statement, or another set of SKUs,
// reads afresh.
type readAhead struct {
	sent           int      // pipe.sent after the read
	skus           []string // sorted, without repeats
	levels         []inventory.StockLevel
	locations      []*inventory.Location
	levelsTaken    bool
	locationsTaken bool
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

// getItemsAhead reads the items of skus, the stock levels of skus and the
// tenant's locations in one batch, keeping the latter two in t.ahead.
//
// Unless the transaction changed or locked stock levels before, the levels
// are read FOR UPDATE, in the global lock order (by SKU, byte order, then
// location ID), and kept in t.known: nothing else can change them until
// the transaction ends, so movements applied to them later are worked out
// from what the transaction knows and queued (see applyKnown), and a
// placement's stock change costs no round trip of its own. A transaction
// that applied movements first, or reads ahead a second time, locks
// nothing more here, so that it never takes levels out of order.
func (t *tx) getItemsAhead(ctx context.Context, skus []string) ([]inventory.Item, error) {
	const op = "get items"
	if t.pg.lost != nil {
		return nil, t.pg.lost
	}
	levelsStmt := t.stockLevelsStmt(skus)
	lock := !t.stockLocked && len(skus) > 0
	if lock {
		levelsStmt.sql += " FOR UPDATE"
		t.stockLocked = true
	}
	br, err := t.pg.sendAll(ctx,
		stmt{t.s.q.getItems, []any{t.tenant, skus}},
		levelsStmt,
		stmt{t.s.q.listLocations, []any{t.tenant}})
	if err != nil {
		return nil, err
	}
	items, levels, locations, err := readItemsAhead(t.tenant, br)
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, interpretError(op, err)
	}
	t.ahead = &readAhead{sent: t.pg.sent, skus: sortedSet(skus), levels: levels, locations: locations}
	if lock {
		t.known = make(map[levelKey]inventory.StockLevel, len(levels))
		for _, l := range levels {
			t.known[levelKey{l.SKU, l.LocationID}] = l
		}
	}
	return items, nil
}

// readItemsAhead reads the three results of getItemsAhead's batch.
func readItemsAhead(tenant string, br pgx.BatchResults) ([]inventory.Item, []inventory.StockLevel, []*inventory.Location, error) {
	rows, err := br.Query()
	if err != nil {
		return nil, nil, nil, err
	}
	items, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (inventory.Item, error) {
		it := inventory.Item{Tenant: tenant}
		err := row.Scan(&it.SKU, &it.Name, &it.CreatedAt)
		it.CreatedAt = it.CreatedAt.UTC()
		return it, err
	})
	if err != nil {
		return nil, nil, nil, err
	}
	if rows, err = br.Query(); err != nil {
		return nil, nil, nil, err
	}
	levels, err := pgx.CollectRows(rows, scanStockLevel)
	if err != nil {
		return nil, nil, nil, err
	}
	if rows, err = br.Query(); err != nil {
		return nil, nil, nil, err
	}
	locations, err := pgx.CollectRows(rows, scanLocation)
	if err != nil {
		return nil, nil, nil, err
	}
	return items, levels, locations, nil
}

// aheadLevels returns the stock levels of skus read ahead, if they are
// still what StockLevels would read.
func (t *tx) aheadLevels(skus []string) ([]inventory.StockLevel, bool) {
	a := t.ahead
	if a == nil || a.levelsTaken || a.sent != t.pg.sent || skus == nil || !slices.Equal(sortedSet(skus), a.skus) {
		return nil, false
	}
	a.levelsTaken = true
	return a.levels, true
}

// aheadLocations returns the locations read ahead, if they are still what
// ListLocations would read.
func (t *tx) aheadLocations() ([]*inventory.Location, bool) {
	a := t.ahead
	if a == nil || a.locationsTaken || a.sent != t.pg.sent {
		return nil, false
	}
	a.locationsTaken = true
	return a.locations, true
}

// sortedSet returns skus sorted, without repeats.
func sortedSet(skus []string) []string {
	return slices.Compact(slices.Sorted(slices.Values(skus)))
}
