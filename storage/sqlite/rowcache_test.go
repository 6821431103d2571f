package sqlite_test

import (
	"database/sql"
	"errors"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/storage"
)

// TestUpdateAfterKnownVersion updates an order from versions its store
// wrote itself, from one a transaction that rolled back wrote, and from
// one another store on the same file wrote, and requires the reporting
// columns and lines to mirror the order each time: an update that sets
// only the changed columns must never start from values that are not
// the stored ones.
func TestUpdateAfterKnownVersion(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "oms.db")
	s1, s2 := openAt(t, path), openAt(t, path)
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer db.Close()
	requireMirrored := func(o *order.Order) {
		t.Helper()
		var version int64
		var status, customer, updated string
		require.NoError(t, db.QueryRow(`SELECT version, status, customer_id, updated_at FROM orders WHERE id = ?`,
			o.ID.String()).Scan(&version, &status, &customer, &updated))
		assert.Equal(t, o.Version, version)
		assert.Equal(t, string(o.Status), status)
		assert.Equal(t, o.Customer.ID, customer)
		assert.Equal(t, o.UpdatedAt.UTC().Format("2006-01-02T15:04:05.000000000Z"), updated)
		rows, err := db.Query(`SELECT sku, quantity FROM order_lines WHERE order_id = ? ORDER BY position`, o.ID.String())
		require.NoError(t, err)
		defer rows.Close()
		var got []order.Line
		for rows.Next() {
			var l order.Line
			require.NoError(t, rows.Scan(&l.SKU, &l.Quantity))
			got = append(got, l)
		}
		require.NoError(t, rows.Err())
		require.Len(t, got, len(o.Lines))
		for i, l := range o.Lines {
			assert.Equal(t, l.SKU, got[i].SKU)
			assert.Equal(t, l.Quantity, got[i].Quantity)
		}
	}
	update := func(st storage.Store, o *order.Order, change func(*order.Order), fail bool) {
		t.Helper()
		errFail := errors.New("roll back")
		err := st.Tx(ctx, "acme", func(tx storage.Tx) error {
			change(o)
			if err := storage.Orders(tx).Update(ctx, o); err != nil {
				return err
			}
			if fail {
				return errFail
			}
			return nil
		})
		if fail {
			require.ErrorIs(t, err, errFail)
			return
		}
		require.NoError(t, err)
	}
	load := func(st storage.Store, o *order.Order) *order.Order {
		t.Helper()
		var got *order.Order
		require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
			var err error
			got, err = storage.Orders(tx).Get(ctx, o.ID)
			return err
		}))
		return got
	}

	o := buildOrder(t, "acme", t0, "c1")
	require.NoError(t, s1.Tx(ctx, "acme", func(tx storage.Tx) error { return storage.Orders(tx).Create(ctx, o) }))
	requireMirrored(o)

	// From the version s1 wrote: only the status and time change.
	update(s1, o, func(o *order.Order) { o.Status, o.UpdatedAt = order.StatusConfirmed, t0.Add(1) }, false)
	requireMirrored(o)

	// A rolled-back update leaves nothing s1 starts from next, even once
	// another store wrote the version it would have written.
	update(s1, o, func(o *order.Order) { o.Customer.ID, o.Lines = "rolled-back", o.Lines[:1] }, true)
	update(s2, load(s2, o), func(o *order.Order) { o.UpdatedAt = t0.Add(2) }, false)
	o = load(s1, o)
	update(s1, o, func(o *order.Order) { o.Customer.ID, o.Lines = "rolled-back", o.Lines[:1] }, false)
	requireMirrored(o)
	update(s1, o, func(o *order.Order) { o.Customer.ID, o.Lines = "c1", load(s1, o).Lines }, false)
	requireMirrored(o)

	// s2 writes a version s1 does not know, changing a column and the
	// lines; s1 then updates from it.
	o2 := load(s2, o)
	update(s2, o2, func(o *order.Order) { o.Customer.ID, o.Lines = "c2", o.Lines[1:] }, false)
	requireMirrored(o2)
	o = load(s1, o)
	update(s1, o, func(o *order.Order) { o.Status, o.UpdatedAt = order.StatusCancelled, t0.Add(3) }, false)
	requireMirrored(o)
	assert.Equal(t, "c2", o.Customer.ID)

	// A stale update from a version s1 wrote still conflicts.
	stale := load(s1, o)
	update(s2, load(s2, o), func(o *order.Order) { o.UpdatedAt = t0.Add(4) }, false)
	err = s1.Tx(ctx, "acme", func(tx storage.Tx) error { return storage.Orders(tx).Update(ctx, stale) })
	require.ErrorIs(t, err, storage.ErrConflict)
}
