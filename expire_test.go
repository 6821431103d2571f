package oms_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/memory"
)

// crashingGateway stops the calling goroutine in the middle of an
// authorization, as a process that dies between the saga's steps would.
type crashingGateway struct{ payment.Gateway }

func (crashingGateway) Authorize(context.Context, payment.AuthorizeRequest) (payment.Result, error) {
	runtime.Goexit()
	return payment.Result{}, nil
}

func TestExpirePendingPlacementsFreesStockLeftByACrash(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := memory.New()
	f := newFixtureOn(t, store)
	crashing, err := oms.New(oms.WithStore(store), oms.WithClock(f.clock.Now),
		oms.WithGateway("sandbox", crashingGateway{payment.NewSandbox()}))
	require.NoError(t, err)

	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = crashing.PlaceOrder(ctx, oms.DefaultTenant, oms.PlaceOrderRequest{IdempotencyKey: "checkout-9", Order: draft("CRASH-1", line("TEE", 2, "20.00")), Payment: oms.PaymentMethod{Token: payment.TokenApprove}})
	}()
	<-done
	page, err := f.eng.ListOrders(ctx, "", storage.OrderFilter{Statuses: []order.Status{order.StatusPending}})
	require.NoError(t, err)
	require.Len(t, page.Orders, 1, "the crash left a pending order")
	assert.Equal(t, int64(3), f.available(t, "", "TEE"), "and its stock held")

	// Too recent to expire: it might still be authorizing.
	expired, err := f.eng.ExpirePendingPlacements(ctx, "", 15*time.Minute)
	require.NoError(t, err)
	assert.Empty(t, expired)

	f.clock.Advance(20 * time.Minute)
	expired, err = f.eng.ExpirePendingPlacements(ctx, "", 15*time.Minute)
	require.NoError(t, err)
	require.Len(t, expired, 1)
	assert.Equal(t, order.StatusCancelled, expired[0].Status)
	assert.Equal(t, order.PaymentPending, expired[0].Payment.Status, "the gateway may have authorized: Recover settles it")
	assert.Equal(t, int64(5), f.available(t, "", "TEE"))

	// The checkout can be placed again: both its keys were freed.
	o, err := f.eng.PlaceOrder(ctx, oms.DefaultTenant, oms.PlaceOrderRequest{IdempotencyKey: "checkout-9", Order: draft("CRASH-1", line("TEE", 2, "20.00")), Payment: oms.PaymentMethod{Token: payment.TokenApprove}})
	require.NoError(t, err)
	assert.NotEqual(t, expired[0].ID, o.ID)
	assert.Equal(t, order.StatusConfirmed, o.Status)
}
