package sqlite_test

import (
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/storage"
)

// failInserts makes every INSERT into table at path fail, through a
// trigger created on a connection of its own; the returned function drops
// it again.
func failInserts(t *testing.T, path, table string) func() {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	_, err = db.Exec(`CREATE TRIGGER fail_` + table + ` BEFORE INSERT ON ` + table +
		` BEGIN SELECT RAISE(ABORT, 'injected failure'); END`)
	require.NoError(t, err)
	return func() {
		_, err := db.Exec(`DROP TRIGGER fail_` + table)
		require.NoError(t, err)
	}
}

// TestApplyMovementLedgerFailureLeavesLevel checks that when the ledger
// insert fails, ApplyMovement leaves the level as it was, both for a level
// already stored (read by StockLevels in the same transaction, or not)
// and for a new one, and that the transaction may go on and commit.
func TestApplyMovementLedgerFailureLeavesLevel(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "oms.db")
	st := openAt(t, path)
	loc := createLocation(t, st, "acme", "WH1")
	before, err := move(t, st, "acme", "OLD", loc.ID, inventory.MovementReceive, 5)
	require.NoError(t, err)

	restore := failInserts(t, path, "stock_movements")
	for _, readFirst := range []bool{false, true} {
		for _, sku := range []string{"OLD", "NEW"} {
			m, err := inventory.NewMovement(newID(), "acme", sku, loc.ID, inventory.MovementReceive, 3, newID(), "", t0)
			require.NoError(t, err)
			require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
				if readFirst {
					if _, err := tx.Inventory().StockLevels(ctx, []string{sku}); err != nil {
						return err
					}
				}
				_, _, err := tx.Inventory().ApplyMovement(ctx, m)
				require.ErrorContains(t, err, "injected failure")
				return nil // commit what is left: nothing
			}))
		}
	}
	restore()

	var levels []inventory.StockLevel
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		var err error
		levels, err = tx.Inventory().StockLevels(ctx, []string{"NEW", "OLD"})
		return err
	}))
	require.Len(t, levels, 1)
	assert.Equal(t, before, levels[0])

	// The same transaction's level is current after a failure and after
	// a success.
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		inv := tx.Inventory()
		if _, err := inv.StockLevels(ctx, []string{"OLD"}); err != nil {
			return err
		}
		m, err := inventory.NewMovement(newID(), "acme", "OLD", loc.ID, inventory.MovementReserve, 2, newID(), "", t0)
		require.NoError(t, err)
		got, _, err := inv.ApplyMovement(ctx, m)
		require.NoError(t, err)
		assert.Equal(t, int64(2), got.Reserved)
		assert.Equal(t, before.Version+1, got.Version)
		m, err = inventory.NewMovement(newID(), "acme", "OLD", loc.ID, inventory.MovementReserve, 4, newID(), "", t0)
		require.NoError(t, err)
		_, _, err = inv.ApplyMovement(ctx, m)
		require.ErrorIs(t, err, inventory.ErrInsufficientStock)
		levels, err := inv.StockLevels(ctx, []string{"OLD"})
		require.NoError(t, err)
		assert.Equal(t, got, levels[0])
		return nil
	}))
}

// TestOrderLinesFailureLeavesNoOrder checks that an order whose lines
// cannot be written fails its transaction (the write is queued, so the
// failure comes from the next call, and every later one) and is not
// stored, and that an order's lines are rewritten when they change and
// kept when they do not.
func TestOrderLinesFailureLeavesNoOrder(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "oms.db")
	st := openAt(t, path)
	o := buildOrder(t, "acme", t0, "c1")

	restore := failInserts(t, path, "order_lines")
	err := st.Tx(ctx, "acme", func(tx storage.Tx) error {
		if err := storage.Orders(tx).Create(ctx, o); err != nil {
			return err
		}
		_, err := storage.Orders(tx).Get(ctx, o.ID)
		require.ErrorContains(t, err, "injected failure")
		_, again := storage.Orders(tx).Get(ctx, o.ID)
		require.ErrorContains(t, again, "injected failure", "a lost transaction returns its failure again")
		return err
	})
	require.ErrorContains(t, err, "injected failure")
	restore()
	assert.Equal(t, int64(0), o.Version)
	err = st.Tx(ctx, "acme", func(tx storage.Tx) error {
		_, err := storage.Orders(tx).Get(ctx, o.ID)
		return err
	})
	require.ErrorIs(t, err, storage.ErrNotFound)

	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error { return storage.Orders(tx).Create(ctx, o) }))
	o.Lines[1].Shipped = 1
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error { return storage.Orders(tx).Update(ctx, o) }))
	o.Status = "confirmed"
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error { return storage.Orders(tx).Update(ctx, o) }))

	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer db.Close()
	var shipped []int64
	rows, err := db.Query(`SELECT shipped FROM order_lines WHERE order_id = ? ORDER BY position`, o.ID.String())
	require.NoError(t, err)
	for rows.Next() {
		var n int64
		require.NoError(t, rows.Scan(&n))
		shipped = append(shipped, n)
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, []int64{0, 1}, shipped)
}
