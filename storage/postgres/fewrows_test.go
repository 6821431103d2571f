package postgres_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/storage"
)

// The ledger entries of 1 to 10 movements applied together go through the
// statement of few rows (up to 8) or of arrays, and read back in the
// order applied, with their values.
func TestLedgerOfFewAndManyMovements(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st := newStore(t)
	const tenant = "acme"
	loc := createLocation(t, st, tenant, "WH")
	for n := 1; n <= 10; n++ {
		sku := fmt.Sprintf("LEDGER-%d", n)
		var ms []inventory.Movement
		for i := range n {
			kind, qty := inventory.MovementReceive, int64(10+i)
			if i%2 == 1 {
				kind, qty = inventory.MovementReserve, 1
			}
			ms = append(ms, move(t, tenant, sku, loc, kind, qty))
		}
		require.NoError(t, st.Tx(ctx, tenant, func(tx storage.Tx) error {
			_, _, err := storage.ApplyMovements(ctx, tx, ms)
			return err
		}), "%d movements", n)
		require.NoError(t, st.Tx(ctx, tenant, func(tx storage.Tx) error {
			got, err := storage.Movements(ctx, tx, storage.MovementFilter{SKU: sku})
			require.NoError(t, err)
			require.Len(t, got, n)
			var onHand, reserved int64
			for i, m := range got {
				assert.Equal(t, ms[i].ID, m.ID, "%d movements, entry %d", n, i)
				assert.Equal(t, ms[i].Kind, m.Kind)
				assert.Equal(t, ms[i].Quantity, m.Quantity)
				onHand, reserved = onHand+m.OnHandDelta, reserved+m.ReservedDelta
				assert.Equal(t, onHand, m.OnHandAfter, "%d movements, entry %d", n, i)
				assert.Equal(t, reserved, m.ReservedAfter, "%d movements, entry %d", n, i)
			}
			return nil
		}))
	}
}
