package storagetest

import (
	"bytes"
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/storage"
)

// stockPair is one stock level's key.
type stockPair struct {
	sku string
	loc uuid.UUID
}

// compareStockPairs orders stock levels by SKU, then location ID: the one
// global order in which a transaction locks several levels.
func compareStockPairs(a, b stockPair) int {
	return cmp.Or(cmp.Compare(a.sku, b.sku), bytes.Compare(a.loc[:], b.loc[:]))
}

// sortedStockLocking runs concurrent transactions that each reserve from
// about 50 overlapping stock levels, applying the movements in (SKU,
// location ID) order as the engine does: none may fail, in particular not
// with a deadlock, and every reservation is counted.
func (s suite) sortedStockLocking(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	st := s.store(t)
	tenant := tenantName("locking")
	const (
		skus, locations = 30, 2
		perTx           = 50
		workers, rounds = 8, 4
	)
	var (
		pairs []stockPair
		locs  []*inventory.Location
	)
	for i := range locations {
		locs = append(locs, buildLocation(tenant, fmt.Sprintf("WH-%d", i), at(0)))
	}
	for i := range skus {
		for _, l := range locs {
			pairs = append(pairs, stockPair{fmt.Sprintf("LOCK-%02d", i), l.ID})
		}
	}
	inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
		for _, l := range locs {
			if err := tx.Inventory().CreateLocation(ctx, l); err != nil {
				return err
			}
		}
		for _, p := range pairs {
			if _, _, err := tx.Inventory().ApplyMovement(ctx,
				movement(t, tenant, p.sku, p.loc, inventory.MovementReceive, 1000, uuid.Nil, at(0))); err != nil {
				return err
			}
		}
		return nil
	})

	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		reserved = map[stockPair]int64{}
		errs     []error
	)
	start := make(chan struct{})
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 6))
			<-start
			for round := range rounds {
				// Each transaction takes a different subset of the levels.
				mine := slices.Clone(pairs)
				rng.Shuffle(len(mine), func(i, j int) { mine[i], mine[j] = mine[j], mine[i] })
				mine = mine[:perTx]
				slices.SortFunc(mine, compareStockPairs)
				orderID := newID()
				when := at(time.Duration(w*rounds+round+1) * time.Millisecond)
				err := st.Tx(ctx, tenant, func(tx storage.Tx) error {
					for _, p := range mine {
						m, err := inventory.NewMovement(newID(), tenant, p.sku, p.loc, inventory.MovementReserve, 1, orderID,
							"sorted locking", when)
						if err != nil {
							return err
						}
						if _, _, err := tx.Inventory().ApplyMovement(ctx, m); err != nil {
							return err
						}
					}
					return nil
				})
				mu.Lock()
				if err != nil {
					errs = append(errs, fmt.Errorf("worker %d, round %d: %w", w, round, err))
				} else {
					for _, p := range mine {
						reserved[p]++
					}
				}
				mu.Unlock()
			}
		}()
	}
	close(start)
	wg.Wait()
	require.Empty(t, errs, "transactions locking stock in (SKU, location) order must not fail (no deadlock)")

	inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
		levels, err := tx.Inventory().StockLevels(ctx, nil)
		require.NoError(t, err)
		require.Len(t, levels, len(pairs))
		var total int64
		for _, l := range levels {
			p := stockPair{l.SKU, l.LocationID}
			require.Equal(t, reserved[p], l.Reserved, "reserved of %s at %s", p.sku, p.loc)
			require.EqualValues(t, 1000, l.OnHand)
			total += l.Reserved
		}
		require.EqualValues(t, workers*rounds*perTx, total)
		return nil
	})
}
