package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/fulfillment"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/returns"
	"github.com/ordersmith/oms/shipping"
	"github.com/ordersmith/oms/storage"
)

// tx is a storage.Tx over one SQLite transaction, scoped to one tenant.
// Besides the required repositories it has the optional abilities
// storage.OrderLister (ListOrders, with the orders' indexes) and
// storage.MovementLister (ListMovements, the stock_movements ledger).
//
// On a database file it begins as a read transaction (read, begun at the
// first read) and becomes a write transaction (sql) at its first write,
// which takes the Store's write slot; from then on every statement runs
// on sql. On an in-memory database sql is set from the start.
type tx struct {
	store *Store
	// ctx is the context given to Store.Tx, which the SQLite
	// transactions are begun with; wctx is ctx without its cancellation,
	// which statements on the write transaction run with (see exec).
	ctx  context.Context
	wctx context.Context
	read *sql.Tx
	sql  *sql.Tx
	// group is the shared write transaction sql belongs to, on a database
	// file; joined is set when t entered it after other transactions, in
	// a savepoint, and lost when that savepoint could not be taken.
	group  *group
	joined bool
	lost   error
	stmts  *stmtCache
	tenant string
	undo   *undoLog
	// levels holds the stock levels this transaction read or wrote while
	// holding the write lock, by SKU and location: it is then the only
	// writer of stock_levels, so they stay current until it ends, and
	// ApplyMovement need not read them again. Levels read before the
	// first write are not kept.
	levels map[stockKey]inventory.StockLevel
	// wrote holds the rows of aggregates the transaction wrote, which
	// the Store's row cache (newRowCache) takes once it commits.
	wrote map[rowKey]storedRow
	// queued holds the writes waiting for the next statement (see
	// queue), and queueErr the failure of one, which every later call
	// returns.
	queued   []*queuedWrite
	queueErr error
	// absent holds the idempotency keys Get found absent.
	absent map[string]bool
}

// stockKey identifies a stock level within a tenant.
type stockKey struct {
	sku      string
	location uuid.UUID
}

// remember records lvl as the stored level, if the transaction holds the
// write lock.
func (t *tx) remember(lvl inventory.StockLevel) {
	if t.sql == nil {
		return
	}
	if t.levels == nil {
		t.levels = make(map[stockKey]inventory.StockLevel)
	}
	t.levels[stockKey{lvl.SKU, lvl.LocationID}] = lvl
}

var (
	_ storage.Tx             = (*tx)(nil)
	_ storage.OrderLister    = (*tx)(nil)
	_ storage.MovementLister = (*tx)(nil)
	_ storage.Aggregates     = aggregates{}
)

// Tenant returns the tenant the transaction is scoped to.
func (t *tx) Tenant() string { return t.tenant }

// Aggregates returns the repository of every versioned aggregate, each
// kind in its own table.
func (t *tx) Aggregates() storage.Aggregates { return aggregates{t} }

// Inventory returns the catalogue, locations and stock levels.
func (t *tx) Inventory() storage.InventoryRepository { return inventoryRepo{t} }

// Outbox returns the outbox to append events to.
func (t *tx) Outbox() storage.Outbox { return outboxRepo{t} }

// Idempotency returns the idempotency records.
func (t *tx) Idempotency() storage.IdempotencyRepository { return idempotencyRepo{t} }

// table is one kind's table, whatever the Go type of its aggregates: the
// docTable of that type.
type table interface {
	create(ctx context.Context, t *tx, a storage.Aggregate) error
	get(ctx context.Context, t *tx, id uuid.UUID) (storage.Aggregate, error)
	update(ctx context.Context, t *tx, a storage.Aggregate) error
	listByOrder(ctx context.Context, t *tx, orderID uuid.UUID) ([]storage.Aggregate, error)
	scanAfter(ctx context.Context, t *tx, after uuid.UUID, limit int) ([]storage.Aggregate, error)
}

// tables holds the table of every kind storage.Kinds lists.
var tables = map[storage.Kind]table{
	storage.KindOrder:       orderTable,
	storage.KindPayment:     paymentTable,
	storage.KindFulfillment: fulfillmentTable,
	storage.KindShipment:    shipmentTable,
	storage.KindReturn:      returnTable,
	storage.KindReservation: reservationTable,
}

// tableOf returns kind's table, or an error wrapping
// storage.ErrNotAggregate for an unknown kind.
func tableOf(kind storage.Kind) (table, error) {
	tb, ok := tables[kind]
	if !ok {
		return nil, fmt.Errorf("sqlite: kind %q: %w", kind, storage.ErrNotAggregate)
	}
	return tb, nil
}

// tableFor returns the table a belongs in, or an error wrapping
// storage.ErrNotAggregate when a is not an aggregate.
func tableFor(a storage.Aggregate) (table, error) {
	m, err := storage.Describe(a)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	return tableOf(m.Kind)
}

// aggregates is the storage.Aggregates of a transaction: it hands each
// call to the table of the aggregate's kind.
type aggregates struct{ t *tx }

// Create stores a new aggregate with version 1; ErrDuplicate if its ID
// exists, an error wrapping ErrNotAggregate if a is not an aggregate.
func (r aggregates) Create(ctx context.Context, a storage.Aggregate) error {
	tb, err := tableFor(a)
	if err != nil {
		return err
	}
	return tb.create(ctx, r.t, a)
}

// Get returns the aggregate of kind with this ID, or ErrNotFound; an error
// wrapping ErrNotAggregate for an unknown kind.
func (r aggregates) Get(ctx context.Context, kind storage.Kind, id uuid.UUID) (storage.Aggregate, error) {
	tb, err := tableOf(kind)
	if err != nil {
		return nil, err
	}
	return tb.get(ctx, r.t, id)
}

// Update stores a if its version is the stored one and increments it;
// ErrConflict if stale, ErrNotFound if absent, an error wrapping
// ErrNotAggregate if a is not an aggregate.
func (r aggregates) Update(ctx context.Context, a storage.Aggregate) error {
	tb, err := tableFor(a)
	if err != nil {
		return err
	}
	return tb.update(ctx, r.t, a)
}

// ListByOrder returns the order's aggregates of kind, oldest first (by
// created_at, then ID); for storage.KindOrder, the order itself if it
// exists. An unknown kind gives an error wrapping ErrNotAggregate.
func (r aggregates) ListByOrder(ctx context.Context, kind storage.Kind, orderID uuid.UUID) ([]storage.Aggregate, error) {
	tb, err := tableOf(kind)
	if err != nil {
		return nil, err
	}
	return tb.listByOrder(ctx, r.t, orderID)
}

// Scan returns up to limit aggregates of kind whose ID is above after, by
// ID. IDs are stored as canonical lower-case text, whose text order is
// their byte order. A limit below 1 returns none. An unknown kind gives an
// error wrapping ErrNotAggregate.
func (r aggregates) Scan(ctx context.Context, kind storage.Kind, after uuid.UUID, limit int) ([]storage.Aggregate, error) {
	tb, err := tableOf(kind)
	if err != nil {
		return nil, err
	}
	if limit < 1 {
		return nil, nil
	}
	return tb.scanAfter(ctx, r.t, after, min(limit, storage.MaxPageSize))
}

// column is one reporting column mirrored from an aggregate.
type column struct {
	name  string
	value any
}

// docTable stores one kind of versioned aggregate, of Go type *T: the
// version in version, the full JSON in doc, and reporting columns
// mirrored from it. A table whose read is set has no doc column: its
// aggregates are stored as their columns alone and read back by read.
type docTable[T any] struct {
	name string
	// orderColumn is the column holding the aggregate's order ID, which
	// listByOrder selects on: "order_id", or "id" for orders themselves.
	orderColumn string
	// columns returns the reporting columns; created_at and updated_at
	// included.
	columns func(*T) []column
	// read, if set, reads the table's aggregates from their columns
	// instead of doc.
	read *columnReader[T]
	// children, if set, keeps rows mirrored from each aggregate in
	// another table (order lines).
	children *childRows[T]
}

// childRows keeps rows mirrored from an aggregate in another table whose
// foreign key cascades the aggregate's deletion.
type childRows[T any] struct {
	// rows returns the rows mirrored from v.
	rows func(v *T) []lineRow
	// insert writes the rows of a new aggregate, none being stored.
	insert func(ctx context.Context, t *tx, v *T, rows []lineRow) error
	// current reports whether the stored rows are rows.
	current func(ctx context.Context, t *tx, v *T, rows []lineRow) (bool, error)
	// rewrite replaces the stored rows with rows.
	rewrite func(ctx context.Context, t *tx, v *T, rows []lineRow) error
}

// columnReader reads an aggregate stored as columns alone.
type columnReader[T any] struct {
	// names lists the columns scan reads, in order, after version.
	names string
	// scan reads a row of version then names into a new aggregate,
	// its version set.
	scan func(row rowScanner) (*T, error)
}

// rowScanner is a *sql.Row or *sql.Rows.
type rowScanner interface{ Scan(...any) error }

// typed returns a as the table's type; a is one by dispatch on its kind.
func (d docTable[T]) typed(a storage.Aggregate) (*T, error) {
	v, ok := a.(*T)
	if !ok {
		return nil, fmt.Errorf("sqlite: %T in table %s: %w", a, d.name, storage.ErrNotAggregate)
	}
	return v, nil
}

// selected is the column list every read of the table selects.
func (d docTable[T]) selected() string {
	if d.read != nil {
		return "version, " + d.read.names
	}
	return "version, doc"
}

func (d docTable[T]) create(ctx context.Context, t *tx, a storage.Aggregate) error {
	v, err := d.typed(a)
	if err != nil {
		return err
	}
	return d.create1(ctx, t, v)
}

// update stores v. When v's child rows changed, the aggregate's row and
// its children are written inside a savepoint, so that a failure leaves
// nothing behind; unchanged children are neither rewritten nor need one.
// When the Store knows the row at v's version (newRowCache), only the
// columns whose values changed are set and the children are compared
// with the known ones; otherwise every column is set and the children
// are compared with the stored rows under the write lock, so that what
// decides their rewrite is the newest stored rows.
func (d docTable[T]) update(ctx context.Context, t *tx, a storage.Aggregate) error {
	v, err := d.typed(a)
	if err != nil {
		return err
	}
	m, err := storage.Describe(v)
	if err != nil {
		return fmt.Errorf("sqlite: update %s: %w", d.name, err)
	}
	key := rowKey{d.name, t.tenant, m.ID}
	known, isKnown := t.storedAt(key, m.Version)
	var lines []lineRow
	if d.children != nil {
		lines = d.children.rows(v)
	}
	current := true
	switch {
	case d.children == nil:
	case isKnown:
		current = slices.Equal(known.lines, lines)
	default:
		if _, err := t.writer(ctx); err != nil {
			return err
		}
		if current, err = d.children.current(ctx, t, v, lines); err != nil {
			return err
		}
	}
	var was []any
	if isKnown {
		was = known.values
	}
	if current {
		return d.update1(ctx, t, v, m, was, lines, nil)
	}
	return t.savepoint(ctx, "write_"+d.name, func() error {
		return d.update1(ctx, t, v, m, was, lines, d.children.rewrite)
	})
}

// stored returns the reporting columns of v and, unless the table has no
// doc column, its document; v's version is already the one to store.
func (d docTable[T]) stored(v *T) ([]column, string, error) {
	cols := d.columns(v)
	if d.read != nil {
		return cols, "", nil
	}
	doc, err := storage.EncodeDocument(v)
	if err != nil {
		return nil, "", fmt.Errorf("encode: %w", err)
	}
	return cols, string(doc), nil
}

// values returns the values of cols.
func values(cols []column) []any {
	out := make([]any, len(cols))
	for i, c := range cols {
		out[i] = c.value
	}
	return out
}

// create1 queues the insert of v with version 1, then of its child rows
// (see tx.queue): a duplicate ID is reported by the next statement.
func (d docTable[T]) create1(ctx context.Context, t *tx, v *T) error {
	m, err := storage.Describe(v)
	if err != nil {
		return fmt.Errorf("sqlite: create %s: %w", d.name, err)
	}
	prev := m.Version
	storage.SetVersion(v, 1)
	restore := func() { storage.SetVersion(v, prev) }
	cols, doc, err := d.stored(v)
	if err != nil {
		restore()
		return fmt.Errorf("sqlite: create %s %s: %w", d.name, m.ID, err)
	}
	names := make([]string, 0, len(cols)+4)
	args := make([]any, 0, len(cols)+4)
	names = append(names, "id", "tenant", "version")
	args = append(args, m.ID.String(), t.tenant, int64(1))
	if d.read == nil {
		names, args = append(names, "doc"), append(args, doc)
	}
	for _, c := range cols {
		names = append(names, c.name)
		args = append(args, c.value)
	}
	if err := t.queueRow(d.name, "create "+d.name+" "+m.ID.String(), names, args); err != nil {
		restore()
		return err
	}
	var lines []lineRow
	if d.children != nil {
		lines = d.children.rows(v)
		if err := d.children.insert(ctx, t, v, lines); err != nil {
			restore()
			return err
		}
	}
	t.written(rowKey{d.name, t.tenant, m.ID}, storedRow{version: 1, values: values(cols), lines: lines})
	t.undo.add(restore)
	return nil
}

func (d docTable[T]) get(ctx context.Context, t *tx, id uuid.UUID) (storage.Aggregate, error) {
	row := t.queryRow(ctx,
		"SELECT "+d.selected()+" FROM "+d.name+" WHERE tenant = ? AND id = ?", t.tenant, id.String())
	v, err := d.scan(row)
	if err != nil {
		return nil, interpretError(err, "get %s %s", d.name, id)
	}
	return v, nil
}

// scan reads one row of the columns selected returns.
func (d docTable[T]) scan(row rowScanner) (*T, error) {
	if d.read != nil {
		return d.read.scan(row)
	}
	var (
		version int64
		doc     string
	)
	if err := row.Scan(&version, &doc); err != nil {
		return nil, err
	}
	v := new(T)
	if err := storage.DecodeDocument([]byte(doc), v); err != nil {
		return nil, fmt.Errorf("decode %s: %w", d.name, err)
	}
	storage.SetVersion(v, version)
	return v, nil
}

// update1 stores v, described by m, with one versioned UPDATE, then runs
// children, if set, to write lines, its child rows. was, when set, holds
// the values of the reporting columns stored at v's version: only those
// that differ are set. Without children the UPDATE is queued (see
// tx.queue), and a stale version is reported by the next statement.
func (d docTable[T]) update1(ctx context.Context, t *tx, v *T, m storage.Meta, was []any, lines []lineRow,
	children func(context.Context, *tx, *T, []lineRow) error) error {
	prev := m.Version
	storage.SetVersion(v, prev+1)
	restore := func() { storage.SetVersion(v, prev) }
	cols, doc, err := d.stored(v)
	if err != nil {
		restore()
		return fmt.Errorf("sqlite: update %s %s: %w", d.name, m.ID, err)
	}
	var q strings.Builder
	args := make([]any, 0, len(cols)+4)
	q.WriteString("UPDATE " + d.name + " SET version = version + 1")
	if d.read == nil {
		q.WriteString(", doc = ?")
		args = append(args, doc)
	}
	for i, c := range cols {
		if was != nil && was[i] == c.value {
			continue
		}
		q.WriteString(", " + c.name + " = ?")
		args = append(args, c.value)
	}
	q.WriteString(" WHERE tenant = ? AND id = ? AND version = ?")
	args = append(args, t.tenant, m.ID.String(), prev)
	what := "update " + d.name + " " + m.ID.String()
	check := func(res sql.Result) error {
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			if err != nil {
				return interpretError(err, "%s", what)
			}
			return versionMiss(t, d.name, m.ID, prev)
		}
		return nil
	}
	if children == nil {
		// Queued: a stale version is reported by the next statement.
		if err := t.queue(&queuedWrite{query: q.String(), args: args, what: what, check: check}); err != nil {
			restore()
			return err
		}
		t.written(rowKey{d.name, t.tenant, m.ID}, storedRow{version: prev + 1, values: values(cols), lines: lines})
		t.undo.add(restore)
		return nil
	}
	res, err := t.exec(ctx, q.String(), args...)
	if err == nil {
		err = check(res)
	} else {
		err = interpretError(err, "%s", what)
	}
	if err != nil {
		restore()
		return err
	}
	if err := children(ctx, t, v, lines); err != nil {
		restore()
		return err
	}
	t.written(rowKey{d.name, t.tenant, m.ID}, storedRow{version: prev + 1, values: values(cols), lines: lines})
	t.undo.add(restore)
	return nil
}

// versionMiss explains why a versioned UPDATE changed no row: the row is
// absent (ErrNotFound) or its version differs (ErrConflict). It reads on
// the write transaction directly, as it runs while queued writes are
// being sent.
func versionMiss(t *tx, table string, id uuid.UUID, version int64) error {
	var stored int64
	err := t.sql.QueryRowContext(t.wctx,
		"SELECT version FROM "+table+" WHERE tenant = ? AND id = ?", t.tenant, id.String()).Scan(&stored)
	if err != nil {
		return interpretError(err, "update %s %s", table, id)
	}
	return fmt.Errorf("sqlite: update %s %s: version %d, stored %d: %w", table, id, version, stored, storage.ErrConflict)
}

func (d docTable[T]) listByOrder(ctx context.Context, t *tx, orderID uuid.UUID) ([]storage.Aggregate, error) {
	return d.query(ctx, t, "WHERE tenant = ? AND "+d.orderColumn+" = ? ORDER BY created_at, id",
		[]any{t.tenant, orderID.String()}, "list %s of order %s", d.name, orderID)
}

// scanAfter returns up to limit aggregates whose ID is above after, by ID:
// canonical lower-case UUID text sorts as the IDs' bytes do.
func (d docTable[T]) scanAfter(ctx context.Context, t *tx, after uuid.UUID, limit int) ([]storage.Aggregate, error) {
	return d.query(ctx, t, "WHERE tenant = ? AND id > ? ORDER BY id LIMIT ?",
		[]any{t.tenant, after.String(), limit}, "scan %s after %s", d.name, after)
}

// query returns the aggregates of the rows that clause (WHERE, ORDER BY,
// LIMIT) with args selects; op and opArgs describe the operation in
// errors, as interpretError's format and args.
func (d docTable[T]) query(ctx context.Context, t *tx, clause string, args []any, op string, opArgs ...any) ([]storage.Aggregate, error) {
	rows, err := t.query(ctx, "SELECT "+d.selected()+" FROM "+d.name+" "+clause, args...)
	if err != nil {
		return nil, interpretError(err, op, opArgs...)
	}
	defer rows.Close()
	var out []storage.Aggregate
	for rows.Next() {
		v, err := d.scan(rows)
		if err != nil {
			return nil, interpretError(err, op, opArgs...)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, interpretError(err, op, opArgs...)
	}
	return out, nil
}

func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

var paymentTable = docTable[payment.Payment]{
	name:        "payments",
	orderColumn: "order_id",
	columns: func(p *payment.Payment) []column {
		return []column{
			{"order_id", p.OrderID.String()},
			{"status", string(p.Status)},
			{"gateway", p.Gateway},
			{"currency", string(p.Amount.Currency())},
			{"amount", p.Amount.Amount().String()},
			{"authorized", p.Authorized.Amount().String()},
			{"captured", p.Captured.Amount().String()},
			{"refunded", p.Refunded.Amount().String()},
			{"created_at", formatTime(p.CreatedAt)},
			{"updated_at", formatTime(p.UpdatedAt)},
		}
	},
}

var fulfillmentTable = docTable[fulfillment.FulfillmentOrder]{
	name:        "fulfillments",
	orderColumn: "order_id",
	columns: func(f *fulfillment.FulfillmentOrder) []column {
		return []column{
			{"order_id", f.OrderID.String()},
			{"location_id", f.LocationID.String()},
			{"status", string(f.Status)},
			{"created_at", formatTime(f.CreatedAt)},
			{"updated_at", formatTime(f.UpdatedAt)},
		}
	},
}

var shipmentTable = docTable[shipping.Shipment]{
	name:        "shipments",
	orderColumn: "order_id",
	columns: func(s *shipping.Shipment) []column {
		return []column{
			{"order_id", s.OrderID.String()},
			{"fulfillment_id", s.FulfillmentID.String()},
			{"status", string(s.Status)},
			{"carrier", s.Carrier},
			{"service", s.Service},
			{"tracking_number", s.TrackingNumber},
			{"cost", s.Cost.Amount().String()},
			{"currency", string(s.Cost.Currency())},
			{"created_at", formatTime(s.CreatedAt)},
			{"updated_at", formatTime(s.UpdatedAt)},
		}
	},
}

var returnTable = docTable[returns.Return]{
	name:        "returns",
	orderColumn: "order_id",
	columns: func(r *returns.Return) []column {
		return []column{
			{"order_id", r.OrderID.String()},
			{"status", string(r.Status)},
			{"refund_total", r.RefundTotal.Amount().String()},
			{"currency", string(r.RefundTotal.Currency())},
			{"created_at", formatTime(r.CreatedAt)},
			{"updated_at", formatTime(r.UpdatedAt)},
		}
	},
}
