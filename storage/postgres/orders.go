package postgres

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/internal/gencache"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/storage"
)

// orderColumns are the reporting columns of orders.
var orderColumns = []string{
	"status", "channel_kind", "channel_name", "external_ref", "customer_id", "currency",
	"subtotal::numeric", "discount::numeric", "shipping::numeric", "tax::numeric", "total::numeric",
	"payment_status", "fulfillment_status", "created_at", "updated_at",
}

// orderStatusGroup is the column orders are listed by status through
// (migration 0005), which every write sets from the status (migration
// 0006).
var orderStatusGroup = derivedColumn{
	name: "status_group", from: "status",
	expr: func(param string) string { return "{order_status_group}(" + param + ")" },
}

// orderValues returns the values of orderColumns.
func orderValues(o *order.Order) []any {
	return []any{
		string(o.Status), string(o.Channel.Kind), o.Channel.Name, nullString(o.ExternalRef),
		nullString(o.Customer.ID), string(o.Currency),
		o.Totals.Subtotal.AmountString(), o.Totals.Discount.AmountString(), o.Totals.Shipping.AmountString(),
		o.Totals.Tax.AmountString(), o.Totals.Total.AmountString(),
		string(o.Payment.Status), string(o.Fulfillment.Status), o.CreatedAt, o.UpdatedAt,
	}
}

// lineRow is one row of order_lines as written, its position being its
// index.
type lineRow struct {
	id                uuid.UUID
	sku               string
	quantity          int64
	unitPrice, total  string
	shipped, returned int64
}

// storedLines are the rows of order_lines of an order at a version.
type storedLines struct {
	version int64
	rows    []lineRow
}

// lineRows returns the rows of order_lines of o.
func lineRows(o *order.Order) []lineRow {
	rows := make([]lineRow, len(o.Lines))
	for i, l := range o.Lines {
		rows[i] = lineRow{id: l.ID, sku: l.SKU, quantity: l.Quantity, unitPrice: l.UnitPrice.AmountString(),
			total: l.Total.AmountString(), shipped: l.Shipped, returned: l.Returned}
	}
	return rows
}

// seeOrderLines records the lines of an order the transaction read.
func seeOrderLines(t *tx, o *order.Order) {
	if t.lines == nil {
		t.lines = make(map[uuid.UUID]storedLines)
	}
	t.lines[o.ID] = storedLines{version: o.Version, rows: lineRows(o)}
}

// linesCacheRows bounds the lines each generation of a Store's line
// cache holds.
const linesCacheRows = 1 << 14

// newLineCache returns a Store's line cache. It remembers, across the
// transactions of a Store, the rows of order_lines of recently written or
// read orders at a version: the order at that version has exactly those
// rows, since a version of an order is written once (an update is
// conditional on the version before it) and with its lines, in the same
// transaction. An update of the order from that version, which succeeds
// only if the version is still current, need not rewrite lines that did
// not change: the engine's confirm step updates the order its placement
// step wrote just before. Entries are added only after their transaction
// committed. It keeps two generations of at most linesCacheRows lines.
func newLineCache() *gencache.Cache[lineKey, storedLines] {
	return gencache.New[lineKey](linesCacheRows, func(l storedLines) int { return len(l.rows) })
}

// lineKey names an order of a tenant.
type lineKey struct {
	tenant string
	id     uuid.UUID
}

// writeOrderLines brings the order's rows of order_lines to o's lines,
// after o was created (prev is 0) or updated from version prev. The rows of
// a new order are inserted, by the statement inserting the order. An update writes nothing when the transaction,
// or a committed one of the store (see newLineCache), read or wrote the order
// at version prev with the same lines; otherwise it deletes rows of lines
// the order no longer has and upserts the rest, the database skipping rows
// that did not change. The writes are queued on the transaction (see
// pipe.later).
func writeOrderLines(_ context.Context, t *tx, o *order.Order, prev int64) error {
	op := "write lines of order " + o.ID.String()
	rows := lineRows(o)
	if prev != 0 {
		was, ok := t.lines[o.ID]
		if !ok {
			was, ok = t.s.lines.Get(lineKey{t.tenant, o.ID})
		}
		if ok && was.version == prev && slices.Equal(was.rows, rows) {
			if t.lines == nil {
				t.lines = make(map[uuid.UUID]storedLines)
			}
			t.lines[o.ID] = storedLines{version: o.Version, rows: rows}
			return nil
		}
	}
	if t.lines == nil {
		t.lines = make(map[uuid.UUID]storedLines)
	}
	t.lines[o.ID] = storedLines{version: o.Version, rows: rows}
	if len(rows) == 0 {
		if prev != 0 {
			t.pg.later(op, t.s.q.deleteOrderLines, t.tenant, o.ID, []uuid.UUID{})
		}
		return nil
	}
	n := len(rows)
	var (
		ids       = make([]uuid.UUID, n)
		positions = make([]int32, n)
		skus      = make([]string, n)
		qtys      = make([]int64, n)
		prices    = make([]string, n)
		totals    = make([]string, n)
		shipped   = make([]int64, n)
		returned  = make([]int64, n)
	)
	for i, l := range rows {
		ids[i], positions[i], skus[i], qtys[i] = l.id, int32(i), l.sku, l.quantity
		prices[i], totals[i], shipped[i], returned[i] = l.unitPrice, l.total, l.shipped, l.returned
	}
	if prev != 0 {
		t.pg.later(op, t.s.q.deleteOrderLines, t.tenant, o.ID, ids)
		t.pg.later(op, t.s.q.upsertOrderLines, t.tenant, o.ID, ids, positions, skus, qtys, prices, totals, shipped, returned)
		return nil
	}
	start := func() *orderLineRows { return &orderLineRows{tenant: t.tenant} }
	add := func(r *orderLineRows) {
		for range n {
			r.orders = append(r.orders, o.ID)
		}
		r.ids, r.positions, r.skus, r.qtys = append(r.ids, ids...), append(r.positions, positions...), append(r.skus, skus...), append(r.qtys, qtys...)
		r.prices, r.totals, r.shipped, r.returned = append(r.prices, prices...), append(r.totals, totals...), append(r.shipped, shipped...), append(r.returned, returned...)
	}
	// The order's insert was queued just before: the lines join it.
	if !attachRows(t.pg, t.s.q.orders.insertMany, start, add) {
		laterRows(t.pg, op, "write lines of orders", t.s.q.insertLinesOfOrders, start, add)
	}
	return nil
}

// orderLineRows are the lines of orders created in a row, the companion
// of their insert, or a set-based insert of their own
// (insertLinesOfOrdersSQL).
type orderLineRows struct {
	tenant                  string
	orders, ids             []uuid.UUID
	positions               []int32
	skus, prices, totals    []string
	qtys, shipped, returned []int64
}

// args returns the arguments of insertLinesOfOrdersSQL.
func (r *orderLineRows) args() []any {
	return []any{r.tenant, r.orders, r.ids, r.positions, r.skus, r.qtys, r.prices, r.totals, r.shipped, r.returned}
}

// ListOrders returns one page of the orders matching f, ordered by
// (created_at, id), continuing after f.Cursor (keyset pagination on the
// orders' reporting columns); a cursor this store did not return gives an
// error wrapping storage.ErrInvalidCursor.
func (t *tx) ListOrders(ctx context.Context, f storage.OrderFilter) (storage.OrderPage, error) {
	const op = "list orders"
	limit := f.PageSize()
	var b filter
	b.add("tenant = ", t.tenant)
	if len(f.Statuses) > 0 {
		statuses := make([]string, len(f.Statuses))
		for i, s := range f.Statuses {
			statuses[i] = string(s)
		}
		// The index is by status group (migration 0005): pending and
		// confirmed share one, so the rows are filtered by status too.
		b.add("status_group = ANY("+t.s.q.orderStatusGroups+"(", statuses, "::text[]))")
		b.again("status = ANY(", ")")
	}
	if len(f.PaymentStatuses) > 0 {
		statuses := make([]string, len(f.PaymentStatuses))
		for i, s := range f.PaymentStatuses {
			statuses[i] = string(s)
		}
		b.add("payment_status = ANY(", statuses, ")")
	}
	if f.Channel != "" {
		b.add("channel_name = ", f.Channel)
	}
	if f.CustomerID != "" {
		b.add("customer_id = ", f.CustomerID)
	}
	if f.ExternalRef != "" {
		b.add("external_ref = ", f.ExternalRef)
	}
	if !f.CreatedFrom.IsZero() {
		b.add("created_at >= ", f.CreatedFrom)
	}
	if !f.CreatedBefore.IsZero() {
		b.add("created_at < ", f.CreatedBefore)
	}
	if f.Cursor != "" {
		after, afterID, err := decodeCursor(f.Cursor)
		if err != nil {
			return storage.OrderPage{}, err
		}
		b.add2("(created_at, id) > (", after, ", ", afterID, ")")
	}
	q := t.s.q.listOrders + b.where() + " ORDER BY created_at, id LIMIT " + b.param(limit+1)
	rows, err := aggRepo[order.Order]{t, t.s.q.orders}.list(ctx, op, q, b.args...)
	if err != nil {
		return storage.OrderPage{}, err
	}
	page := storage.OrderPage{Orders: rows}
	if len(rows) > limit {
		page.Orders = rows[:limit]
		last := page.Orders[limit-1]
		page.Next = encodeCursor(last.CreatedAt, last.ID)
	}
	return page, nil
}

// Cursors are opaque to callers: base64 of "unixmicro:uuid". The database
// keeps microseconds, so the cursor does too.
func encodeCursor(at time.Time, id uuid.UUID) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(at.UnixMicro(), 10) + ":" + id.String()))
}

// minCursorMicros is the earliest time a timestamptz holds (4714-11-24
// 00:00 UTC BC), in microseconds since the Unix epoch: no stored order,
// hence no cursor, is older.
const minCursorMicros = -210866803200_000000

// decodeCursor returns the position an OrderPage.Next cursor holds. Any
// other string than one encodeCursor returns for a storable time gives an
// error wrapping storage.ErrInvalidCursor.
func decodeCursor(c string) (time.Time, uuid.UUID, error) {
	raw, err := base64.RawURLEncoding.Strict().DecodeString(c)
	if err == nil {
		us, idStr, ok := strings.Cut(string(raw), ":")
		if ok {
			n, err1 := strconv.ParseInt(us, 10, 64)
			id, err2 := uuid.Parse(idStr)
			// Only the canonical form is one this store returned.
			if err1 == nil && err2 == nil && n >= minCursorMicros && encodeCursor(time.UnixMicro(n), id) == c {
				return time.UnixMicro(n).UTC(), id, nil
			}
		}
	}
	return time.Time{}, uuid.Nil, fmt.Errorf("postgres: list orders: cursor %.40q: %w", c, storage.ErrInvalidCursor)
}

// filter builds a WHERE clause of fixed conditions whose values are all
// query parameters.
type filter struct {
	conds []string
	args  []any
}

// param appends v to the arguments and returns its placeholder.
func (f *filter) param(v any) string {
	f.args = append(f.args, v)
	return "$" + strconv.Itoa(len(f.args))
}

// add appends the condition prefix $n suffix, where $n binds v.
func (f *filter) add(prefix string, v any, suffix ...string) {
	f.conds = append(f.conds, prefix+f.param(v)+strings.Join(suffix, ""))
}

// again appends the condition prefix $n suffix on the parameter the
// previous condition bound.
func (f *filter) again(prefix, suffix string) {
	f.conds = append(f.conds, prefix+"$"+strconv.Itoa(len(f.args))+suffix)
}

// add2 appends a condition with two parameters: a $n b $m c.
func (f *filter) add2(a string, v1 any, b string, v2 any, c string) {
	f.conds = append(f.conds, a+f.param(v1)+b+f.param(v2)+c)
}

// where returns " WHERE cond AND cond ...".
func (f *filter) where() string {
	if len(f.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(f.conds, " AND ")
}
