package oms_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/memory"
)

// racyStore loses the race for stock on its first `lose` reservations, as
// when another app instance takes the units between allocation and
// reservation.
type racyStore struct {
	*memory.Store
	lose atomic.Int64
}

func (s *racyStore) Tx(ctx context.Context, tenant string, fn func(storage.Tx) error) error {
	return s.Store.Tx(ctx, tenant, func(tx storage.Tx) error { return fn(racyTx{Tx: tx, s: s}) })
}

type racyTx struct {
	storage.Tx
	s *racyStore
}

func (t racyTx) Inventory() storage.InventoryRepository {
	return racyInventory{InventoryRepository: t.Tx.Inventory(), s: t.s}
}

type racyInventory struct {
	storage.InventoryRepository
	s *racyStore
}

func (r racyInventory) ApplyMovement(ctx context.Context, m inventory.Movement) (inventory.StockLevel, inventory.Movement, error) {
	if m.Kind == inventory.MovementReserve && r.s.lose.Add(-1) >= 0 {
		return inventory.StockLevel{}, m, &inventory.ShortageError{Shortages: []inventory.Shortage{{SKU: m.SKU, Requested: m.Quantity}}}
	}
	return r.InventoryRepository.ApplyMovement(ctx, m)
}

func TestPlacementRetriesALostStockRace(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		losses int64
		placed bool
	}{
		{"lost twice, then placed", 2, true},
		{"always lost: a shortage", 1000, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			store := &racyStore{Store: memory.New()}
			f := newFixtureOn(t, store)
			store.lose.Store(tt.losses)
			o, err := f.eng.PlaceOrder(context.Background(), oms.DefaultTenant, oms.PlaceOrderRequest{
				Order: draft("RACE-1", line("MUG", 1, "10.00")), Payment: oms.PaymentMethod{Token: payment.TokenApprove},
			})
			if tt.placed {
				require.NoError(t, err)
				assert.Equal(t, order.StatusConfirmed, o.Status)
				assert.Equal(t, int64(19), f.available(t, "", "MUG"))
				return
			}
			require.ErrorIs(t, err, inventory.ErrInsufficientStock)
			assert.Equal(t, int64(20), f.available(t, "", "MUG"))
		})
	}
}
