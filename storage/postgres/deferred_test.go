package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/storage"
)

// Stock levels that GetItems locked are changed from what the transaction
// knows of them: the levels, after-values and errors are those of a
// statement, a refused movement changes nothing, and a concurrent change of
// a locked level waits for the transaction's end.
func TestLockedLevelsApplyAsStatementsWould(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := t.Context()
	loc := createLocation(t, st, "acme", "WH-1")
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		for _, sku := range []string{"MUG", "TEE"} {
			if err := tx.Inventory().PutItem(ctx, inventory.Item{Tenant: "acme", SKU: sku, Name: sku, CreatedAt: t0}); err != nil {
				return err
			}
		}
		_, _, err := storage.ApplyMovements(ctx, tx, []inventory.Movement{
			move(t, "acme", "MUG", loc, inventory.MovementReceive, 5),
			move(t, "acme", "TEE", loc, inventory.MovementReceive, 3),
		})
		return err
	}))

	concurrent := make(chan error, 1)
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		items, err := storage.GetItems(ctx, tx, []string{"MUG", "TEE"})
		require.NoError(t, err)
		require.Len(t, items, 2)

		// Too many: the shortage of the level as it is, nothing changed.
		_, _, err = storage.ApplyMovements(ctx, tx, []inventory.Movement{
			move(t, "acme", "MUG", loc, inventory.MovementReserve, 2),
			move(t, "acme", "TEE", loc, inventory.MovementReserve, 4),
		})
		var shortage *inventory.ShortageError
		require.ErrorAs(t, err, &shortage)
		require.Len(t, shortage.Shortages, 1)
		assert.Equal(t, "TEE", shortage.Shortages[0].SKU)

		levels, applied, err := storage.ApplyMovements(ctx, tx, []inventory.Movement{
			move(t, "acme", "MUG", loc, inventory.MovementReserve, 2),
			move(t, "acme", "MUG", loc, inventory.MovementReserve, 1),
			move(t, "acme", "TEE", loc, inventory.MovementReserve, 3),
		})
		require.NoError(t, err)
		assert.Equal(t, []int64{2, 3, 3}, []int64{levels[0].Reserved, levels[1].Reserved, levels[2].Reserved})
		assert.Equal(t, []int64{2, 3, 3}, []int64{applied[0].ReservedAfter, applied[1].ReservedAfter, applied[2].ReservedAfter})
		assert.Equal(t, []int64{2, 3, 2}, []int64{levels[0].Version, levels[1].Version, levels[2].Version})

		// The levels are locked: a change from another transaction waits.
		go func() {
			concurrent <- st.Tx(ctx, "acme", func(tx storage.Tx) error {
				_, _, err := tx.Inventory().ApplyMovement(ctx, move(t, "acme", "TEE", loc, inventory.MovementReceive, 1))
				return err
			})
		}()
		select {
		case err := <-concurrent:
			t.Fatalf("a concurrent change of a locked level did not wait: %v", err)
		case <-time.After(200 * time.Millisecond):
		}

		// A single movement takes the same path, and sees the batch's.
		lvl, m, err := tx.Inventory().ApplyMovement(ctx, move(t, "acme", "MUG", loc, inventory.MovementReserve, 2))
		require.NoError(t, err)
		assert.EqualValues(t, 5, lvl.Reserved)
		assert.EqualValues(t, 5, m.ReservedAfter)
		_, _, err = tx.Inventory().ApplyMovement(ctx, move(t, "acme", "MUG", loc, inventory.MovementReserve, 1))
		require.ErrorIs(t, err, inventory.ErrInsufficientStock)
		return nil
	}))
	require.NoError(t, <-concurrent)

	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		levels, err := tx.Inventory().StockLevels(ctx, []string{"MUG", "TEE"})
		require.NoError(t, err)
		require.Len(t, levels, 2)
		assert.Equal(t, [2]int64{5, 5}, [2]int64{levels[0].OnHand, levels[0].Reserved}, "MUG")
		assert.EqualValues(t, 4, levels[0].Version, "MUG")
		assert.Equal(t, [2]int64{4, 3}, [2]int64{levels[1].OnHand, levels[1].Reserved}, "TEE, and the concurrent receive")
		ms, err := storage.Movements(ctx, tx, storage.MovementFilter{SKU: "MUG"})
		require.NoError(t, err)
		var after []int64
		for _, m := range ms {
			after = append(after, m.ReservedAfter)
		}
		assert.Equal(t, []int64{0, 2, 3, 5}, after, "the ledger of MUG, in order")
		return nil
	}))
}

// An idempotency key the transaction found absent is put by a queued
// insert: when a concurrent transaction put it meanwhile, the commit fails
// with an error wrapping both ErrDuplicate and ErrConflict, and nothing of
// the transaction is kept. A key put without looking it up still reports
// ErrDuplicate at once, without aborting the transaction.
func TestIdempotencyPutOfAnAbsentKey(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := t.Context()
	rec := storage.IdempotencyRecord{Key: "place:k", Operation: "place_order", ResourceID: newID(), CreatedAt: t0}
	err := st.Tx(ctx, "acme", func(tx storage.Tx) error {
		_, err := tx.Idempotency().Get(ctx, rec.Key)
		require.ErrorIs(t, err, storage.ErrNotFound)
		require.NoError(t, st.Tx(ctx, "acme", func(other storage.Tx) error { return other.Idempotency().Put(ctx, rec) }))
		mine := rec
		mine.ResourceID = newID()
		require.NoError(t, tx.Idempotency().Put(ctx, mine), "the insert is queued")
		return tx.Idempotency().Put(ctx, storage.IdempotencyRecord{Key: "place:other", Operation: "place_order",
			ResourceID: newID(), CreatedAt: t0})
	})
	require.ErrorIs(t, err, storage.ErrDuplicate)
	require.ErrorIs(t, err, storage.ErrConflict)
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		got, err := tx.Idempotency().Get(ctx, rec.Key)
		require.NoError(t, err)
		assert.Equal(t, rec.ResourceID, got.ResourceID)
		_, err = tx.Idempotency().Get(ctx, "place:other")
		require.ErrorIs(t, err, storage.ErrNotFound, "the failed transaction kept nothing")

		err = tx.Idempotency().Put(ctx, rec)
		require.ErrorIs(t, err, storage.ErrDuplicate, "a Put of a key not looked up is sent at once")
		_, err = tx.Idempotency().Get(ctx, rec.Key)
		return err
	}))
}

// A queued Update of a stale version, or of a missing row, fails the
// statement it rides with as it would have failed itself, and the
// transaction with it.
func TestQueuedUpdateFailsTheNextStatement(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := context.Background()
	o := newOrder(t, "acme", t0, "c-1")
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error { return storage.Orders(tx).Create(ctx, o) }))
	stale := o.Clone()
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error { return storage.Orders(tx).Update(ctx, o) }))

	err := st.Tx(ctx, "acme", func(tx storage.Tx) error {
		require.NoError(t, storage.Orders(tx).Update(ctx, stale), "the update is queued")
		_, err := tx.Idempotency().Get(ctx, "k")
		require.ErrorIs(t, err, storage.ErrConflict, "the statement it rode with")
		return err
	})
	require.ErrorIs(t, err, storage.ErrConflict)
	assert.EqualValues(t, 1, stale.Version, "the version is restored")

	missing := newOrder(t, "acme", t0, "c-2")
	missing.Version = 1
	err = st.Tx(ctx, "acme", func(tx storage.Tx) error {
		require.NoError(t, storage.Orders(tx).Update(ctx, missing))
		_, err := storage.Orders(tx).Get(ctx, o.ID)
		require.ErrorIs(t, err, storage.ErrNotFound, "the statement it rode with")
		return nil
	})
	require.ErrorIs(t, err, storage.ErrNotFound)
}
