package storagetest

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/storage"
)

// repositories checks every repository method.
func (s suite) repositories(t *testing.T) {
	t.Parallel()
	for _, c := range aggregates() {
		t.Run(c.name, c.crud(s))
	}
	t.Run("Inventory", s.inventory)
}

// versions checks optimistic concurrency on every versioned aggregate.
func (s suite) versions(t *testing.T) {
	t.Parallel()
	for _, c := range aggregates() {
		t.Run(c.name, c.versions(s))
	}
	t.Run("Reservations", s.reservationVersions)
	t.Run("Concurrent", s.concurrentUpdates)
}

// concurrentUpdates runs goroutines that each read and update the same
// order in their own transaction: each success bumps the version by one,
// every failure is ErrConflict.
func (s suite) concurrentUpdates(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	st := s.store(t)
	tenant := tenantName("concurrent")
	o := buildConfirmedOrder(t, tenant, at(0))
	inTx(t, ctx, st, tenant, func(tx storage.Tx) error { return storage.Orders(tx).Create(ctx, o) })

	const n = 16
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		successes int
		conflicts int
	)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			err := st.Tx(ctx, tenant, func(tx storage.Tx) error {
				got, err := storage.Orders(tx).Get(ctx, o.ID)
				if err != nil {
					return err
				}
				got.Customer.Name = "Writer " + string(rune('A'+i))
				got.UpdatedAt = at(time.Duration(i+1) * time.Second)
				return storage.Orders(tx).Update(ctx, got)
			})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				successes++
			case assert.ErrorIs(t, err, storage.ErrConflict, "a concurrent Update may only fail with ErrConflict"):
				conflicts++
			}
		}()
	}
	close(start)
	wg.Wait()
	require.Equal(t, n, successes+conflicts)
	require.Positive(t, successes, "at least one concurrent Update must succeed")
	inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
		got, err := storage.Orders(tx).Get(ctx, o.ID)
		require.NoError(t, err)
		require.EqualValues(t, 1+successes, got.Version, "final version is 1 + successful updates")
		require.Equal(t, order.StatusConfirmed, got.Status)
		return nil
	})
	t.Logf("%d concurrent updates: %d succeeded, %d conflicted", n, successes, conflicts)
}
