package storagetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/storage"
)

// stepReads are the answers of the reads a storage.ReadAhead names.
type stepReads struct {
	record    storage.IdempotencyRecord
	recordErr error
	items     map[string]inventory.Item
	levels    []levelKey
	locations []string // codes of the levels' locations, in the order GetLocations returned
}

// readStep makes the reads r names, as a step does after prefetching them:
// the first of r's idempotency keys, and the items, levels and the
// locations of those levels.
func readStep(t *testing.T, ctx context.Context, tx storage.Tx, r storage.ReadAhead) stepReads {
	t.Helper()
	var got stepReads
	got.record, got.recordErr = tx.Idempotency().Get(ctx, r.IdempotencyKeys[0])
	items, err := storage.GetItems(ctx, tx, r.SKUs)
	require.NoError(t, err, "GetItems")
	got.items = items
	levels, err := tx.Inventory().StockLevels(ctx, r.SKUs)
	require.NoError(t, err, "StockLevels")
	got.levels = keysOf(levels)
	ids := make([]uuid.UUID, len(levels))
	for i, l := range levels {
		ids[i] = l.LocationID
	}
	locations, err := storage.GetLocations(ctx, tx, ids)
	require.NoError(t, err, "GetLocations")
	for _, l := range locations {
		got.locations = append(got.locations, l.Code)
	}
	return got
}

// prefetch checks storage.Prefetch, with the store's storage.Prefetcher if
// it has one and with the ability hidden: the reads a prefetch names answer
// what they would have read without it (the tenant's rows only, a missing
// idempotency key as storage.ErrNotFound), a read made twice answers both
// times, a read of other keys or SKUs than were prefetched answers for
// those, and a write after the prefetch is seen by the reads after it.
func (s suite) prefetch(t *testing.T) {
	t.Parallel()
	for _, mode := range []struct {
		name string
		hide bool
	}{{"Prefetch", false}, {"Fallback", true}} {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			ctx := ctxFor(t)
			st := s.store(t)
			tenant, other := tenantName("prefetch"), tenantName("other")
			w := seed(t, ctx, st, tenant)
			wo := seed(t, ctx, st, other)
			receive := func(tenant string, loc *inventory.Location, sku string, qty int64) {
				inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
					_, _, err := tx.Inventory().ApplyMovement(ctx, movement(t, tenant, sku, loc.ID, inventory.MovementReceive, qty, w.order.ID, at(time.Hour)))
					return err
				})
			}
			receive(tenant, w.loc, skuTee, 5)
			receive(tenant, w.loc, skuMug, 3)
			receive(other, wo.loc, skuTee, 9)
			first := storage.IdempotencyRecord{Key: "k-1", Operation: "place_order", ResourceID: w.order.ID, CreatedAt: at(time.Hour), Fingerprint: "f1"}
			inTx(t, ctx, st, tenant, func(tx storage.Tx) error { return tx.Idempotency().Put(ctx, first) })
			inTx(t, ctx, st, other, func(tx storage.Tx) error {
				return tx.Idempotency().Put(ctx, storage.IdempotencyRecord{Key: "k-2", Operation: "place_order", ResourceID: wo.order.ID, CreatedAt: at(time.Hour)})
			})

			ahead := storage.ReadAhead{IdempotencyKeys: []string{first.Key, "k-absent"}, SKUs: []string{skuTee, skuMug, "HAT", skuTee}}
			var want stepReads
			inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
				want = readStep(t, ctx, tx, ahead)
				return nil
			})
			require.NoError(t, want.recordErr)
			require.Equal(t, first.ResourceID, want.record.ResourceID)
			require.Len(t, want.items, 2, "TEE and MUG")
			require.Len(t, want.levels, 2, "TEE and MUG at WH-EAST")
			require.Equal(t, []string{w.loc.Code}, want.locations)

			steps := []struct {
				name string
				run  func(t *testing.T, tx storage.Tx)
			}{
				{"the same answers, twice", func(t *testing.T, tx storage.Tx) {
					require.NoError(t, storage.Prefetch(ctx, tx, ahead))
					require.Equal(t, want, readStep(t, ctx, tx, ahead), "after the prefetch")
					require.Equal(t, want, readStep(t, ctx, tx, ahead), "read again")
				}},
				{"a missing key and another tenant's key", func(t *testing.T, tx storage.Tx) {
					require.NoError(t, storage.Prefetch(ctx, tx, storage.ReadAhead{IdempotencyKeys: []string{"k-2", "k-404"}, SKUs: ahead.SKUs}))
					_, err := tx.Idempotency().Get(ctx, "k-2")
					require.ErrorIs(t, err, storage.ErrNotFound, "k-2 is the other tenant's")
					_, err = tx.Idempotency().Get(ctx, "k-404")
					require.ErrorIs(t, err, storage.ErrNotFound)
				}},
				{"other keys and SKUs than prefetched", func(t *testing.T, tx storage.Tx) {
					require.NoError(t, storage.Prefetch(ctx, tx, storage.ReadAhead{IdempotencyKeys: []string{"k-404"}, SKUs: []string{skuCap}}))
					require.Equal(t, want, readStep(t, ctx, tx, ahead))
				}},
				{"only a key", func(t *testing.T, tx storage.Tx) {
					require.NoError(t, storage.Prefetch(ctx, tx, storage.ReadAhead{IdempotencyKeys: []string{first.Key}}))
					require.Equal(t, want, readStep(t, ctx, tx, ahead))
				}},
				{"writes after the prefetch", func(t *testing.T, tx storage.Tx) {
					require.NoError(t, storage.Prefetch(ctx, tx, ahead))
					_, _, err := tx.Inventory().ApplyMovement(ctx, movement(t, tenant, skuTee, w.loc.ID, inventory.MovementReserve, 2, w.order.ID, at(2*time.Hour)))
					require.NoError(t, err)
					second := storage.IdempotencyRecord{Key: "k-3", Operation: "place_order", ResourceID: w.other.ID, CreatedAt: at(2 * time.Hour)}
					require.NoError(t, tx.Idempotency().Put(ctx, second))
					west := buildLocation(tenant, "WH-WEST", at(2*time.Hour))
					require.NoError(t, tx.Inventory().CreateLocation(ctx, west))
					_, _, err = tx.Inventory().ApplyMovement(ctx, movement(t, tenant, skuMug, west.ID, inventory.MovementReceive, 4, w.order.ID, at(2*time.Hour)))
					require.NoError(t, err)
					got := readStep(t, ctx, tx, ahead)
					require.Equal(t, want.record, got.record)
					require.Equal(t, want.items, got.items)
					requireLevel(t, tx, skuTee, w.loc.ID, 5, 2)
					require.Len(t, got.levels, 3, "TEE and MUG at WH-EAST, MUG at WH-WEST")
					require.Equal(t, []string{w.loc.Code, "WH-WEST"}, got.locations, "the locations of the levels, by code")
					rec, err := tx.Idempotency().Get(ctx, second.Key)
					require.NoError(t, err)
					require.Equal(t, second.ResourceID, rec.ResourceID)
				}},
			}
			for _, step := range steps {
				t.Run(step.name, func(t *testing.T) {
					// Each step rolls back, so that the next sees the same rows.
					err := st.Tx(ctx, tenant, func(tx storage.Tx) error {
						if mode.hide {
							tx = withoutAbilities{tx}
						}
						step.run(t, tx)
						return errRollback
					})
					require.ErrorIs(t, err, errRollback)
				})
			}
		})
	}
}
