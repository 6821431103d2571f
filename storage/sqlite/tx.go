package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/fulfillment"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/returns"
	"github.com/ordersmith/oms/shipping"
	"github.com/ordersmith/oms/storage"
)

// tx is a storage.Tx over one SQLite transaction, scoped to one tenant.
type tx struct {
	sql    *sql.Tx
	tenant string
	undo   *undoLog
}

func (t *tx) Tenant() string                      { return t.tenant }
func (t *tx) Orders() storage.OrderRepository     { return orderRepo{t} }
func (t *tx) Payments() storage.PaymentRepository { return docRepo[payment.Payment]{t, paymentTable} }
func (t *tx) Fulfillments() storage.FulfillmentRepository {
	return docRepo[fulfillment.FulfillmentOrder]{t, fulfillmentTable}
}
func (t *tx) Shipments() storage.ShipmentRepository {
	return docRepo[shipping.Shipment]{t, shipmentTable}
}
func (t *tx) Returns() storage.ReturnRepository          { return docRepo[returns.Return]{t, returnTable} }
func (t *tx) Inventory() storage.InventoryRepository     { return inventoryRepo{t} }
func (t *tx) Outbox() storage.Outbox                     { return outboxRepo{t} }
func (t *tx) Idempotency() storage.IdempotencyRepository { return idempotencyRepo{t} }

// column is one reporting column mirrored from an aggregate.
type column struct {
	name  string
	value any
}

// docTable stores one kind of versioned aggregate: the full JSON in doc,
// the version in version, and reporting columns mirrored from it.
type docTable[T any] struct {
	name string
	// meta returns the aggregate's ID and a pointer to its Version.
	meta func(*T) (uuid.UUID, *int64)
	// columns returns the reporting columns; created_at and updated_at
	// included.
	columns func(*T) []column
	// afterWrite, if set, runs after each successful create or update
	// (order lines).
	afterWrite func(ctx context.Context, t *tx, v *T) error
}

// write runs one create or update, inside a savepoint when it spans
// several statements, so that a failure leaves nothing behind.
func (d docTable[T]) write(ctx context.Context, t *tx, fn func() error) error {
	if d.afterWrite == nil {
		return fn()
	}
	return t.savepoint(ctx, "write_"+d.name, fn)
}

func (d docTable[T]) create(ctx context.Context, t *tx, v *T) error {
	return d.write(ctx, t, func() error { return d.create1(ctx, t, v) })
}

func (d docTable[T]) update(ctx context.Context, t *tx, v *T) error {
	return d.write(ctx, t, func() error { return d.update1(ctx, t, v) })
}

func (d docTable[T]) create1(ctx context.Context, t *tx, v *T) error {
	id, ver := d.meta(v)
	prev := *ver
	*ver = 1
	doc, err := storage.EncodeDocument(v)
	if err != nil {
		*ver = prev
		return fmt.Errorf("sqlite: create %s %s: encode: %w", d.name, id, err)
	}
	cols := d.columns(v)
	names := []string{"id", "tenant", "version", "doc"}
	args := []any{id.String(), t.tenant, int64(1), string(doc)}
	for _, c := range cols {
		names = append(names, c.name)
		args = append(args, c.value)
	}
	q := "INSERT INTO " + d.name + " (" + strings.Join(names, ", ") + ") VALUES (" + placeholders(len(names)) + ")"
	if _, err := t.sql.ExecContext(ctx, q, args...); err != nil {
		*ver = prev
		return interpretError(err, "create %s %s", d.name, id)
	}
	if d.afterWrite != nil {
		if err := d.afterWrite(ctx, t, v); err != nil {
			*ver = prev
			return err
		}
	}
	t.undo.add(func() { *ver = prev })
	return nil
}

func (d docTable[T]) get(ctx context.Context, t *tx, id uuid.UUID) (*T, error) {
	row := t.sql.QueryRowContext(ctx,
		"SELECT version, doc FROM "+d.name+" WHERE tenant = ? AND id = ?", t.tenant, id.String())
	v, err := d.scan(row)
	if err != nil {
		return nil, interpretError(err, "get %s %s", d.name, id)
	}
	return v, nil
}

func (d docTable[T]) scan(row interface{ Scan(...any) error }) (*T, error) {
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
	_, ver := d.meta(v)
	*ver = version
	return v, nil
}

func (d docTable[T]) update1(ctx context.Context, t *tx, v *T) error {
	id, ver := d.meta(v)
	prev := *ver
	*ver = prev + 1
	doc, err := storage.EncodeDocument(v)
	if err != nil {
		*ver = prev
		return fmt.Errorf("sqlite: update %s %s: encode: %w", d.name, id, err)
	}
	cols := d.columns(v)
	sets := []string{"version = version + 1", "doc = ?"}
	args := []any{string(doc)}
	for _, c := range cols {
		sets = append(sets, c.name+" = ?")
		args = append(args, c.value)
	}
	args = append(args, t.tenant, id.String(), prev)
	q := "UPDATE " + d.name + " SET " + strings.Join(sets, ", ") + " WHERE tenant = ? AND id = ? AND version = ?"
	res, err := t.sql.ExecContext(ctx, q, args...)
	if err != nil {
		*ver = prev
		return interpretError(err, "update %s %s", d.name, id)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		*ver = prev
		if err != nil {
			return interpretError(err, "update %s %s", d.name, id)
		}
		return versionMiss(ctx, t, d.name, id, prev)
	}
	if d.afterWrite != nil {
		if err := d.afterWrite(ctx, t, v); err != nil {
			*ver = prev
			return err
		}
	}
	t.undo.add(func() { *ver = prev })
	return nil
}

// versionMiss explains why a versioned UPDATE changed no row: the row is
// absent (ErrNotFound) or its version differs (ErrConflict).
func versionMiss(ctx context.Context, t *tx, table string, id uuid.UUID, version int64) error {
	var stored int64
	err := t.sql.QueryRowContext(ctx,
		"SELECT version FROM "+table+" WHERE tenant = ? AND id = ?", t.tenant, id.String()).Scan(&stored)
	if err != nil {
		return interpretError(err, "update %s %s", table, id)
	}
	return fmt.Errorf("sqlite: update %s %s: version %d, stored %d: %w", table, id, version, stored, storage.ErrConflict)
}

func (d docTable[T]) listByOrder(ctx context.Context, t *tx, orderID uuid.UUID) ([]*T, error) {
	rows, err := t.sql.QueryContext(ctx,
		"SELECT version, doc FROM "+d.name+" WHERE tenant = ? AND order_id = ? ORDER BY created_at, id",
		t.tenant, orderID.String())
	if err != nil {
		return nil, interpretError(err, "list %s of order %s", d.name, orderID)
	}
	defer rows.Close()
	var out []*T
	for rows.Next() {
		v, err := d.scan(rows)
		if err != nil {
			return nil, interpretError(err, "list %s of order %s", d.name, orderID)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, interpretError(err, "list %s of order %s", d.name, orderID)
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
	name: "payments",
	meta: func(p *payment.Payment) (uuid.UUID, *int64) { return p.ID, &p.Version },
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
	name: "fulfillments",
	meta: func(f *fulfillment.FulfillmentOrder) (uuid.UUID, *int64) { return f.ID, &f.Version },
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
	name: "shipments",
	meta: func(s *shipping.Shipment) (uuid.UUID, *int64) { return s.ID, &s.Version },
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
	name: "returns",
	meta: func(r *returns.Return) (uuid.UUID, *int64) { return r.ID, &r.Version },
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

// docRepo is the repository of an aggregate that belongs to an order:
// payments, fulfillment orders, shipments, returns.
type docRepo[T any] struct {
	t  *tx
	tb docTable[T]
}

func (r docRepo[T]) Create(ctx context.Context, v *T) error { return r.tb.create(ctx, r.t, v) }
func (r docRepo[T]) Get(ctx context.Context, id uuid.UUID) (*T, error) {
	return r.tb.get(ctx, r.t, id)
}
func (r docRepo[T]) Update(ctx context.Context, v *T) error { return r.tb.update(ctx, r.t, v) }
func (r docRepo[T]) ListByOrder(ctx context.Context, orderID uuid.UUID) ([]*T, error) {
	return r.tb.listByOrder(ctx, r.t, orderID)
}
