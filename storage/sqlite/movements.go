package sqlite

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/storage"
)

var _ storage.MovementBatcher = (*tx)(nil)

// movementChunk bounds the rows of one multi-row statement, well under
// SQLite's limit of bound parameters.
const movementChunk = 500

// levelChange is one stock level a batch changes: as it was before the
// batch and after its last movement.
type levelChange struct {
	before, after inventory.StockLevel
	stored        bool // the level has a row already
}

// ApplyMovements applies ms one after another, as ApplyMovement would,
// working out every level in memory first: it takes the write lock, reads
// the levels it does not know yet with one statement (a level without a
// row with one more each, which also checks its location), then one
// statement updates the levels that have a row, one inserts those that do
// not, and one appends the ledger entries (each in chunks of
// movementChunk rows). On an error the statements sent may have changed
// levels; the storage contract has the caller roll the transaction back.
func (t *tx) ApplyMovements(ctx context.Context, ms []inventory.Movement) ([]inventory.StockLevel, []inventory.Movement, error) {
	if len(ms) < 2 {
		return storage.ApplyMovements(ctx, txOnly{t}, ms)
	}
	if _, err := t.writer(ctx); err != nil {
		return nil, nil, err
	}
	if err := t.readLevels(ctx, ms); err != nil {
		return nil, nil, err
	}
	inv := inventoryRepo{t}
	changes := make(map[stockKey]*levelChange, len(ms))
	var order []stockKey
	levels := make([]inventory.StockLevel, 0, len(ms))
	applied := make([]inventory.Movement, 0, len(ms))
	for _, m := range ms {
		key := stockKey{m.SKU, m.LocationID}
		c := changes[key]
		if c == nil {
			cur, stored := t.levels[key]
			if !stored {
				var err error
				if cur, stored, err = inv.readLevel(ctx, m.SKU, m.LocationID); err != nil {
					return nil, nil, err
				}
			}
			c = &levelChange{before: cur, after: cur, stored: stored}
			changes[key] = c
			order = append(order, key)
		}
		next, done, err := c.after.Apply(m)
		if err != nil {
			return nil, nil, err
		}
		next.Version = c.after.Version + 1
		next.UpdatedAt = m.At.UTC() // as stored and read back
		done.Tenant = t.tenant
		c.after = next
		levels, applied = append(levels, next), append(applied, done)
	}
	if err := t.writeLevels(ctx, changes, order); err != nil {
		return nil, nil, err
	}
	if err := t.appendLedger(ctx, applied); err != nil {
		return nil, nil, err
	}
	for _, key := range order {
		t.remember(changes[key].after)
	}
	return levels, applied, nil
}

// readLevels reads the stored levels of ms's SKUs and locations that the
// transaction does not know yet into its levels, movementChunk levels a
// statement. A level without a row is left to readLevel.
func (t *tx) readLevels(ctx context.Context, ms []inventory.Movement) error {
	var keys []stockKey
	seen := make(map[stockKey]bool, len(ms))
	for _, m := range ms {
		key := stockKey{m.SKU, m.LocationID}
		if _, ok := t.levels[key]; ok || seen[key] {
			continue
		}
		seen[key] = true
		keys = append(keys, key)
	}
	for part := range slices.Chunk(keys, movementChunk) {
		var b strings.Builder
		args := make([]any, 0, 2*len(part)+1)
		args = append(args, t.tenant)
		b.WriteString(`SELECT ` + stockColumns + ` FROM stock_levels
			WHERE tenant = ? AND (sku, location_id) IN (VALUES `)
		for i, k := range part {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?)")
			args = append(args, k.sku, k.location.String())
		}
		b.WriteString(")")
		rows, err := t.query(ctx, b.String(), args...)
		if err != nil {
			return interpretError(err, "stock of %d levels", len(part))
		}
		for rows.Next() {
			lvl, err := scanStock(rows)
			if err != nil {
				rows.Close()
				return interpretError(err, "stock of %d levels", len(part))
			}
			t.remember(lvl)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return interpretError(err, "stock of %d levels", len(part))
		}
	}
	return nil
}

// writeLevels stores the levels' values after the batch: an UPDATE of the
// stored ones, conditional on the version read, and an INSERT of the new.
func (t *tx) writeLevels(ctx context.Context, changes map[stockKey]*levelChange, order []stockKey) error {
	var stored, fresh []*levelChange
	for _, key := range order {
		if c := changes[key]; c.stored {
			stored = append(stored, c)
		} else {
			fresh = append(fresh, c)
		}
	}
	for part := range slices.Chunk(stored, movementChunk) {
		var b strings.Builder
		args := make([]any, 0, 7*len(part)+1)
		b.WriteString(`UPDATE stock_levels SET on_hand = v.column3, reserved = v.column4, version = v.column5, updated_at = v.column6
			FROM (VALUES `)
		for i, c := range part {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?, ?)")
			a := c.after
			args = append(args, a.SKU, a.LocationID.String(), a.OnHand, a.Reserved, a.Version, formatTime(a.UpdatedAt), c.before.Version)
		}
		b.WriteString(`) AS v
			WHERE stock_levels.sku = v.column1 AND stock_levels.location_id = v.column2
				AND stock_levels.version = v.column7 AND stock_levels.tenant = ?`)
		args = append(args, t.tenant)
		res, err := t.exec(ctx, b.String(), args...)
		if err != nil {
			return interpretError(err, "stock of %d levels", len(part))
		}
		if n, err := res.RowsAffected(); err != nil || n != int64(len(part)) {
			return fmt.Errorf("sqlite: stock of %d levels changed concurrently: %w", len(part), storage.ErrConflict)
		}
	}
	for part := range slices.Chunk(fresh, movementChunk) {
		var b strings.Builder
		args := make([]any, 0, 7*len(part))
		b.WriteString(`INSERT INTO stock_levels (` + stockColumns + `) VALUES `)
		for i, c := range part {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?, ?)")
			a := c.after
			args = append(args, t.tenant, a.SKU, a.LocationID.String(), a.OnHand, a.Reserved, a.Version, formatTime(a.UpdatedAt))
		}
		if _, err := t.exec(ctx, b.String(), args...); err != nil {
			return interpretError(err, "stock of %d new levels", len(part))
		}
	}
	return nil
}

// appendLedger appends the movements to the ledger.
func (t *tx) appendLedger(ctx context.Context, ms []inventory.Movement) error {
	for part := range slices.Chunk(ms, movementChunk) {
		var b strings.Builder
		args := make([]any, 0, 13*len(part))
		b.WriteString(`INSERT INTO stock_movements
			(id, tenant, sku, location_id, kind, quantity, on_hand_delta, reserved_delta,
			 on_hand_after, reserved_after, order_id, reason, at) VALUES `)
		for i, m := range part {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			args = append(args, m.ID.String(), t.tenant, m.SKU, m.LocationID.String(), string(m.Kind),
				m.Quantity, m.OnHandDelta, m.ReservedDelta, m.OnHandAfter, m.ReservedAfter,
				nullUUID(m.OrderID), m.Reason, formatTime(m.At))
		}
		if _, err := t.exec(ctx, b.String(), args...); err != nil {
			return interpretError(err, "record %d movements", len(part))
		}
	}
	return nil
}

// txOnly hides a transaction's abilities, so that storage.ApplyMovements
// takes its one-by-one path.
type txOnly struct{ storage.Tx }
