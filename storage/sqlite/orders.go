package sqlite

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/storage"
)

// orderTable stores orders, with their lines mirrored in order_lines. An
// order's order is itself, so listByOrder selects on id.
var orderTable = docTable[order.Order]{
	name:        "orders",
	orderColumn: "id",
	columns: func(o *order.Order) []column {
		return []column{
			{"status", string(o.Status)},
			{"channel_kind", string(o.Channel.Kind)},
			{"channel_name", o.Channel.Name},
			{"external_ref", o.ExternalRef},
			{"customer_id", o.Customer.ID},
			{"currency", string(o.Currency)},
			{"subtotal", o.Totals.Subtotal.Amount().String()},
			{"discount", o.Totals.Discount.Amount().String()},
			{"shipping", o.Totals.Shipping.Amount().String()},
			{"tax", o.Totals.Tax.Amount().String()},
			{"total", o.Totals.Total.Amount().String()},
			{"payment_status", string(o.Payment.Status)},
			{"fulfillment_status", string(o.Fulfillment.Status)},
			{"created_at", formatTime(o.CreatedAt)},
			{"updated_at", formatTime(o.UpdatedAt)},
		}
	},
	children: &childRows[order.Order]{
		rows:    orderLineRows,
		insert:  insertOrderLines,
		current: orderLinesCurrent,
		rewrite: rewriteOrderLines,
	},
}

// lineRow is one row of order_lines as written, its position being its
// index.
type lineRow struct {
	id                string
	sku               string
	quantity          int64
	unitPrice, total  string
	shipped, returned int64
}

// orderLineRows returns the rows of order_lines of o.
func orderLineRows(o *order.Order) []lineRow {
	rows := make([]lineRow, len(o.Lines))
	for i, l := range o.Lines {
		rows[i] = lineRow{id: l.ID.String(), sku: l.SKU, quantity: l.Quantity, unitPrice: l.UnitPrice.Amount().String(),
			total: l.Total.Amount().String(), shipped: l.Shipped, returned: l.Returned}
	}
	return rows
}

// lineChunk is how many order lines one INSERT writes: ten parameters
// each, well below SQLite's limit of 32,766 a statement.
const lineChunk = 1000

// insertOrderLines queues the writing of rows, the order_lines rows of
// o, none being stored, with one INSERT per lineChunk lines.
func insertOrderLines(ctx context.Context, t *tx, o *order.Order, rows []lineRow) error {
	id := o.ID.String()
	for start := 0; start < len(rows); start += lineChunk {
		part := rows[start:min(start+lineChunk, len(rows))]
		var q strings.Builder
		q.WriteString(`INSERT INTO order_lines
			(tenant, order_id, line_id, position, sku, quantity, unit_price, total, shipped, returned) VALUES `)
		args := make([]any, 0, 10*len(part))
		for i, l := range part {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			args = append(args, t.tenant, id, l.id, start+i, l.sku, l.quantity, l.unitPrice, l.total, l.shipped, l.returned)
		}
		if err := t.queue(&queuedWrite{query: q.String(), args: args, what: "write lines of order " + id}); err != nil {
			return err
		}
	}
	return nil
}

// orderLinesCurrent reports whether the stored order_lines rows of o are
// rows, field for field and in position order.
func orderLinesCurrent(ctx context.Context, t *tx, o *order.Order, want []lineRow) (bool, error) {
	rows, err := t.query(ctx, `SELECT line_id, sku, quantity, unit_price, total, shipped, returned
		FROM order_lines WHERE tenant = ? AND order_id = ? ORDER BY position`, t.tenant, o.ID.String())
	if err != nil {
		return false, interpretError(err, "read lines of order %s", o.ID)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var l lineRow
		if err := rows.Scan(&l.id, &l.sku, &l.quantity, &l.unitPrice, &l.total, &l.shipped, &l.returned); err != nil {
			return false, interpretError(err, "read lines of order %s", o.ID)
		}
		if n >= len(want) || l != want[n] {
			return false, nil
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return false, interpretError(err, "read lines of order %s", o.ID)
	}
	return n == len(want), nil
}

// rewriteOrderLines replaces the order_lines rows of o with rows.
func rewriteOrderLines(ctx context.Context, t *tx, o *order.Order, rows []lineRow) error {
	if _, err := t.exec(ctx,
		`DELETE FROM order_lines WHERE tenant = ? AND order_id = ?`, t.tenant, o.ID.String()); err != nil {
		return interpretError(err, "write lines of order %s", o.ID)
	}
	return insertOrderLines(ctx, t, o, rows)
}

// ListOrders returns one page of the tenant's orders matching f, oldest
// first (by created_at, then ID), with the orders' indexes; it implements
// storage.OrderLister. A cursor this store did not return gives an error
// wrapping storage.ErrInvalidCursor.
func (t *tx) ListOrders(ctx context.Context, f storage.OrderFilter) (storage.OrderPage, error) {
	limit := f.PageSize()
	where := []string{"tenant = ?"}
	args := []any{t.tenant}
	if len(f.Statuses) > 0 {
		where = append(where, "status IN ("+placeholders(len(f.Statuses))+")")
		for _, s := range f.Statuses {
			args = append(args, string(s))
		}
	}
	if len(f.PaymentStatuses) > 0 {
		where = append(where, "payment_status IN ("+placeholders(len(f.PaymentStatuses))+")")
		for _, s := range f.PaymentStatuses {
			args = append(args, string(s))
		}
	}
	if f.Channel != "" {
		where = append(where, "channel_name = ?")
		args = append(args, f.Channel)
	}
	if f.CustomerID != "" {
		where = append(where, "customer_id = ?")
		args = append(args, f.CustomerID)
	}
	if f.ExternalRef != "" {
		where = append(where, "external_ref = ?")
		args = append(args, f.ExternalRef)
	}
	if !f.CreatedFrom.IsZero() {
		where = append(where, "created_at >= ?")
		args = append(args, formatTime(f.CreatedFrom))
	}
	if !f.CreatedBefore.IsZero() {
		where = append(where, "created_at < ?")
		args = append(args, formatTime(f.CreatedBefore))
	}
	if f.Cursor != "" {
		at, id, err := decodeCursor(f.Cursor)
		if err != nil {
			return storage.OrderPage{}, err
		}
		where = append(where, "(created_at > ? OR (created_at = ? AND id > ?))")
		args = append(args, at, at, id)
	}
	args = append(args, limit+1)
	q := "SELECT version, doc, created_at, id FROM orders WHERE " + strings.Join(where, " AND ") +
		" ORDER BY created_at, id LIMIT ?"
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return storage.OrderPage{}, interpretError(err, "list orders")
	}
	defer rows.Close()
	var (
		page           storage.OrderPage
		lastAt, lastID string
		prevAt, prevID string
	)
	for rows.Next() {
		var (
			version int64
			doc     string
		)
		prevAt, prevID = lastAt, lastID
		if err := rows.Scan(&version, &doc, &lastAt, &lastID); err != nil {
			return storage.OrderPage{}, interpretError(err, "list orders")
		}
		if len(page.Orders) == limit {
			page.Next = encodeCursor(prevAt, prevID)
			break
		}
		o, err := orderTable.scan(docRow{version, doc})
		if err != nil {
			return storage.OrderPage{}, interpretError(err, "list orders")
		}
		page.Orders = append(page.Orders, o)
	}
	if err := rows.Err(); err != nil {
		return storage.OrderPage{}, interpretError(err, "list orders")
	}
	return page, nil
}

// docRow feeds already-scanned version and doc to docTable.scan.
type docRow struct {
	version int64
	doc     string
}

func (d docRow) Scan(dest ...any) error {
	*dest[0].(*int64) = d.version
	*dest[1].(*string) = d.doc
	return nil
}

// Cursors are opaque to callers: base64 of the last row's stored
// created_at text, a space, and its ID.
func encodeCursor(at, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(at + " " + id))
}

// decodeCursor returns the stored created_at text and ID an
// OrderPage.Next cursor holds. Any other string than one encodeCursor
// returns for a stored time and ID gives an error wrapping
// storage.ErrInvalidCursor.
func decodeCursor(c string) (at, id string, err error) {
	raw, err := base64.RawURLEncoding.Strict().DecodeString(c)
	if err == nil {
		a, i, ok := strings.Cut(string(raw), " ")
		if ok {
			t, err1 := time.Parse(timeLayout, a)
			u, err2 := uuid.Parse(i)
			// Only the canonical forms are ones this store stored.
			if err1 == nil && err2 == nil && formatTime(t) == a && u.String() == i && encodeCursor(a, i) == c {
				return a, i, nil
			}
		}
	}
	return "", "", fmt.Errorf("sqlite: list orders: cursor %.40q: %w", c, storage.ErrInvalidCursor)
}
