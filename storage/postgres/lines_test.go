package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/storage"
)

// An order updated by a transaction that did not read it (the engine's
// confirm step starts from what the placement wrote) rewrites none of its
// unchanged order_lines rows, and only the rows that changed otherwise.
func TestUnchangedOrderLinesAreNotRewritten(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	schema := newSchema(t)
	st := openStore(t, schema)
	o := newOrder(t, "acme", time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC), "cus-1")
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error { return storage.Orders(tx).Create(ctx, o) }))

	conn, err := pgx.Connect(ctx, testURL(t))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close(ctx) })
	// xmin names the transaction that wrote a row version: a rewrite changes it.
	versions := func() map[string]string {
		rows, err := conn.Query(ctx, "SELECT sku, xmin::text FROM "+pgx.Identifier{schema, "order_lines"}.Sanitize()+
			" WHERE order_id = $1", o.ID)
		require.NoError(t, err)
		out := make(map[string]string)
		for rows.Next() {
			var sku, xmin string
			require.NoError(t, rows.Scan(&sku, &xmin))
			out[sku] = xmin
		}
		require.NoError(t, rows.Err())
		return out
	}
	before := versions()
	require.Len(t, before, 2)

	update := func(change func(*order.Order)) {
		t.Helper()
		c := o.Clone()
		change(c)
		require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error { return storage.Orders(tx).Update(ctx, c) }))
		o = c
	}
	update(func(c *order.Order) { c.UpdatedAt = c.UpdatedAt.Add(time.Minute) })
	assert.Equal(t, before, versions(), "no line changed: no row rewritten")

	update(func(c *order.Order) { c.Lines[1].Shipped = c.Lines[1].Quantity })
	after := versions()
	assert.Equal(t, before["TEE-M"], after["TEE-M"], "an unchanged line is not rewritten")
	assert.NotEqual(t, before["MUG"], after["MUG"], "the changed line is written")

	var got *order.Order
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		var err error
		got, err = storage.Orders(tx).Get(ctx, o.ID)
		return err
	}))
	assert.Equal(t, o.Lines[1].Quantity, got.Lines[1].Shipped)
}
