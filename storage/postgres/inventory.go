package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/storage"
)

// inventoryRepo stores items, locations, stock levels and the movement
// ledger of the transaction's tenant.
type inventoryRepo struct{ t *tx }

var _ storage.InventoryRepository = inventoryRepo{}

// PutItem creates or replaces the item with it.SKU.
func (r inventoryRepo) PutItem(ctx context.Context, it inventory.Item) error {
	_, err := r.t.pg.Exec(ctx, r.t.s.q.putItem, r.t.tenant, it.SKU, it.Name, it.CreatedAt)
	return interpretError(fmt.Sprintf("put item %q", it.SKU), err)
}

// GetItem returns the item with this SKU, or ErrNotFound.
func (r inventoryRepo) GetItem(ctx context.Context, sku string) (inventory.Item, error) {
	it := inventory.Item{Tenant: r.t.tenant, SKU: sku}
	if err := r.t.pg.QueryRow(ctx, r.t.s.q.getItem, r.t.tenant, sku).Scan(&it.Name, &it.CreatedAt); err != nil {
		return inventory.Item{}, interpretError(fmt.Sprintf("get item %q", sku), err)
	}
	it.CreatedAt = it.CreatedAt.UTC()
	return it, nil
}

var _ storage.ItemBatcher = (*tx)(nil)

// GetItems returns the items of these SKUs in the catalogue, in one
// statement. The same round trip reads ahead the SKUs' stock levels and the
// locations holding them, which a placement asks for next (see readAhead). The
// first time in a transaction that has not changed stock yet, it locks
// those stock levels, in the global lock order, until the transaction
// ends, so that the placement's stock change is worked out from them and
// queued (see readAheadAll). After a Prefetch of the same SKUs, it
// answers from what that read (see getItemsAhead).
func (t *tx) GetItems(ctx context.Context, skus []string) ([]inventory.Item, error) {
	return t.getItemsAhead(ctx, skus)
}

// CreateLocation stores l with Version 1; ErrDuplicate if its ID or Code
// exists in the tenant.
func (r inventoryRepo) CreateLocation(ctx context.Context, l *inventory.Location) error {
	op := "create location " + l.ID.String()
	addr, err := json.Marshal(l.Address)
	if err != nil {
		return fmt.Errorf("postgres: %s: encode address: %w", op, err)
	}
	tag, err := r.t.pg.Exec(ctx, r.t.s.q.createLocation, r.t.tenant, l.ID, l.Code, l.Name,
		l.Coordinates.Lat, l.Coordinates.Lon, l.Priority, l.Active, l.CreatedAt, l.UpdatedAt, addr, l.TimeZone)
	if err != nil {
		return interpretError(op, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: %s (code %q): %w", op, l.Code, storage.ErrDuplicate)
	}
	r.t.knowLocation(l.ID)
	prev := l.Version
	l.Version = 1
	r.t.onRollback(func() { l.Version = prev })
	return nil
}

// GetLocation returns the location, or ErrNotFound.
func (r inventoryRepo) GetLocation(ctx context.Context, id uuid.UUID) (*inventory.Location, error) {
	rows, err := r.t.pg.Query(ctx, r.t.s.q.getLocation, r.t.tenant, id)
	if err != nil {
		return nil, interpretError("get location "+id.String(), err)
	}
	l, err := pgx.CollectExactlyOneRow(rows, locationIn(r.t.tenant))
	if err != nil {
		return nil, interpretError("get location "+id.String(), err)
	}
	r.t.knowLocation(l.ID)
	return l, nil
}

// ListLocations returns every location of the tenant, ordered by Code
// (byte order).
func (r inventoryRepo) ListLocations(ctx context.Context) ([]*inventory.Location, error) {
	rows, err := r.t.pg.Query(ctx, r.t.s.q.listLocations, r.t.tenant)
	if err != nil {
		return nil, interpretError("list locations", err)
	}
	ls, err := pgx.CollectRows(rows, locationIn(r.t.tenant))
	if err != nil {
		return nil, interpretError("list locations", err)
	}
	for _, l := range ls {
		r.t.knowLocation(l.ID)
	}
	return ls, nil
}

var _ storage.LocationBatcher = (*tx)(nil)

// GetLocations returns the locations with these IDs, ordered by Code
// (byte order) then ID, in one statement, or from what GetItems or
// Prefetch read ahead: the locations holding levels of their SKUs.
func (t *tx) GetLocations(ctx context.Context, ids []uuid.UUID) ([]*inventory.Location, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	ls, ahead := t.aheadLocations(ids)
	if !ahead {
		rows, err := t.pg.Query(ctx, t.s.q.getLocations, t.tenant, ids)
		if err != nil {
			return nil, interpretError("get locations", err)
		}
		if ls, err = pgx.CollectRows(rows, locationIn(t.tenant)); err != nil {
			return nil, interpretError("get locations", err)
		}
	}
	for _, l := range ls {
		t.knowLocation(l.ID)
	}
	return ls, nil
}

// knowLocation records that the location with this ID exists.
func (t *tx) knowLocation(id uuid.UUID) {
	if t.locations == nil {
		t.locations = make(map[uuid.UUID]struct{})
	}
	t.locations[id] = struct{}{}
}

// locationExists reports whether the location exists, asking PostgreSQL
// only about one the transaction did not read or create.
func (t *tx) locationExists(ctx context.Context, id uuid.UUID) (bool, error) {
	if _, ok := t.locations[id]; ok {
		return true, nil
	}
	var known bool
	if err := t.pg.QueryRow(ctx, t.s.q.locationExists, t.tenant, id).Scan(&known); err != nil {
		return false, err
	}
	if known {
		t.knowLocation(id)
	}
	return known, nil
}

// locationIn returns a reader of the locationCols of a location of tenant
// (a statement names the tenant, so its rows need not carry it).
func locationIn(tenant string) pgx.RowToFunc[*inventory.Location] {
	return func(row pgx.CollectableRow) (*inventory.Location, error) {
		var (
			l    = inventory.Location{Tenant: tenant}
			addr []byte
		)
		if err := row.Scan(&l.ID, &l.Code, &l.Name, &l.Coordinates.Lat, &l.Coordinates.Lon,
			&l.Priority, &l.Active, &l.Version, &l.CreatedAt, &l.UpdatedAt, &addr, &l.TimeZone); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(addr, &l.Address); err != nil {
			return nil, fmt.Errorf("decode address of location %s: %w", l.ID, err)
		}
		l.CreatedAt, l.UpdatedAt = l.CreatedAt.UTC(), l.UpdatedAt.UTC()
		return &l, nil
	}
}

// StockLevels returns the levels of these SKUs (every level for nil skus),
// ordered by SKU (byte order) then location ID.
func (r inventoryRepo) StockLevels(ctx context.Context, skus []string) ([]inventory.StockLevel, error) {
	if ls, ok := r.t.aheadLevels(skus); ok {
		return ls, nil
	}
	st := r.t.stockLevelsStmt(skus)
	rows, err := r.t.pg.Query(ctx, st.sql, st.args...)
	if err != nil {
		return nil, interpretError("stock levels", err)
	}
	ls, err := pgx.CollectRows(rows, stockLevelIn(r.t.tenant))
	return ls, interpretError("stock levels", err)
}

// stockLevelIn returns a reader of the stockCols of a stock level of
// tenant (a statement names the tenant, so its rows need not carry it).
func stockLevelIn(tenant string) pgx.RowToFunc[inventory.StockLevel] {
	return func(row pgx.CollectableRow) (inventory.StockLevel, error) {
		l := inventory.StockLevel{Tenant: tenant}
		err := row.Scan(&l.SKU, &l.LocationID, &l.OnHand, &l.Reserved, &l.Version, &l.UpdatedAt)
		l.UpdatedAt = l.UpdatedAt.UTC()
		return l, err
	}
}

// ApplyMovement changes the (m.SKU, m.LocationID) level by m's deltas in
// one conditional statement and appends m to the ledger (a write queued on
// the transaction, see pipe). A level the transaction holds locked
// (GetItems read it ahead) is changed by a queued write instead, from its
// value as the transaction knows it, with the same checks and errors (see
// applyKnown).
//
// The movement is first checked as inventory.StockLevel.Apply checks it
// (an invalid one returns its *fielderr.Error). Then a movement
// that is valid from a zero level (receive, restock, positive adjust) is
// one upsert: it creates the level or changes it if the bounds hold; any
// other movement is one conditional UPDATE of an existing level. When no row
// changes, the current level is read and Apply's error returned (a
// *inventory.ShortageError matching inventory.ErrInsufficientStock, or a
// validation error on overflow), with nothing written. An unknown location
// returns an error wrapping storage.ErrNotFound.
func (r inventoryRepo) ApplyMovement(ctx context.Context, m inventory.Movement) (inventory.StockLevel, inventory.Movement, error) {
	t := r.t
	if levels, applied, ok, err := t.applyKnown([]inventory.Movement{m}); ok {
		if err != nil {
			return inventory.StockLevel{}, m, err
		}
		return levels[0], applied[0], nil
	}
	t.stockLocked = true
	lvl, done, err := r.applyMovement(ctx, m)
	if err != nil {
		t.forgetLevels([]inventory.Movement{m})
		return lvl, done, err
	}
	t.levelsChanged([]inventory.StockLevel{lvl})
	return lvl, done, nil
}

// applyMovement is ApplyMovement for a level the transaction does not
// hold locked.
func (r inventoryRepo) applyMovement(ctx context.Context, m inventory.Movement) (inventory.StockLevel, inventory.Movement, error) {
	t, q := r.t, r.t.s.q
	op := fmt.Sprintf("apply movement to %q at %s", m.SKU, m.LocationID)
	known, err := t.locationExists(ctx, m.LocationID)
	if err != nil {
		return inventory.StockLevel{}, m, interpretError(op, err)
	}
	if !known {
		return inventory.StockLevel{}, m, fmt.Errorf("postgres: %s: location: %w", op, storage.ErrNotFound)
	}
	zero := inventory.StockLevel{Tenant: t.tenant, SKU: m.SKU, LocationID: m.LocationID}
	_, _, zeroErr := zero.Apply(m)
	var shortage *inventory.ShortageError
	if zeroErr != nil && !errors.As(zeroErr, &shortage) {
		return inventory.StockLevel{}, m, zeroErr
	}

	stmt := q.updateStock
	if zeroErr == nil {
		stmt = q.upsertStock
	}
	rows, err := t.pg.Query(ctx, stmt, t.tenant, m.SKU, m.LocationID, m.OnHandDelta, m.ReservedDelta, m.At)
	if err != nil {
		return inventory.StockLevel{}, m, interpretError(op, err)
	}
	next, err := pgx.CollectExactlyOneRow(rows, stockLevelIn(t.tenant))
	if errors.Is(err, pgx.ErrNoRows) {
		// The bounds failed: report the shortage against the level as it is.
		rows, err := t.pg.Query(ctx, q.stockLevel, t.tenant, m.SKU, m.LocationID)
		if err != nil {
			return inventory.StockLevel{}, m, interpretError(op, err)
		}
		cur, err := pgx.CollectExactlyOneRow(rows, stockLevelIn(t.tenant))
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			cur = zero
		case err != nil:
			return inventory.StockLevel{}, m, interpretError(op, err)
		}
		if _, _, err := cur.Apply(m); err != nil {
			return inventory.StockLevel{}, m, err
		}
		// The level changed between the two statements.
		return inventory.StockLevel{}, m, fmt.Errorf("postgres: %s: level changed concurrently: %w", op, storage.ErrConflict)
	}
	if err != nil {
		return inventory.StockLevel{}, m, interpretError(op, err)
	}
	next.UpdatedAt = m.At
	m.Tenant = t.tenant
	m.OnHandAfter, m.ReservedAfter = next.OnHand, next.Reserved
	t.ledger(m)
	return next, m, nil
}

// ListMovements returns the ledger entries matching f, in the order they
// were applied.
func (t *tx) ListMovements(ctx context.Context, mf storage.MovementFilter) ([]inventory.Movement, error) {
	var f filter
	f.add("tenant = ", t.tenant)
	if mf.SKU != "" {
		f.add("sku = ", mf.SKU)
	}
	if mf.LocationID != uuid.Nil {
		f.add("location_id = ", mf.LocationID)
	}
	if mf.OrderID != uuid.Nil {
		f.add("order_id = ", mf.OrderID)
	}
	rows, err := t.pg.Query(ctx, t.s.q.movements+f.where()+" ORDER BY seq", f.args...)
	if err != nil {
		return nil, interpretError("movements", err)
	}
	ms, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (inventory.Movement, error) {
		var (
			m       inventory.Movement
			kind    string
			orderID *uuid.UUID
		)
		err := row.Scan(&m.ID, &m.Tenant, &m.SKU, &m.LocationID, &kind, &m.Quantity, &m.OnHandDelta,
			&m.ReservedDelta, &m.OnHandAfter, &m.ReservedAfter, &orderID, &m.Reason, &m.At)
		m.Kind = inventory.MovementKind(kind)
		if orderID != nil {
			m.OrderID = *orderID
		}
		m.At = m.At.UTC()
		return m, err
	})
	return ms, interpretError("movements", err)
}

// reservationColumns are the columns of reservations after the key.
var reservationColumns = []string{"order_id", "line_id", "sku", "location_id", "quantity", "status", "created_at", "updated_at"}

// reservationTable returns the table of reservations: plain columns, no
// document.
func reservationTable(rep *strings.Replacer) *aggTable[inventory.Reservation] {
	t := &aggTable[inventory.Reservation]{
		what: "reservation", orderCol: "order_id", cols: reservationColumns,
		sel: "version, tenant, id, " + strings.Join(reservationColumns, ", "),
		values: func(v *inventory.Reservation) ([]any, error) {
			return []any{v.OrderID, v.LineID, v.SKU, v.LocationID, v.Quantity, string(v.Status), v.CreatedAt, v.UpdatedAt}, nil
		},
		read: func(row pgx.Row) (*inventory.Reservation, error) {
			var (
				v      inventory.Reservation
				status string
			)
			if err := row.Scan(&v.Version, &v.Tenant, &v.ID, &v.OrderID, &v.LineID, &v.SKU, &v.LocationID,
				&v.Quantity, &status, &v.CreatedAt, &v.UpdatedAt); err != nil {
				return nil, err
			}
			v.Status = inventory.ReservationStatus(status)
			v.CreatedAt, v.UpdatedAt = v.CreatedAt.UTC(), v.UpdatedAt.UTC()
			return &v, nil
		},
	}
	return t.build(rep, "reservations")
}

// insertReservationsSQL creates reservations with version 1 from rows of
// arrays ($1 the tenant), in one statement; an existing ID fails it.
const insertReservationsSQL = `INSERT INTO {reservations}
		(tenant, id, version, order_id, line_id, sku, location_id, quantity, status, created_at, updated_at)
	SELECT $1, u.id, 1, u.order_id, u.line_id, u.sku, u.location_id, u.quantity, u.status, u.created_at, u.updated_at
	FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::uuid[], $7::bigint[], $8::text[],
		$9::timestamptz[], $10::timestamptz[])
		AS u(id, order_id, line_id, sku, location_id, quantity, status, created_at, updated_at)`

// newFewReservations returns insertReservationsSQL's forms of few rows.
func newFewReservations(rep *strings.Replacer) *fewRows {
	return newFewRows(rep, `INSERT INTO {reservations}
		(tenant, id, version, order_id, line_id, sku, location_id, quantity, status, created_at, updated_at)
	SELECT $1, u.id, 1, u.order_id, u.line_id, u.sku, u.location_id, u.quantity, u.status, u.created_at, u.updated_at
	FROM `, `u(id, order_id, line_id, sku, location_id, quantity, status, created_at, updated_at)`,
		[]string{"uuid", "uuid", "uuid", "text", "uuid", "bigint", "text", "timestamptz", "timestamptz"}, false, "")
}

// reservationRows are the rows of one queued insertReservationsSQL.
type reservationRows struct {
	forms                    *fewRows
	tenant                   string
	ids, orders, lines, locs []uuid.UUID
	skus, statuses           []string
	quantities               []int64
	createdAt, updatedAt     []time.Time
}

// args returns the arguments of insertReservationsSQL.
func (r *reservationRows) args() []any {
	return []any{r.tenant, r.ids, r.orders, r.lines, r.skus, r.locs, r.quantities, r.statuses, r.createdAt, r.updatedAt}
}

// few returns the rows as a form of insertReservationsSQL's few rows.
func (r *reservationRows) few() (string, []any, bool) {
	return r.forms.rows(r.tenant, len(r.ids), 9, func(args []any, i int) []any {
		return append(args, r.ids[i], r.orders[i], r.lines[i], r.skus[i], r.locs[i], r.quantities[i], r.statuses[i],
			r.createdAt[i], r.updatedAt[i])
	})
}

// queueReservation queues the create of the reservation whose insert
// arguments (those of aggTable.insert: tenant, id, version, then
// reservationColumns) are args, as a row of a set-based insert.
func queueReservation(t *tx, op string, args []any) {
	laterRows(t.pg, op, "create reservations", t.s.q.insertReservations,
		func() *reservationRows { return &reservationRows{forms: t.s.q.fewReservations, tenant: t.tenant} },
		func(r *reservationRows) {
			r.ids = append(r.ids, args[1].(uuid.UUID))
			r.orders = append(r.orders, args[3].(uuid.UUID))
			r.lines = append(r.lines, args[4].(uuid.UUID))
			r.skus = append(r.skus, args[5].(string))
			r.locs = append(r.locs, args[6].(uuid.UUID))
			r.quantities = append(r.quantities, args[7].(int64))
			r.statuses = append(r.statuses, args[8].(string))
			r.createdAt = append(r.createdAt, args[9].(time.Time))
			r.updatedAt = append(r.updatedAt, args[10].(time.Time))
		})
}

// idempotencyRepo stores the tenant's idempotency records.
type idempotencyRepo struct{ t *tx }

// Get returns the record for key, or ErrNotFound: from what Prefetch read
// ahead when it can (see aheadRecord), else with a statement.
func (r idempotencyRepo) Get(ctx context.Context, key string) (storage.IdempotencyRecord, error) {
	var rec storage.IdempotencyRecord
	var err error
	if a, ok := r.t.aheadRecord(key); ok {
		rec, err = a.rec, a.err
	} else if rec, err = scanIdempotencyRecord(r.t.pg.QueryRow(ctx, r.t.s.q.idemGet, r.t.tenant, key)); err != nil {
		err = idempotencyLookupError(key, err)
	}
	if errors.Is(err, storage.ErrNotFound) {
		r.t.sawAbsent(key)
	}
	return rec, err
}

// scanIdempotencyRecord reads the row of the idemGet statement; its error
// is Scan's (pgx.ErrNoRows when there is no record).
func scanIdempotencyRecord(row pgx.Row) (storage.IdempotencyRecord, error) {
	var rec storage.IdempotencyRecord
	if err := row.Scan(&rec.Key, &rec.Operation, &rec.ResourceID, &rec.CreatedAt, &rec.Fingerprint); err != nil {
		return storage.IdempotencyRecord{}, err
	}
	rec.CreatedAt = rec.CreatedAt.UTC()
	return rec, nil
}

// idempotencyLookupError classifies the failed lookup of key: no record is
// storage.ErrNotFound.
func idempotencyLookupError(key string, err error) error {
	return interpretError(fmt.Sprintf("idempotency key %q", key), err)
}

// Put stores rec; ErrDuplicate if its key exists.
//
// A key this transaction found absent (Get returned ErrNotFound), as the
// engine's are, is inserted by a write queued on the transaction (see
// pipe): only a concurrent transaction can have inserted it since, and
// then the statement the insert rides with, or the commit, fails with an
// error wrapping both ErrDuplicate and ErrConflict (retrying finds the
// record). Any other key is inserted at once, and a duplicate returns
// ErrDuplicate without aborting the transaction.
func (r idempotencyRepo) Put(ctx context.Context, rec storage.IdempotencyRecord) error {
	op := fmt.Sprintf("put idempotency key %q", rec.Key)
	if _, ok := r.t.absent[rec.Key]; ok {
		delete(r.t.absent, rec.Key)
		r.t.pg.laterInsert(op, "put idempotency keys", r.t.s.q.idemInsertMany, true,
			r.t.tenant, rec.Key, rec.Operation, rec.ResourceID, rec.CreatedAt, rec.Fingerprint)
		return nil
	}
	tag, err := r.t.pg.Exec(ctx, r.t.s.q.idemPut, r.t.tenant, rec.Key, rec.Operation, rec.ResourceID, rec.CreatedAt, rec.Fingerprint)
	if err != nil {
		return interpretError(op, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: %s: %w", op, storage.ErrDuplicate)
	}
	return nil
}

// sawAbsent records that the transaction found no record for key.
func (t *tx) sawAbsent(key string) {
	if t.absent == nil {
		t.absent = make(map[string]struct{})
	}
	t.absent[key] = struct{}{}
}

// Delete removes the record for key; a missing key is not an error.
func (r idempotencyRepo) Delete(ctx context.Context, key string) error {
	_, err := r.t.pg.Exec(ctx, r.t.s.q.idemDelete, r.t.tenant, key)
	return interpretError(fmt.Sprintf("delete idempotency key %q", key), err)
}
