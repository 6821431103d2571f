package sqlite

import (
	"context"
	"fmt"
	"math"
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
// taking the write lock first. One statement changes every stored level
// by the sum of its movements, conditional on the level's values letting
// each of them apply in turn (the bounds levelDeltas works out), and
// returns the values it wrote, from which each movement's after-values
// follow; a level that statement leaves alone (no row, a shortage, a
// movement that does not check) is then read, with its location, and
// worked out movement by movement, exactly as ApplyMovement does, which
// reports its error. One more statement appends the ledger entries
// (each in chunks of movementChunk rows). On an error the statements
// sent may have changed levels; the storage contract has the caller roll
// the transaction back.
func (t *tx) ApplyMovements(ctx context.Context, ms []inventory.Movement) ([]inventory.StockLevel, []inventory.Movement, error) {
	if len(ms) == 0 {
		return nil, nil, nil
	}
	if _, err := t.writer(ctx); err != nil {
		return nil, nil, err
	}
	deltas, order := levelDeltas(t.tenant, ms)
	got, err := t.addToLevels(ctx, deltas, order)
	if err != nil {
		return nil, nil, err
	}
	levels := make([]inventory.StockLevel, len(ms))
	applied := make([]inventory.Movement, len(ms))
	// The levels the statement changed: their movements apply in turn
	// from the values before it.
	for key, after := range got {
		d := deltas[key]
		cur := after
		cur.OnHand, cur.Reserved, cur.Version = after.OnHand-d.onHand, after.Reserved-d.reserved, after.Version-int64(len(d.moves))
		for _, i := range d.moves {
			next, done, err := cur.Apply(ms[i])
			if err != nil { // the statement's bounds let every movement apply
				return nil, nil, fmt.Errorf("sqlite: stock of %q at %s: %w", ms[i].SKU, ms[i].LocationID, err)
			}
			next.Version = cur.Version + 1
			next.UpdatedAt = ms[i].At.UTC() // as stored and read back
			done.Tenant = t.tenant
			levels[i], applied[i], cur = next, done, next
		}
		t.remember(cur)
	}
	// The others, one movement after another.
	inv := inventoryRepo{t}
	changes := make(map[stockKey]*levelChange)
	var rest []stockKey
	for i, m := range ms {
		key := stockKey{m.SKU, m.LocationID}
		if _, ok := got[key]; ok {
			continue
		}
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
			rest = append(rest, key)
		}
		next, done, err := c.after.Apply(m)
		if err != nil {
			return nil, nil, err
		}
		next.Version = c.after.Version + 1
		next.UpdatedAt = m.At.UTC() // as stored and read back
		done.Tenant = t.tenant
		c.after = next
		levels[i], applied[i] = next, done
	}
	if err := t.writeLevels(ctx, changes, rest); err != nil {
		return nil, nil, err
	}
	if err := t.appendLedger(ctx, applied); err != nil {
		return nil, nil, err
	}
	for _, key := range rest {
		t.remember(changes[key].after)
	}
	return levels, applied, nil
}

// levelDelta is what a batch of movements does to one stock level: the
// movements (their indexes), the sums of their deltas, and the bounds
// within which the level's stored values let every one of them apply in
// turn, as inventory.StockLevel.Apply checks them (no negative on-hand
// or reserved quantity, no more reserved than on hand, no overflow).
// fast is false when the movements cannot be summed that way (one does
// not check, or the sums could grow too large): the level is then worked
// out movement by movement.
type levelDelta struct {
	moves                    []int
	onHand, reserved         int64
	onLo, onHi, resLo, resHi int64
	availLo                  int64
	at                       string
	fast                     bool
}

// maxFastDelta bounds the deltas a levelDelta sums, so that the sums of
// movementChunk movements cannot overflow.
const maxFastDelta = 1 << 40

// levelDeltas groups ms by stock level, in the order of each level's
// first movement.
func levelDeltas(tenant string, ms []inventory.Movement) (map[stockKey]*levelDelta, []stockKey) {
	deltas := make(map[stockKey]*levelDelta, len(ms))
	var order []stockKey
	for i, m := range ms {
		key := stockKey{m.SKU, m.LocationID}
		d := deltas[key]
		if d == nil {
			d = &levelDelta{fast: true, onHi: math.MaxInt64, resHi: math.MaxInt64}
			deltas[key] = d
			order = append(order, key)
		}
		d.moves = append(d.moves, i)
		if !d.fast {
			continue
		}
		// A movement checks against a roomy level of its own identity
		// exactly when it checks against any level of it.
		roomy := inventory.StockLevel{Tenant: tenant, SKU: m.SKU, LocationID: m.LocationID, OnHand: 1 << 60, Reserved: 1 << 59}
		if _, _, err := roomy.Apply(m); err != nil || len(d.moves) > movementChunk ||
			abs(m.OnHandDelta) > maxFastDelta || abs(m.ReservedDelta) > maxFastDelta {
			d.fast = false
			continue
		}
		d.onHand += m.OnHandDelta
		d.reserved += m.ReservedDelta
		d.onLo = max(d.onLo, -d.onHand)
		d.resLo = max(d.resLo, -d.reserved)
		d.availLo = max(d.availLo, d.reserved-d.onHand)
		if d.onHand > 0 {
			d.onHi = min(d.onHi, math.MaxInt64-d.onHand)
		}
		if d.reserved > 0 {
			d.resHi = min(d.resHi, math.MaxInt64-d.reserved)
		}
		d.at = formatTime(m.At)
	}
	return deltas, order
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// addToLevels adds each fast delta to its stored level where the level's
// values lie within the delta's bounds, movementChunk levels a
// statement, and returns the levels it changed, as written.
func (t *tx) addToLevels(ctx context.Context, deltas map[stockKey]*levelDelta, order []stockKey) (map[stockKey]inventory.StockLevel, error) {
	var keys []stockKey
	for _, key := range order {
		if deltas[key].fast {
			keys = append(keys, key)
		}
	}
	got := make(map[stockKey]inventory.StockLevel, len(keys))
	for part := range slices.Chunk(keys, movementChunk) {
		var b strings.Builder
		args := make([]any, 0, 11*len(part)+1)
		b.WriteString(`UPDATE stock_levels SET on_hand = on_hand + v.column3, reserved = reserved + v.column4,
			version = version + v.column5, updated_at = v.column6 FROM (VALUES `)
		for i, key := range part {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			d := deltas[key]
			args = append(args, key.sku, key.location.String(), d.onHand, d.reserved, int64(len(d.moves)), d.at,
				d.onLo, d.onHi, d.resLo, d.resHi, d.availLo)
		}
		b.WriteString(`) AS v
			WHERE stock_levels.tenant = ? AND stock_levels.sku = v.column1 AND stock_levels.location_id = v.column2
				AND stock_levels.on_hand BETWEEN v.column7 AND v.column8
				AND stock_levels.reserved BETWEEN v.column9 AND v.column10
				AND stock_levels.on_hand - stock_levels.reserved >= v.column11
			RETURNING ` + stockRead)
		args = append(args, t.tenant)
		rows, err := t.query(ctx, b.String(), args...)
		if err != nil {
			return nil, interpretError(err, "stock of %d levels", len(part))
		}
		for rows.Next() {
			lvl, err := scanStock(rows, t.tenant)
			if err != nil {
				rows.Close()
				return nil, interpretError(err, "stock of %d levels", len(part))
			}
			got[stockKey{lvl.SKU, lvl.LocationID}] = lvl
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, interpretError(err, "stock of %d levels", len(part))
		}
	}
	return got, nil
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
