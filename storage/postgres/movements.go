package postgres

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
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
	RETURNING s.sku, s.location_id, s.on_hand, s.reserved, s.version, s.updated_at`

// applyKnownSQL sets levels the transaction holds locked (see
// readAhead) to the values the client worked out from them, in one
// statement queued on the transaction: each row must still have the
// version the client started from ($8), or expect_rows fails the
// statement with OMS01 (a conflict; it cannot happen while the lock is
// held, and would only mean the levels were not what the client knew).
// The CHECK constraint of stock_levels backs the bounds up.
const applyKnownSQL = `WITH changed AS (
		UPDATE {stock_levels} AS s
		SET on_hand = u.on_hand, reserved = u.reserved, version = u.version, updated_at = u.at
		FROM unnest($2::text[], $3::uuid[], $4::bigint[], $5::bigint[], $6::bigint[], $7::timestamptz[], $8::bigint[])
			AS u(sku, location_id, on_hand, reserved, version, at, was)
		WHERE s.tenant = $1 AND s.sku = u.sku AND s.location_id = u.location_id AND s.version = u.was
		RETURNING 1
	)
	SELECT CASE WHEN (SELECT count(*) FROM changed) = cardinality($2::text[]) THEN true
		ELSE {expect_rows}((SELECT count(*) FROM changed), cardinality($2::text[]), true, 'apply movements') END`

// insertMovementsSQL appends ledger entries from rows of arrays, in their
// order ($1 the tenant; a nil order ID is stored as NULL).
const insertMovementsSQL = `INSERT INTO {stock_movements}
		(id, tenant, sku, location_id, kind, quantity, on_hand_delta, reserved_delta,
		 on_hand_after, reserved_after, order_id, reason, at)
	SELECT u.id, $1, u.sku, u.location_id, u.kind, u.quantity, u.d_on_hand, u.d_reserved,
		u.on_hand_after, u.reserved_after, NULLIF(u.order_id, '00000000-0000-0000-0000-000000000000'::uuid),
		u.reason, u.at
	FROM unnest($2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[],
		$9::bigint[], $10::bigint[], $11::uuid[], $12::text[], $13::timestamptz[])
		WITH ORDINALITY AS u(id, sku, location_id, kind, quantity, d_on_hand, d_reserved,
			on_hand_after, reserved_after, order_id, reason, at, n)
	ORDER BY u.n`

// newFewMovements returns insertMovementsSQL's forms of few rows.
func newFewMovements(rep *strings.Replacer) *fewRows {
	return newFewRows(rep, `INSERT INTO {stock_movements}
		(id, tenant, sku, location_id, kind, quantity, on_hand_delta, reserved_delta,
		 on_hand_after, reserved_after, order_id, reason, at)
	SELECT u.id, $1, u.sku, u.location_id, u.kind, u.quantity, u.d_on_hand, u.d_reserved,
		u.on_hand_after, u.reserved_after, NULLIF(u.order_id, '00000000-0000-0000-0000-000000000000'::uuid),
		u.reason, u.at
	FROM `, `u(id, sku, location_id, kind, quantity, d_on_hand, d_reserved,
			on_hand_after, reserved_after, order_id, reason, at, n)`,
		[]string{"uuid", "text", "uuid", "text", "bigint", "bigint", "bigint", "bigint", "bigint", "uuid", "text", "timestamptz"},
		true, " ORDER BY u.n")
}

// ledgerRows are the rows of one queued insertMovementsSQL.
type ledgerRows struct {
	forms                        *fewRows
	tenant                       string
	ids, locs, orders            []uuid.UUID
	skus, kinds, reasons         []string
	qtys, dOn, dRes, onAft, rAft []int64
	ats                          []time.Time
}

// args returns the arguments of insertMovementsSQL.
func (r *ledgerRows) args() []any {
	return []any{r.tenant, r.ids, r.skus, r.locs, r.kinds, r.qtys, r.dOn, r.dRes, r.onAft, r.rAft, r.orders, r.reasons, r.ats}
}

// few returns the rows as a form of insertMovementsSQL's few rows.
func (r *ledgerRows) few() (string, []any, bool) {
	return r.forms.rows(r.tenant, len(r.ids), 12, func(args []any, i int) []any {
		return append(args, r.ids[i], r.skus[i], r.locs[i], r.kinds[i], r.qtys[i], r.dOn[i], r.dRes[i],
			r.onAft[i], r.rAft[i], r.orders[i], r.reasons[i], r.ats[i])
	})
}

// ledger queues the ledger entries of ms, applied, as rows of a set-based
// insert sent with the transaction's next statement (see laterRows).
func (t *tx) ledger(ms ...inventory.Movement) {
	op := "ledger entries"
	if len(ms) == 1 {
		op = fmt.Sprintf("ledger entry of %q at %s", ms[0].SKU, ms[0].LocationID)
	}
	laterRows(t.pg, op, "ledger entries", t.s.q.insertMovements,
		func() *ledgerRows { return &ledgerRows{forms: t.s.q.fewMovements, tenant: t.tenant} },
		func(r *ledgerRows) {
			for _, m := range ms {
				r.ids, r.locs, r.orders = append(r.ids, m.ID), append(r.locs, m.LocationID), append(r.orders, m.OrderID)
				r.skus, r.kinds, r.reasons = append(r.skus, m.SKU), append(r.kinds, string(m.Kind)), append(r.reasons, m.Reason)
				r.qtys, r.dOn, r.dRes = append(r.qtys, m.Quantity), append(r.dOn, m.OnHandDelta), append(r.dRes, m.ReservedDelta)
				r.onAft, r.rAft, r.ats = append(r.onAft, m.OnHandAfter), append(r.rAft, m.ReservedAfter), append(r.ats, m.At)
			}
		})
}

// applyKnown applies ms, in order, when every level they change is one
// the transaction holds locked (t.known): ok is false, and nothing is
// done, otherwise. Each movement is checked as ApplyMovement checks it and
// applied to the level as the transaction knows it, which is the level as
// it is, so the levels, after-values and errors are those ApplyMovement
// would give; the change and the ledger entries are writes queued on the
// transaction (see pipe), which fail on the server if the levels are not
// what the transaction knew. On an error nothing is queued.
func (t *tx) applyKnown(ms []inventory.Movement) (levels []inventory.StockLevel, applied []inventory.Movement, ok bool, err error) {
	if t.known == nil || len(ms) == 0 {
		return nil, nil, false, nil
	}
	for _, m := range ms {
		if _, ok := t.known[levelKey{m.SKU, m.LocationID}]; !ok {
			return nil, nil, false, nil
		}
	}
	next := make(map[levelKey]inventory.StockLevel, len(ms))
	was := make(map[levelKey]int64, len(ms))
	var order []levelKey
	levels = make([]inventory.StockLevel, 0, len(ms))
	applied = make([]inventory.Movement, 0, len(ms))
	for _, m := range ms {
		zero := inventory.StockLevel{Tenant: t.tenant, SKU: m.SKU, LocationID: m.LocationID}
		var shortage *inventory.ShortageError
		if _, _, err := zero.Apply(m); err != nil && !errors.As(err, &shortage) {
			return nil, nil, true, err
		}
		k := levelKey{m.SKU, m.LocationID}
		cur, seen := next[k]
		if !seen {
			cur = t.known[k]
			was[k] = cur.Version
			order = append(order, k)
		}
		m.Tenant = t.tenant
		lvl, done, err := cur.Apply(m)
		if err != nil {
			return nil, nil, true, err
		}
		lvl.Version = cur.Version + 1
		next[k] = lvl
		levels, applied = append(levels, lvl), append(applied, done)
	}
	n := len(order)
	skus, locs := make([]string, n), make([]uuid.UUID, n)
	onHand, reserved, versions, prev := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	ats := make([]time.Time, n)
	for i, k := range order {
		l := next[k]
		skus[i], locs[i], onHand[i], reserved[i], versions[i], ats[i], prev[i] = k.sku, k.loc, l.OnHand, l.Reserved, l.Version, l.UpdatedAt, was[k]
		t.known[k] = l
	}
	t.pg.later("apply movements", t.s.q.applyKnown, t.tenant, skus, locs, onHand, reserved, versions, ats, prev)
	t.ledger(applied...)
	return levels, applied, true, nil
}

// levelsChanged records the levels a statement of the transaction
// changed, for those it holds locked.
func (t *tx) levelsChanged(levels []inventory.StockLevel) {
	for _, l := range levels {
		if k := (levelKey{l.SKU, l.LocationID}); t.known != nil {
			if _, ok := t.known[k]; ok {
				t.known[k] = l
			}
		}
	}
}

// forgetLevels stops the transaction from applying movements to the
// levels of ms from what it knows of them: after a failed batch, some of
// its movements may have changed them.
func (t *tx) forgetLevels(ms []inventory.Movement) {
	for _, m := range ms {
		delete(t.known, levelKey{m.SKU, m.LocationID})
	}
}

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

// ApplyMovements applies ms as ApplyMovement would, one after another.
//
// When the transaction holds every level of ms locked (GetItems read them
// ahead, see readAhead), the movements are applied to the levels as it
// knows them, without a round trip: the change of every level and the
// ledger entries are writes queued on the transaction, and an error
// (a shortage, an invalid movement) is the one ApplyMovement would return,
// with nothing queued.
//
// Otherwise the levels that exist change in one statement that locks them
// in order (a round trip for the whole batch), and each movement's
// after-values are worked out from the level's value before the batch. A
// movement whose level is absent, or whose level the batch's sum would
// take out of bounds, goes through ApplyMovement instead, which creates
// the level or returns the shortage; a batch of one is just that call.
func (t *tx) ApplyMovements(ctx context.Context, ms []inventory.Movement) ([]inventory.StockLevel, []inventory.Movement, error) {
	if levels, applied, ok, err := t.applyKnown(ms); ok {
		return levels, applied, err
	}
	t.stockLocked = true
	levels, applied, err := t.applyMovements(ctx, ms)
	if err != nil {
		t.forgetLevels(ms)
		return nil, nil, err
	}
	t.levelsChanged(levels)
	return levels, applied, nil
}

// applyMovements is ApplyMovements for levels the transaction does not
// all hold locked.
func (t *tx) applyMovements(ctx context.Context, ms []inventory.Movement) ([]inventory.StockLevel, []inventory.Movement, error) {
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
	changed, err := pgx.CollectRows(rows, stockLevelIn(t.tenant))
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
