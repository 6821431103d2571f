package postgres

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/storage"
)

var _ storage.MovementBatcher = (*tx)(nil)

// applyMovementsSQL changes every listed level that exists by the sum of
// its movements' deltas, in one statement: the levels are locked first, by
// SKU (byte order) then location ID, the order the storage contract gives
// every transaction, and a level whose bounds the sum would break is left
// as it is and not returned. $7 holds each level's version increase (its
// number of movements) and $6 the time of its last movement.
const applyMovementsSQL = `WITH m AS (
		SELECT * FROM unnest($2::text[], $3::uuid[], $4::bigint[], $5::bigint[], $6::timestamptz[], $7::int[])
			AS m(sku, location_id, d_on_hand, d_reserved, at, n)
	), l AS MATERIALIZED (
		SELECT s.sku, s.location_id FROM {stock_levels} s
		JOIN m ON s.sku = m.sku AND s.location_id = m.location_id
		WHERE s.tenant = $1
		ORDER BY s.sku COLLATE "C", s.location_id
		FOR UPDATE OF s
	)
	UPDATE {stock_levels} AS s
	SET on_hand = s.on_hand + m.d_on_hand, reserved = s.reserved + m.d_reserved,
		version = s.version + m.n, updated_at = m.at
	FROM m JOIN l ON l.sku = m.sku AND l.location_id = m.location_id
	WHERE s.tenant = $1 AND s.sku = m.sku AND s.location_id = m.location_id
		AND s.on_hand::numeric + m.d_on_hand >= 0 AND s.reserved::numeric + m.d_reserved >= 0
		AND s.reserved::numeric + m.d_reserved <= s.on_hand::numeric + m.d_on_hand
		AND s.on_hand::numeric + m.d_on_hand <= 9223372036854775807
	RETURNING s.tenant, s.sku, s.location_id, s.on_hand, s.reserved, s.version, s.updated_at`

// levelKey names one stock level of the transaction's tenant.
type levelKey struct {
	sku string
	loc uuid.UUID
}

// levelChange is the sum of one level's movements in a batch.
type levelChange struct {
	onHand, reserved int64
	n                int
	at               time.Time
}

// ApplyMovements applies ms as ApplyMovement would, one after another: the
// levels that exist change in one statement that locks them in order (a
// round trip for the whole batch), and each movement's after-values are
// worked out from the level's value before the batch. A movement whose
// level is absent, or whose level the batch's sum would take out of
// bounds, goes through ApplyMovement instead, which creates the level or
// returns the shortage; a batch of one is just that call.
func (t *tx) ApplyMovements(ctx context.Context, ms []inventory.Movement) ([]inventory.StockLevel, []inventory.Movement, error) {
	if len(ms) < 2 {
		return storage.ApplyMovements(ctx, txOnly{t}, ms)
	}
	inv := inventoryRepo{t}
	sums, order, ok, err := t.sumMovements(ctx, ms)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return storage.ApplyMovements(ctx, txOnly{t}, ms)
	}
	after, err := t.applySums(ctx, sums, order)
	if err != nil {
		return nil, nil, err
	}
	// The level before the batch, then each movement in turn.
	current := make(map[levelKey]inventory.StockLevel, len(after))
	for k, lvl := range after {
		c := sums[k]
		lvl.OnHand -= c.onHand
		lvl.Reserved -= c.reserved
		lvl.Version -= int64(c.n)
		current[k] = lvl
	}
	levels := make([]inventory.StockLevel, 0, len(ms))
	applied := make([]inventory.Movement, 0, len(ms))
	for _, m := range ms {
		m.Tenant = t.tenant
		k := levelKey{m.SKU, m.LocationID}
		cur, batched := current[k]
		if !batched {
			lvl, done, err := inv.ApplyMovement(ctx, m)
			if err != nil {
				return nil, nil, err
			}
			levels, applied = append(levels, lvl), append(applied, done)
			continue
		}
		next, done, err := cur.Apply(m)
		if err != nil {
			// The sum was in bounds but this step is not (movements of
			// both signs on one level): the caller rolls the batch back.
			return nil, nil, err
		}
		next.Version = cur.Version + 1
		current[k] = next
		t.ledger(done)
		levels, applied = append(levels, next), append(applied, done)
	}
	return levels, applied, nil
}

// sumMovements checks each movement as ApplyMovement does (a valid
// movement, a known location) and adds up each level's deltas, keeping the
// levels in the order they first appear. ok is false when a sum would
// overflow; then the movements go one by one.
func (t *tx) sumMovements(ctx context.Context, ms []inventory.Movement) (map[levelKey]*levelChange, []levelKey, bool, error) {
	sums := make(map[levelKey]*levelChange, len(ms))
	var order []levelKey
	ok := true
	for _, m := range ms {
		op := fmt.Sprintf("apply movement to %q at %s", m.SKU, m.LocationID)
		zero := inventory.StockLevel{Tenant: t.tenant, SKU: m.SKU, LocationID: m.LocationID}
		var shortage *inventory.ShortageError
		if _, _, err := zero.Apply(m); err != nil && !errors.As(err, &shortage) {
			return nil, nil, false, err
		}
		known, err := t.locationExists(ctx, m.LocationID)
		if err != nil {
			return nil, nil, false, interpretError(op, err)
		}
		if !known {
			return nil, nil, false, fmt.Errorf("postgres: %s: location: %w", op, storage.ErrNotFound)
		}
		k := levelKey{m.SKU, m.LocationID}
		c := sums[k]
		if c == nil {
			c = &levelChange{}
			sums[k] = c
			order = append(order, k)
		}
		c.onHand, ok = sumChecked(c.onHand, m.OnHandDelta, ok)
		c.reserved, ok = sumChecked(c.reserved, m.ReservedDelta, ok)
		c.n++
		c.at = m.At
	}
	return sums, order, ok, nil
}

// sumChecked returns a+b, and ok false (or ok as it was) when that
// overflows.
func sumChecked(a, b int64, ok bool) (int64, bool) {
	if (b > 0 && a > math.MaxInt64-b) || (b < 0 && a < math.MinInt64-b) {
		return a, false
	}
	return a + b, ok
}

// applySums runs applyMovementsSQL over the sums and returns each changed
// level after its sum.
func (t *tx) applySums(ctx context.Context, sums map[levelKey]*levelChange, order []levelKey) (map[levelKey]inventory.StockLevel, error) {
	n := len(order)
	skus, locs := make([]string, n), make([]uuid.UUID, n)
	dOn, dRes := make([]int64, n), make([]int64, n)
	ats, counts := make([]time.Time, n), make([]int32, n)
	for i, k := range order {
		c := sums[k]
		skus[i], locs[i], dOn[i], dRes[i], ats[i], counts[i] = k.sku, k.loc, c.onHand, c.reserved, c.at, int32(c.n)
	}
	const op = "apply movements"
	rows, err := t.pg.Query(ctx, t.s.q.applyMovements, t.tenant, skus, locs, dOn, dRes, ats, counts)
	if err != nil {
		return nil, interpretError(op, err)
	}
	changed, err := pgx.CollectRows(rows, scanStockLevel)
	if err != nil {
		return nil, interpretError(op, err)
	}
	after := make(map[levelKey]inventory.StockLevel, len(changed))
	for _, lvl := range changed {
		after[levelKey{lvl.SKU, lvl.LocationID}] = lvl
	}
	return after, nil
}

// txOnly hides a transaction's abilities, so that storage.ApplyMovements
// takes its one-by-one path.
type txOnly struct{ storage.Tx }
