package postgres_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/storage"
)

// TestQueuedWriteFailureLosesTheTransaction queues writes (a ledger row, a
// reservation whose ID exists, events) beside a stock update, and checks
// that the failing reservation takes the whole transaction with it, whether
// the batch rides with a later statement or with the COMMIT: its error
// wraps storage.ErrDuplicate at that statement, at every later one and at
// Tx, and nothing of the transaction is kept.
func TestQueuedWriteFailureLosesTheTransaction(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := t.Context()
	loc := createLocation(t, st, "acme", "WH-1")
	r, err := inventory.NewReservation(newID(), "acme", newID(), newID(), "TEE-M", loc, 1, t0)
	require.NoError(t, err)
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		if _, _, err := tx.Inventory().ApplyMovement(ctx, move(t, "acme", "TEE-M", loc, inventory.MovementReceive, 10)); err != nil {
			return err
		}
		return storage.Reservations(tx).Create(ctx, r)
	}))
	before := snapshot(t, st)

	for _, ride := range []string{"next statement", "commit"} {
		t.Run(ride, func(t *testing.T) {
			err := st.Tx(ctx, "acme", func(tx storage.Tx) error {
				if _, _, err := tx.Inventory().ApplyMovement(ctx, move(t, "acme", "TEE-M", loc, inventory.MovementReserve, 1)); err != nil {
					return err
				}
				require.NoError(t, storage.Reservations(tx).Create(ctx, r.Clone()), "the insert is queued")
				require.NoError(t, tx.Outbox().Append(ctx, storage.Event{ID: newID(), Type: "x", AggregateType: "test",
					AggregateID: newID(), OccurredAt: t0}))
				if ride == "commit" {
					return nil
				}
				_, err := tx.Inventory().StockLevels(ctx, nil)
				require.ErrorIs(t, err, storage.ErrDuplicate, "the statement the batch rode with")
				_, err2 := tx.Idempotency().Get(ctx, "k")
				require.ErrorIs(t, err2, storage.ErrDuplicate, "a later statement")
				return nil // even ignoring the errors, nothing commits
			})
			require.ErrorIs(t, err, storage.ErrDuplicate)
			require.Equal(t, before, snapshot(t, st), "the failed transaction left nothing")
		})
	}
}

// snapshot returns the stock levels, the ledger and the claimable events of
// tenant acme.
func snapshot(t *testing.T, st storage.Store) []any {
	t.Helper()
	ctx := context.Background()
	var out []any
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		levels, err := tx.Inventory().StockLevels(ctx, nil)
		if err != nil {
			return err
		}
		ms, err := storage.Movements(ctx, tx, storage.MovementFilter{})
		if err != nil {
			return err
		}
		rs, err := storage.Reservations(tx).All(ctx)
		if err != nil {
			return err
		}
		out = append(out, levels, len(ms), len(rs))
		return nil
	}))
	events, err := st.Outbox().Claim(ctx, "snapshot", 100, t0, 0)
	require.NoError(t, err)
	return append(out, len(events))
}
