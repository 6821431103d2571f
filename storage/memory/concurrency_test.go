package memory_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/memory"
)

// TestConcurrentTransactions runs many transactions at once on several
// tenants, each reserving one unit of one hot stock level, creating a
// reservation, bumping a counter aggregate every transaction updates,
// recording an idempotency key and appending an event; every fourth
// transaction fails after doing all that. Nothing may be oversold, and each
// transaction's writes must be kept all together or not at all.
func TestConcurrentTransactions(t *testing.T) {
	const (
		tenants = 3
		workers = 8 // per tenant
		tries   = 30
		onHand  = 100 // fewer than the transactions that would commit
	)
	ctx := context.Background()
	store := memory.New()
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	loc := uuid.Must(uuid.NewV7())
	counter := uuid.Must(uuid.NewV7())
	errDeliberate := errors.New("deliberate failure")
	for n := range tenants {
		tenant := fmt.Sprintf("t%d", n)
		require.NoError(t, store.Tx(ctx, tenant, func(tx storage.Tx) error {
			if err := tx.Inventory().CreateLocation(ctx, &inventory.Location{ID: loc, Code: "HOT", Name: "Hot", Active: true, CreatedAt: at, UpdatedAt: at}); err != nil {
				return err
			}
			m, err := inventory.NewMovement(uuid.Must(uuid.NewV7()), tenant, "HOT", loc, inventory.MovementReceive, onHand, uuid.Nil, "stock", at)
			if err != nil {
				return err
			}
			if _, _, err := tx.Inventory().ApplyMovement(ctx, m); err != nil {
				return err
			}
			c, err := inventory.NewReservation(counter, tenant, counter, counter, "COUNTER", loc, 1, at)
			if err != nil {
				return err
			}
			return storage.Reservations(tx).Create(ctx, c)
		}))
	}

	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		committed = make(map[string]int)
		short     = make(map[string]int)
	)
	for n := range tenants {
		tenant := fmt.Sprintf("t%d", n)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range tries {
					fail := i%4 == 3
					key := fmt.Sprintf("w%d-%d", w, i)
					orderID := uuid.Must(uuid.NewV7())
					var err error
					for range 1000 { // retry conflicts, as the engine does
						err = store.Tx(ctx, tenant, func(tx storage.Tx) error {
							c, err := storage.Reservations(tx).Get(ctx, counter)
							if err != nil {
								return err
							}
							c.Quantity++
							if err := storage.Reservations(tx).Update(ctx, c); err != nil {
								return err
							}
							m, err := inventory.NewMovement(uuid.Must(uuid.NewV7()), tenant, "HOT", loc, inventory.MovementReserve, 1, orderID, "order", at)
							if err != nil {
								return err
							}
							if _, _, err := tx.Inventory().ApplyMovement(ctx, m); err != nil {
								return err
							}
							r, err := inventory.NewReservation(uuid.Must(uuid.NewV7()), tenant, orderID, orderID, "HOT", loc, 1, at)
							if err != nil {
								return err
							}
							if err := storage.Reservations(tx).Create(ctx, r); err != nil {
								return err
							}
							if err := tx.Idempotency().Put(ctx, storage.IdempotencyRecord{Key: key, Operation: "reserve", ResourceID: orderID, CreatedAt: at}); err != nil {
								return err
							}
							if err := tx.Outbox().Append(ctx, storage.Event{ID: uuid.Must(uuid.NewV7()), Type: "reserved",
								AggregateType: "order", AggregateID: orderID, Payload: []byte(`{}`), OccurredAt: at}); err != nil {
								return err
							}
							if fail {
								return errDeliberate
							}
							return nil
						})
						if !errors.Is(err, storage.ErrConflict) {
							break
						}
					}
					mu.Lock()
					switch {
					case err == nil:
						committed[tenant]++
					case errors.Is(err, inventory.ErrInsufficientStock):
						short[tenant]++
					case fail && errors.Is(err, errDeliberate):
					default:
						t.Errorf("%s, worker %d, try %d: %v", tenant, w, i, err)
					}
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()

	events, err := store.Outbox().Claim(ctx, "check", 100_000, at, time.Hour)
	require.NoError(t, err)
	perTenant := make(map[string]int)
	for _, e := range events {
		perTenant[e.Tenant]++
	}
	for n := range tenants {
		tenant := fmt.Sprintf("t%d", n)
		assert.Equal(t, onHand, committed[tenant], "%s: every unit is sold once, and no more", tenant)
		assert.Positive(t, short[tenant], "%s: the others found the level short", tenant)
		assert.Equal(t, committed[tenant], perTenant[tenant], "%s: one event per committed transaction", tenant)
		require.NoError(t, store.Tx(ctx, tenant, func(tx storage.Tx) error {
			levels, err := tx.Inventory().StockLevels(ctx, []string{"HOT"})
			require.NoError(t, err)
			require.Len(t, levels, 1)
			assert.EqualValues(t, onHand, levels[0].OnHand, tenant)
			assert.EqualValues(t, committed[tenant], levels[0].Reserved, "%s: reserved", tenant)
			assert.LessOrEqual(t, levels[0].Reserved, levels[0].OnHand, "%s: oversold", tenant)

			c, err := storage.Reservations(tx).Get(ctx, counter)
			require.NoError(t, err)
			assert.EqualValues(t, 1+committed[tenant], c.Quantity, "%s: no update lost", tenant)

			all, err := storage.Reservations(tx).All(ctx)
			require.NoError(t, err)
			assert.Len(t, all, 1+committed[tenant], "%s: one reservation per committed transaction", tenant)

			moves, err := storage.Movements(ctx, tx, storage.MovementFilter{SKU: "HOT"})
			require.NoError(t, err)
			require.Len(t, moves, 1+committed[tenant], "%s: the ledger holds the committed movements", tenant)
			for i, m := range moves[1:] {
				assert.EqualValues(t, i+1, m.ReservedAfter, "%s: ledger entry %d", tenant, i+1)
			}

			var keys int
			for w := range workers {
				for i := range tries {
					if _, err := tx.Idempotency().Get(ctx, fmt.Sprintf("w%d-%d", w, i)); err == nil {
						keys++
					}
				}
			}
			assert.Equal(t, committed[tenant], keys, "%s: one idempotency record per committed transaction", tenant)
			return nil
		}))
	}
}

// TestCommitChecks runs a second transaction to its commit while a first
// is open: the first then fails to commit when the second updated the
// aggregate it updated, or took the idempotency key or location code it
// took, and keeps nothing.
func TestCommitChecks(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	newReservation := func(t *testing.T) *inventory.Reservation {
		id := uuid.Must(uuid.NewV7())
		r, err := inventory.NewReservation(id, "t", id, id, "SKU", uuid.Must(uuid.NewV7()), 1, at)
		require.NoError(t, err)
		return r
	}

	t.Run("Update", func(t *testing.T) {
		store := memory.New()
		r := newReservation(t)
		require.NoError(t, store.Tx(ctx, "t", func(tx storage.Tx) error { return storage.Reservations(tx).Create(ctx, r) }))
		mine := r.Clone()
		err := store.Tx(ctx, "t", func(tx storage.Tx) error {
			mine.Quantity = 5
			if err := storage.Reservations(tx).Update(ctx, mine); err != nil {
				return err
			}
			return store.Tx(ctx, "t", func(tx storage.Tx) error {
				theirs := r.Clone()
				theirs.Quantity = 7
				return storage.Reservations(tx).Update(ctx, theirs)
			})
		})
		require.ErrorIs(t, err, storage.ErrConflict)
		assert.EqualValues(t, 1, mine.Version, "the version is restored")
		require.NoError(t, store.Tx(ctx, "t", func(tx storage.Tx) error {
			got, err := storage.Reservations(tx).Get(ctx, r.ID)
			require.NoError(t, err)
			assert.EqualValues(t, 7, got.Quantity)
			assert.EqualValues(t, 2, got.Version)
			return nil
		}))
	})

	t.Run("IdempotencyKey", func(t *testing.T) {
		store := memory.New()
		r := newReservation(t)
		rec := storage.IdempotencyRecord{Key: "k", Operation: "op", CreatedAt: at}
		err := store.Tx(ctx, "t", func(tx storage.Tx) error {
			if err := storage.Reservations(tx).Create(ctx, r); err != nil {
				return err
			}
			if err := tx.Idempotency().Put(ctx, rec); err != nil {
				return err
			}
			return store.Tx(ctx, "t", func(tx storage.Tx) error { return tx.Idempotency().Put(ctx, rec) })
		})
		require.ErrorIs(t, err, storage.ErrDuplicate)
		require.ErrorIs(t, err, storage.ErrConflict, "a retry finds the record")
		require.NoError(t, store.Tx(ctx, "t", func(tx storage.Tx) error {
			_, err := storage.Reservations(tx).Get(ctx, r.ID)
			assert.ErrorIs(t, err, storage.ErrNotFound, "nothing of the failed transaction is kept")
			return nil
		}))
	})

	t.Run("LocationCode", func(t *testing.T) {
		store := memory.New()
		loc := func() *inventory.Location {
			return &inventory.Location{ID: uuid.Must(uuid.NewV7()), Code: "BER", Name: "Berlin", Active: true, CreatedAt: at, UpdatedAt: at}
		}
		mine := loc()
		err := store.Tx(ctx, "t", func(tx storage.Tx) error {
			if err := tx.Inventory().CreateLocation(ctx, mine); err != nil {
				return err
			}
			return store.Tx(ctx, "t", func(tx storage.Tx) error { return tx.Inventory().CreateLocation(ctx, loc()) })
		})
		require.ErrorIs(t, err, storage.ErrDuplicate)
		assert.Zero(t, mine.Version, "the version is restored")
	})

	t.Run("StockOutOfOrder", func(t *testing.T) {
		store := memory.New()
		l := &inventory.Location{ID: uuid.Must(uuid.NewV7()), Code: "BER", Name: "Berlin", Active: true, CreatedAt: at, UpdatedAt: at}
		require.NoError(t, store.Tx(ctx, "t", func(tx storage.Tx) error { return tx.Inventory().CreateLocation(ctx, l) }))
		receive := func(tx storage.Tx, sku string) error {
			m, err := inventory.NewMovement(uuid.Must(uuid.NewV7()), "t", sku, l.ID, inventory.MovementReceive, 1, uuid.Nil, "delivery", at)
			require.NoError(t, err)
			_, _, err = tx.Inventory().ApplyMovement(ctx, m)
			return err
		}
		err := store.Tx(ctx, "t", func(tx storage.Tx) error {
			if err := receive(tx, "A"); err != nil {
				return err
			}
			return store.Tx(ctx, "t", func(inner storage.Tx) error {
				if err := receive(inner, "B"); err != nil {
					return err
				}
				// A is held by the outer transaction and below B: waiting
				// could deadlock.
				return receive(inner, "A")
			})
		})
		require.ErrorIs(t, err, storage.ErrConflict)
	})
}
