package postgres

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ordersmith/oms/fulfillment"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/returns"
	"github.com/ordersmith/oms/shipping"
	"github.com/ordersmith/oms/storage"
)

// tx is one transaction scoped to one tenant.
type tx struct {
	s      *Store
	pg     *pipe
	tenant string
	undo   []func()
	// locations holds the IDs of the locations the transaction read or
	// created: they exist (locations are never deleted).
	locations map[uuid.UUID]struct{}
	// lines holds, by order ID, the lines of the order as the transaction
	// read or wrote them, at that version: an update that keeps them
	// does not rewrite them.
	lines map[uuid.UUID]storedLines
	// ahead holds what GetItems read ahead (see readAhead).
	ahead *readAhead
	// absent holds the idempotency keys the transaction found absent and
	// has not put since.
	absent map[string]struct{}
	// known holds the stock levels the transaction locked (see
	// readAhead), as they are now: nothing but the transaction can change
	// them until it ends.
	known map[levelKey]inventory.StockLevel
	// stockLocked reports that the transaction locked stock levels, or
	// may have, so that locking more ahead could break the lock order.
	stockLocked bool
}

var (
	_ storage.Tx             = (*tx)(nil)
	_ storage.OrderLister    = (*tx)(nil)
	_ storage.MovementLister = (*tx)(nil)
	_ storage.Aggregates     = aggregates{}
)

// onRollback registers f to run if the transaction does not commit.
func (t *tx) onRollback(f func()) { t.undo = append(t.undo, f) }

// restore runs the rollback hooks, newest first.
func (t *tx) restore() {
	for i := len(t.undo) - 1; i >= 0; i-- {
		t.undo[i]()
	}
	t.undo = nil
}

// Tenant returns the tenant the transaction is scoped to.
func (t *tx) Tenant() string { return t.tenant }

// Aggregates returns the repository of every versioned aggregate: one table
// per kind.
func (t *tx) Aggregates() storage.Aggregates { return aggregates{t} }

// Inventory returns the catalogue, locations and stock levels.
func (t *tx) Inventory() storage.InventoryRepository { return inventoryRepo{t} }

// Outbox returns the outbox to append events to.
func (t *tx) Outbox() storage.Outbox { return outboxRepo{t} }

// Idempotency returns the idempotency records.
func (t *tx) Idempotency() storage.IdempotencyRepository { return idempotencyRepo{t} }

// kindRepo is the repository of one kind of aggregate, untyped: what
// aggregates dispatches to. aggRepo implements it for every kind.
type kindRepo interface {
	create(ctx context.Context, a storage.Aggregate, m storage.Meta) error
	update(ctx context.Context, a storage.Aggregate, m storage.Meta) error
	get(ctx context.Context, id uuid.UUID) (storage.Aggregate, error)
	listByOrder(ctx context.Context, orderID uuid.UUID) ([]storage.Aggregate, error)
	scan(ctx context.Context, after uuid.UUID, limit int) ([]storage.Aggregate, error)
}

// aggregates is the transaction's storage.Aggregates: it dispatches each
// call on the aggregate's kind to the repository of that kind's table.
type aggregates struct{ t *tx }

// repo returns the repository of kind, or an error wrapping
// storage.ErrNotAggregate.
func (a aggregates) repo(op string, kind storage.Kind) (kindRepo, error) {
	q := a.t.s.q
	switch kind {
	case storage.KindOrder:
		return aggRepo[order.Order]{a.t, q.orders}, nil
	case storage.KindPayment:
		return aggRepo[payment.Payment]{a.t, q.payments}, nil
	case storage.KindFulfillment:
		return aggRepo[fulfillment.FulfillmentOrder]{a.t, q.fulfillments}, nil
	case storage.KindShipment:
		return aggRepo[shipping.Shipment]{a.t, q.shipments}, nil
	case storage.KindReturn:
		return aggRepo[returns.Return]{a.t, q.returns}, nil
	case storage.KindReservation:
		return aggRepo[inventory.Reservation]{a.t, q.reservations}, nil
	}
	return nil, fmt.Errorf("postgres: %s: kind %q: %w", op, kind, storage.ErrNotAggregate)
}

// describe returns the Meta of a and the repository of its kind, or an
// error wrapping storage.ErrNotAggregate.
func (a aggregates) describe(op string, v storage.Aggregate) (storage.Meta, kindRepo, error) {
	m, err := storage.Describe(v)
	if err != nil {
		return storage.Meta{}, nil, fmt.Errorf("postgres: %s: %w", op, err)
	}
	r, err := a.repo(op, m.Kind)
	return m, r, err
}

// Create stores v with version 1 in its kind's table; ErrDuplicate if its
// ID exists there, an error wrapping ErrNotAggregate if v is not an
// aggregate.
func (a aggregates) Create(ctx context.Context, v storage.Aggregate) error {
	m, r, err := a.describe("create", v)
	if err != nil {
		return err
	}
	return r.create(ctx, v, m)
}

// Get returns the aggregate of kind with this ID, or ErrNotFound.
func (a aggregates) Get(ctx context.Context, kind storage.Kind, id uuid.UUID) (storage.Aggregate, error) {
	r, err := a.repo("get", kind)
	if err != nil {
		return nil, err
	}
	return r.get(ctx, id)
}

// Update stores v if its version is current and increments it; ErrConflict
// if stale, ErrNotFound if absent. On rollback v's version is restored.
func (a aggregates) Update(ctx context.Context, v storage.Aggregate) error {
	m, r, err := a.describe("update", v)
	if err != nil {
		return err
	}
	return r.update(ctx, v, m)
}

// ListByOrder returns the order's aggregates of kind, oldest first (by
// created_at, then id); for KindOrder, the order itself if it exists.
func (a aggregates) ListByOrder(ctx context.Context, kind storage.Kind, orderID uuid.UUID) ([]storage.Aggregate, error) {
	r, err := a.repo("list by order", kind)
	if err != nil {
		return nil, err
	}
	return r.listByOrder(ctx, orderID)
}

// Scan returns up to limit aggregates of kind with an ID above after, by
// ID; PostgreSQL compares uuids in byte order. A limit below 1 returns
// none, and one above storage.MaxPageSize is MaxPageSize.
func (a aggregates) Scan(ctx context.Context, kind storage.Kind, after uuid.UUID, limit int) ([]storage.Aggregate, error) {
	r, err := a.repo("scan", kind)
	if err != nil {
		return nil, err
	}
	if limit < 1 {
		return nil, nil
	}
	return r.scan(ctx, after, min(limit, storage.MaxPageSize))
}

// aggTable describes the table of one kind of versioned aggregate, T being
// the aggregate type (*T is an aggregate): its key columns tenant, id and
// version ($1, $2, $3), then cols ($4, $5, ...), and how an aggregate is
// written into them and read back. Document kinds keep the whole
// aggregate in a doc column (see docTable); reservations are plain rows.
type aggTable[T any] struct {
	what string // for error messages: "order", "payment", ...
	// orderCol is the column holding Meta.OrderID: "order_id", or "id"
	// for orders.
	orderCol string
	// cols are the columns after version; a column named with a "::type"
	// suffix gets that cast.
	cols []string
	// derived are columns after cols whose values the statements compute
	// from other columns' parameters.
	derived []derivedColumn
	// sel is the list of columns every query reading aggregates selects.
	sel string
	// values returns the values of cols, in order.
	values func(*T) ([]any, error)
	// read scans one row of sel into a new T, its version set.
	read func(pgx.Row) (*T, error)
	// after, when set, runs after each successful write (order lines),
	// prev being the version v had before (0 for a create).
	after func(ctx context.Context, t *tx, v *T, prev int64) error
	// seen, when set, runs on each aggregate read.
	seen func(t *tx, v *T)
	// createRows, when set, queues a create as rows of a set-based
	// insert (see laterRows) instead of an insert of its own: for kinds
	// created many at a time (reservations).
	createRows func(t *tx, op string, args []any)

	insert, update, get, listByOrder, scan string
	// insertMany is insert's multi-row forms.
	insertMany *multiInsert
}

// build fills in the queries of table t and returns t.
func (t *aggTable[T]) build(rep *strings.Replacer, table string) *aggTable[T] {
	names := []string{"tenant", "id", "version"}
	params := []string{"$1", "$2", "$3"}
	sets := []string{"version = version + 1"}
	for i, c := range t.cols {
		name, cast, _ := strings.Cut(c, "::")
		p := "$" + strconv.Itoa(i+4)
		if cast != "" {
			p += "::" + cast
		}
		names = append(names, name)
		params = append(params, p)
		sets = append(sets, name+" = "+p)
	}
	for _, d := range t.derived {
		p := d.expr(params[slices.Index(names, d.from)])
		names = append(names, d.name)
		params = append(params, p)
		sets = append(sets, d.name+" = "+p)
	}
	tbl := "{" + table + "}"
	sel := "SELECT " + t.sel + " FROM " + tbl + " WHERE tenant = $1 AND "
	// A duplicate ID fails the insert: it is queued (see aggRepo.write).
	t.insert = rep.Replace("INSERT INTO " + tbl + " (" + strings.Join(names, ", ") + ") VALUES (" +
		strings.Join(params, ", ") + ")")
	t.insertMany = newMultiInsert(t.insert)
	// The update is queued too, so it checks itself: when it changes no
	// row, expect_rows fails the statement with OMS02 when the row is
	// absent, OMS01 when its version is not $3.
	t.update = rep.Replace("WITH u AS (UPDATE " + tbl + " SET " + strings.Join(sets, ", ") +
		" WHERE tenant = $1 AND id = $2 AND version = $3 RETURNING 1)" +
		" SELECT CASE WHEN (SELECT count(*) FROM u) = 1 THEN true" +
		" ELSE {expect_rows}((SELECT count(*) FROM u), 1," +
		" EXISTS (SELECT 1 FROM " + tbl + " WHERE tenant = $1 AND id = $2), 'update " + t.what + "') END")
	t.get = rep.Replace(sel + "id = $2")
	t.listByOrder = rep.Replace(sel + t.orderCol + " = $2 ORDER BY created_at, id")
	t.scan = rep.Replace(sel + "id > $2 ORDER BY id LIMIT $3")
	return t
}

// derivedColumn is a column whose value a statement computes from the
// parameter of column from: expr returns the SQL expression of it.
type derivedColumn struct {
	name, from string
	expr       func(param string) string
}

// docTable returns the table of a document kind: the aggregate stored whole
// as JSON in doc, by storage.EncodeDocument, next to the reporting columns
// cols, whose values values returns, and the derived ones.
func docTable[T any](rep *strings.Replacer, table, what, orderCol string, cols []string, values func(*T) []any, derived ...derivedColumn) *aggTable[T] {
	t := &aggTable[T]{
		what: what, orderCol: orderCol, derived: derived,
		cols: append([]string{"doc"}, cols...),
		sel:  "version, doc",
		values: func(v *T) ([]any, error) {
			doc, err := storage.EncodeDocument(v)
			if err != nil {
				return nil, fmt.Errorf("encode: %w", err)
			}
			return append([]any{doc}, values(v)...), nil
		},
		read: readDoc[T],
	}
	return t.build(rep, table)
}

// readDoc scans a (version, doc) row; the version column is authoritative.
func readDoc[T any](row pgx.Row) (*T, error) {
	var (
		version int64
		doc     []byte
	)
	if err := row.Scan(&version, &doc); err != nil {
		return nil, err
	}
	v := new(T)
	if err := storage.DecodeDocument(doc, v); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	storage.SetVersion(v, version)
	return v, nil
}

// aggRepo is the repository of one kind of versioned aggregate, stored in
// table dt.
type aggRepo[T any] struct {
	t  *tx
	dt *aggTable[T]
}

// typed returns a as a *T, or an error wrapping storage.ErrNotAggregate.
func (r aggRepo[T]) typed(op string, a storage.Aggregate) (*T, error) {
	v, ok := a.(*T)
	if !ok || v == nil {
		return nil, fmt.Errorf("postgres: %s %s: %T: %w", op, r.dt.what, a, storage.ErrNotAggregate)
	}
	return v, nil
}

// create stores a, described by m, with version 1. The insert is queued
// on the transaction (see pipe.later): an existing ID fails the statement
// it rides with, or the commit, with ErrDuplicate.
func (r aggRepo[T]) create(ctx context.Context, a storage.Aggregate, m storage.Meta) error {
	v, err := r.typed("create", a)
	if err != nil {
		return err
	}
	storage.SetVersion(v, 1)
	if err := r.write(ctx, true, v, m.ID, 1); err != nil {
		storage.SetVersion(v, m.Version)
		return err
	}
	r.t.onRollback(func() { storage.SetVersion(v, m.Version) })
	return nil
}

// update stores a, described by m, if its version is current and
// increments it. The update is queued on the transaction: a stale version
// fails the statement it rides with, or the commit, with ErrConflict, and
// an absent row with ErrNotFound.
func (r aggRepo[T]) update(ctx context.Context, a storage.Aggregate, m storage.Meta) error {
	v, err := r.typed("update", a)
	if err != nil {
		return err
	}
	storage.SetVersion(v, m.Version+1)
	if err := r.write(ctx, false, v, m.ID, m.Version); err != nil {
		storage.SetVersion(v, m.Version)
		return err
	}
	r.t.onRollback(func() { storage.SetVersion(v, m.Version) })
	return nil
}

// write queues the insert (isInsert) or the update of v, whose version
// field holds the version to store, with version as $3. Both fail on the
// server when they fail at all (see aggTable.build), so the transaction
// cannot commit without them.
func (r aggRepo[T]) write(ctx context.Context, isInsert bool, v *T, id uuid.UUID, version int64) error {
	op := "update "
	if isInsert {
		op = "create "
	}
	op += r.dt.what + " " + id.String()
	values, err := r.dt.values(v)
	if err != nil {
		return fmt.Errorf("postgres: %s: %w", op, err)
	}
	args := append([]any{r.t.tenant, id, version}, values...)
	switch {
	case !isInsert:
		r.t.pg.later(op, r.dt.update, args...)
	case r.dt.createRows != nil:
		r.dt.createRows(r.t, op, args)
		version = 0
	default: // creates of one kind in a row are sent as one statement
		r.t.pg.laterInsert(op, "create "+r.dt.what+"s", r.dt.insertMany, false, args...)
		version = 0
	}
	return r.after(ctx, v, version)
}

// after runs the table's after hook, if any, for v written over version
// prev (0 for a create).
func (r aggRepo[T]) after(ctx context.Context, v *T, prev int64) error {
	if r.dt.after == nil {
		return nil
	}
	return r.dt.after(ctx, r.t, v, prev)
}

// seen runs the table's seen hook, if any, on v.
func (r aggRepo[T]) seen(v *T) {
	if r.dt.seen != nil {
		r.dt.seen(r.t, v)
	}
}

// get returns the aggregate with this ID, or ErrNotFound.
func (r aggRepo[T]) get(ctx context.Context, id uuid.UUID) (storage.Aggregate, error) {
	v, err := r.dt.read(r.t.pg.QueryRow(ctx, r.dt.get, r.t.tenant, id))
	if err != nil {
		return nil, interpretError("get "+r.dt.what+" "+id.String(), err)
	}
	r.seen(v)
	return v, nil
}

// listByOrder returns the order's aggregates, oldest first.
func (r aggRepo[T]) listByOrder(ctx context.Context, orderID uuid.UUID) ([]storage.Aggregate, error) {
	op := "list " + r.dt.what + "s of order " + orderID.String()
	vs, err := r.list(ctx, op, r.dt.listByOrder, r.t.tenant, orderID)
	return untyped(vs), err
}

// scan returns up to limit aggregates with an ID above after, by ID.
func (r aggRepo[T]) scan(ctx context.Context, after uuid.UUID, limit int) ([]storage.Aggregate, error) {
	op := "scan " + r.dt.what + "s after " + after.String()
	vs, err := r.list(ctx, op, r.dt.scan, r.t.tenant, after, limit)
	return untyped(vs), err
}

// list runs a query returning rows of the table's selected columns.
func (r aggRepo[T]) list(ctx context.Context, op, q string, args ...any) ([]*T, error) {
	rows, err := r.t.pg.Query(ctx, q, args...)
	if err != nil {
		return nil, interpretError(op, err)
	}
	defer rows.Close()
	var out []*T
	for rows.Next() {
		v, err := r.dt.read(rows)
		if err != nil {
			return nil, interpretError(op, err)
		}
		r.seen(v)
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, interpretError(op, err)
	}
	return out, nil
}

// untyped returns vs as aggregates; nil for an empty vs.
func untyped[T any](vs []*T) []storage.Aggregate {
	if len(vs) == 0 {
		return nil
	}
	out := make([]storage.Aggregate, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

// nullString returns nil for "", so that the column is NULL.
func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// nullUUID returns nil for uuid.Nil, so that the column is NULL.
func nullUUID(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}
