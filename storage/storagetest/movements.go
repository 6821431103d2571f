package storagetest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/storage"
)

// applyMovements checks storage.ApplyMovements, with the store's
// storage.MovementBatcher if it has one and with the ability hidden: a
// batch gives each movement the after-values and level that applying the
// movements one by one gives (levels created at zero, levels changed
// several times, versions bumped once per movement), a shortage, a step
// out of bounds between in-bounds sums, an invalid movement and an unknown
// location fail as ApplyMovement fails, and a failed transaction leaves
// every level as it was.
func (s suite) applyMovements(t *testing.T) {
	t.Parallel()
	for _, mode := range []struct {
		name string
		hide bool
	}{{"ApplyMovements", false}, {"Fallback", true}} {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			ctx := ctxFor(t)
			st := s.store(t)
			w := seed(t, ctx, st, tenantName("batch"))
			tenant, loc, oid := w.tenant, w.loc.ID, w.order.ID
			txOf := func(tx storage.Tx) storage.Tx {
				if mode.hide {
					return withoutAbilities{tx}
				}
				return tx
			}
			mv := func(sku string, kind inventory.MovementKind, qty int64, minute int) inventory.Movement {
				orderID := uuid.Nil
				if kind == inventory.MovementReserve || kind == inventory.MovementRelease {
					orderID = oid
				}
				return movement(t, tenant, sku, loc, kind, qty, orderID, at(time.Duration(minute)*time.Minute))
			}
			levels := map[string]inventory.StockLevel{}
			apply := func(tx storage.Tx, ms ...inventory.Movement) {
				t.Helper()
				got, applied, err := storage.ApplyMovements(ctx, txOf(tx), ms)
				require.NoError(t, err)
				require.Len(t, got, len(ms))
				require.Len(t, applied, len(ms))
				for i, m := range ms {
					before, seen := levels[m.SKU]
					next, want, err := before.Apply(m)
					require.NoError(t, err, "movement %d applies one by one", i)
					require.Equal(t, keyOf(next), keyOf(got[i]), "level after movement %d (%s %d %s)", i, m.Kind, m.Quantity, m.SKU)
					if seen {
						require.Equal(t, before.Version+1, got[i].Version, "movement %d bumps its level's version by one", i)
					}
					require.True(t, m.At.Equal(got[i].UpdatedAt), "the level's UpdatedAt is movement %d's At", i)
					requireJSONEq(t, want, applied[i], "movement %d has its after-values filled", i)
					levels[m.SKU] = got[i]
				}
			}
			// New levels, and one level changed three times.
			inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
				apply(tx,
					mv(skuMug, inventory.MovementReceive, 5, 1),
					mv(skuMug, inventory.MovementReserve, 1, 1),
					mv(skuTee, inventory.MovementReceive, 10, 1),
					mv(skuTee, inventory.MovementReserve, 3, 1),
					mv(skuTee, inventory.MovementReserve, 2, 1))
				return nil
			})
			// Existing levels, movements of both signs.
			inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
				apply(tx,
					mv(skuMug, inventory.MovementReserve, 4, 2),
					mv(skuTee, inventory.MovementRelease, 1, 2),
					mv(skuTee, inventory.MovementReserve, 5, 2),
					mv(skuTee, inventory.MovementAdjust, -1, 2))
				requireLevel(t, tx, skuMug, loc, 5, 5)
				requireLevel(t, tx, skuTee, loc, 9, 9)
				return nil
			})
			failures := []struct {
				name string
				ms   []inventory.Movement
				is   error
			}{
				{"Shortage", []inventory.Movement{
					mv(skuMug, inventory.MovementRelease, 1, 3),
					mv(skuTee, inventory.MovementReserve, 100, 3)}, inventory.ErrInsufficientStock},
				{"StepOutOfBounds", []inventory.Movement{
					mv(skuTee, inventory.MovementReserve, 5, 3),
					mv(skuTee, inventory.MovementRelease, 5, 3)}, inventory.ErrInsufficientStock},
				{"UnknownLocation", []inventory.Movement{
					mv(skuMug, inventory.MovementRelease, 1, 3),
					movement(t, tenant, skuTee, uuid.Must(uuid.NewV7()), inventory.MovementReceive, 1, uuid.Nil, at(3*time.Minute))},
					storage.ErrNotFound},
				{"Invalid", []inventory.Movement{
					mv(skuMug, inventory.MovementRelease, 1, 3),
					func() inventory.Movement {
						m := mv(skuTee, inventory.MovementReceive, 1, 3)
						m.OnHandDelta = 2
						return m
					}()},
					inventory.ErrInvalidInput},
			}
			for _, f := range failures {
				err := st.Tx(ctx, tenant, func(tx storage.Tx) error {
					_, _, err := storage.ApplyMovements(ctx, txOf(tx), f.ms)
					return err
				})
				require.ErrorIs(t, err, f.is, f.name)
				if errors.Is(f.is, inventory.ErrInsufficientStock) {
					var shortage *inventory.ShortageError
					require.ErrorAs(t, err, &shortage, "%s: the shortage names the SKU", f.name)
				}
			}
			inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
				mug := requireLevel(t, tx, skuMug, loc, 5, 5)
				tee := requireLevel(t, tx, skuTee, loc, 9, 9)
				require.Equal(t, levels[skuMug].Version, mug.Version, "a failed batch leaves the level's version")
				require.Equal(t, levels[skuTee].Version, tee.Version, "a failed batch leaves the level's version")
				none, applied, err := storage.ApplyMovements(ctx, txOf(tx), nil)
				require.NoError(t, err)
				require.Empty(t, none)
				require.Empty(t, applied)
				return nil
			})
		})
	}
}
