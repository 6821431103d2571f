package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ordersmith/oms/fulfillment"
	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/returns"
	"github.com/ordersmith/oms/shipping"
	"github.com/ordersmith/oms/storage"
)

// tx is one transaction scoped to one tenant.
type tx struct {
	s      *Store
	pg     pgx.Tx
	tenant string
	undo   []func()
}

// onRollback registers f to run if the transaction does not commit.
func (t *tx) onRollback(f func()) { t.undo = append(t.undo, f) }

// restore runs the rollback hooks, newest first.
func (t *tx) restore() {
	for i := len(t.undo) - 1; i >= 0; i-- {
		t.undo[i]()
	}
	t.undo = nil
}

func (t *tx) Tenant() string { return t.tenant }
func (t *tx) Orders() storage.OrderRepository {
	return orderRepo{docRepo[order.Order]{t, t.s.q.orders}}
}
func (t *tx) Payments() storage.PaymentRepository {
	return docRepo[payment.Payment]{t, t.s.q.payments}
}
func (t *tx) Fulfillments() storage.FulfillmentRepository {
	return docRepo[fulfillment.FulfillmentOrder]{t, t.s.q.fulfillments}
}
func (t *tx) Shipments() storage.ShipmentRepository {
	return docRepo[shipping.Shipment]{t, t.s.q.shipments}
}
func (t *tx) Returns() storage.ReturnRepository {
	return docRepo[returns.Return]{t, t.s.q.returns}
}
func (t *tx) Inventory() storage.InventoryRepository     { return inventoryRepo{t} }
func (t *tx) Outbox() storage.Outbox                     { return outboxRepo{t} }
func (t *tx) Idempotency() storage.IdempotencyRepository { return idempotencyRepo{t} }

// docTable describes a table storing one kind of versioned aggregate whole,
// as JSON in doc, next to reporting columns derived from it.
type docTable[T any] struct {
	what string // for error messages: "order", "payment", ...
	// meta returns the aggregate's ID and a pointer to its Version.
	meta func(*T) (uuid.UUID, *int64)
	// values returns the reporting columns, in the order of cols.
	values func(*T) []any
	// after, when set, runs after each successful write (order lines).
	after func(ctx context.Context, t *tx, v *T) error

	insert, update, exists, get, listByOrder string
}

// newDocTable builds the queries of table, whose reporting columns are cols
// (written as $5, $6, ...; a column named with a "::type" suffix gets that
// cast).
func newDocTable[T any](rep *strings.Replacer, table, what string, cols []string,
	meta func(*T) (uuid.UUID, *int64), values func(*T) []any) *docTable[T] {
	names := []string{"tenant", "id", "version", "doc"}
	params := []string{"$1", "$2", "$3", "$4"}
	var sets []string
	for i, c := range cols {
		name, cast, _ := strings.Cut(c, "::")
		p := "$" + strconv.Itoa(i+5)
		if cast != "" {
			p += "::" + cast
		}
		names = append(names, name)
		params = append(params, p)
		sets = append(sets, name+" = "+p)
	}
	tbl := "{" + table + "}"
	return &docTable[T]{
		what: what, meta: meta, values: values,
		insert: rep.Replace("INSERT INTO " + tbl + " (" + strings.Join(names, ", ") + ") VALUES (" +
			strings.Join(params, ", ") + ") ON CONFLICT DO NOTHING"),
		update: rep.Replace("UPDATE " + tbl + " SET version = version + 1, doc = $4, " + strings.Join(sets, ", ") +
			" WHERE tenant = $1 AND id = $2 AND version = $3"),
		exists:      rep.Replace("SELECT EXISTS (SELECT 1 FROM " + tbl + " WHERE tenant = $1 AND id = $2)"),
		get:         rep.Replace("SELECT version, doc FROM " + tbl + " WHERE tenant = $1 AND id = $2"),
		listByOrder: rep.Replace("SELECT version, doc FROM " + tbl + " WHERE tenant = $1 AND order_id = $2 ORDER BY created_at, id"),
	}
}

// docRepo is the repository of one kind of versioned aggregate.
type docRepo[T any] struct {
	t  *tx
	dt *docTable[T]
}

// Create stores v with Version 1; ErrDuplicate if its ID exists.
func (r docRepo[T]) Create(ctx context.Context, v *T) error {
	id, ver := r.dt.meta(v)
	prev := *ver
	*ver = 1
	if err := r.write(ctx, r.dt.insert, v, id, 1); err != nil {
		*ver = prev
		return err
	}
	r.t.onRollback(func() { *ver = prev })
	return nil
}

// Update stores v if its Version is current and increments it.
func (r docRepo[T]) Update(ctx context.Context, v *T) error {
	id, ver := r.dt.meta(v)
	old := *ver
	*ver = old + 1
	if err := r.write(ctx, r.dt.update, v, id, old); err != nil {
		*ver = old
		return err
	}
	r.t.onRollback(func() { *ver = old })
	return nil
}

// write runs the insert or update query q for v, whose Version field holds
// the version to store, with version as $3.
func (r docRepo[T]) write(ctx context.Context, q string, v *T, id uuid.UUID, version int64) error {
	isInsert := q == r.dt.insert
	op := "update "
	if isInsert {
		op = "create "
	}
	op += r.dt.what + " " + id.String()
	doc, err := storage.EncodeDocument(v)
	if err != nil {
		return fmt.Errorf("postgres: %s: encode: %w", op, err)
	}
	args := append([]any{r.t.tenant, id, version, doc}, r.dt.values(v)...)
	tag, err := r.t.pg.Exec(ctx, q, args...)
	if err != nil {
		return interpretError(op, err)
	}
	if tag.RowsAffected() == 0 {
		if isInsert {
			return fmt.Errorf("postgres: %s: %w", op, storage.ErrDuplicate)
		}
		var exists bool
		if err := r.t.pg.QueryRow(ctx, r.dt.exists, r.t.tenant, id).Scan(&exists); err != nil {
			return interpretError(op, err)
		}
		if !exists {
			return fmt.Errorf("postgres: %s: %w", op, storage.ErrNotFound)
		}
		return fmt.Errorf("postgres: %s: version %d is stale: %w", op, version, storage.ErrConflict)
	}
	if r.dt.after != nil {
		return r.dt.after(ctx, r.t, v)
	}
	return nil
}

// Get returns the aggregate with this ID, or ErrNotFound.
func (r docRepo[T]) Get(ctx context.Context, id uuid.UUID) (*T, error) {
	op := "get " + r.dt.what + " " + id.String()
	var (
		version int64
		doc     []byte
	)
	if err := r.t.pg.QueryRow(ctx, r.dt.get, r.t.tenant, id).Scan(&version, &doc); err != nil {
		return nil, interpretError(op, err)
	}
	return r.decode(op, version, doc)
}

// ListByOrder returns the order's aggregates, oldest first.
func (r docRepo[T]) ListByOrder(ctx context.Context, orderID uuid.UUID) ([]*T, error) {
	op := "list " + r.dt.what + "s of order " + orderID.String()
	return r.list(ctx, op, r.dt.listByOrder, r.t.tenant, orderID)
}

// list runs a query returning (version, doc) rows.
func (r docRepo[T]) list(ctx context.Context, op, q string, args ...any) ([]*T, error) {
	rows, err := r.t.pg.Query(ctx, q, args...)
	if err != nil {
		return nil, interpretError(op, err)
	}
	defer rows.Close()
	var out []*T
	for rows.Next() {
		var (
			version int64
			doc     []byte
		)
		if err := rows.Scan(&version, &doc); err != nil {
			return nil, interpretError(op, err)
		}
		v, err := r.decode(op, version, doc)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, interpretError(op, err)
	}
	return out, nil
}

// decode unmarshals doc; the version column is authoritative.
func (r docRepo[T]) decode(op string, version int64, doc []byte) (*T, error) {
	v := new(T)
	if err := storage.DecodeDocument(doc, v); err != nil {
		return nil, fmt.Errorf("postgres: %s: decode: %w", op, err)
	}
	_, ver := r.dt.meta(v)
	*ver = version
	return v, nil
}

// amount formats m's amount for a numeric column, with at least the
// currency's minor digits.
func amount(m money.Money) string {
	places := m.Currency().MinorUnits()
	if exp := -m.Amount().Exponent(); exp > places {
		places = exp
	}
	return m.Amount().StringFixed(places)
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
