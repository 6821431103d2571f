package oms_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/omstest"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/storage"
)

func placeReq(key, ref, token string, lines ...order.DraftLine) oms.PlaceOrderRequest {
	return oms.PlaceOrderRequest{IdempotencyKey: key, Order: draft(ref, lines...), Payment: oms.PaymentMethod{Token: token}}
}

// Each request of a batch gets the outcome it would get alone, and one
// request's failure touches no other.
func TestPlaceOrdersOutcomesAreEachTheirOwn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	reqs := []oms.PlaceOrderRequest{
		placeReq("b-1", "B-1", payment.TokenApprove, line("MUG", 2, "10.00")),
		placeReq("b-2", "B-2", payment.TokenApprove, line("NOPE", 1, "10.00")), // unknown SKU
		placeReq("b-3", "B-3", payment.TokenApprove, line("CAP", 4, "5.00")),   // 3 in stock
		placeReq("b-4", "B-4", payment.TokenDecline, line("TEE", 1, "15.00")),  // declined
		placeReq("b-5", "B-5", payment.TokenApprove, line("CAP", 3, "5.00")),   // takes every cap
		placeReq("b-1", "B-1", payment.TokenApprove, line("MUG", 2, "10.00")),  // repeats b-1
		placeReq("b-6", "B-6", payment.TokenApprove, line("MUG", 1, "10.00"), line("TEE", 1, "15.00")),
		{IdempotencyKey: "b-7\x00", Order: draft("B-7", line("MUG", 1, "1.00"))}, // unstorable key
		placeReq("b-4", "B-4", payment.TokenDecline, line("TEE", 1, "15.00")),    // repeats b-4
	}
	out, err := f.eng.PlaceOrders(ctx, oms.DefaultTenant, reqs)
	require.NoError(t, err)
	require.Len(t, out, len(reqs))

	for _, i := range []int{0, 4, 6} {
		require.NoError(t, out[i].Err, "request %d", i)
		assert.Equal(t, order.StatusConfirmed, out[i].Order.Status, "request %d", i)
		assert.False(t, out[i].Replayed, "request %d", i)
	}
	assert.ErrorIs(t, out[1].Err, order.ErrInvalidOrder)
	assert.ErrorIs(t, out[2].Err, inventory.ErrInsufficientStock)
	assert.ErrorIs(t, out[3].Err, payment.ErrDeclined)
	require.NotNil(t, out[3].Order)
	assert.Equal(t, order.StatusCancelled, out[3].Order.Status)
	require.NoError(t, out[5].Err)
	assert.True(t, out[5].Replayed)
	assert.Equal(t, out[0].Order.ID, out[5].Order.ID)
	assert.Equal(t, order.StatusConfirmed, out[5].Order.Status, "a repeat in the batch reports the order as the batch left it")
	assert.ErrorIs(t, out[7].Err, order.ErrInvalidOrder)
	require.NoError(t, out[8].Err, "a replay of a declined placement is the cancelled order")
	assert.True(t, out[8].Replayed)
	assert.Equal(t, out[3].Order.ID, out[8].Order.ID)
	assert.Equal(t, order.StatusCancelled, out[8].Order.Status)

	assert.Equal(t, int64(20-2-1), f.available(t, "", "MUG"))
	assert.Equal(t, int64(0), f.available(t, "", "CAP"))
	assert.Equal(t, int64(5-1), f.available(t, "", "TEE"))
	require.NoError(t, omstest.CheckInvariants(ctx, f.eng, []string{oms.DefaultTenant}, omstest.CheckOptions{Exact: true}))

	// The whole batch again is a replay of every order it placed.
	again, err := f.eng.PlaceOrders(ctx, oms.DefaultTenant, reqs)
	require.NoError(t, err)
	for _, i := range []int{0, 4, 5, 6} {
		require.NoError(t, again[i].Err, "request %d", i)
		assert.True(t, again[i].Replayed, "request %d", i)
		assert.Equal(t, out[i].Order.ID, again[i].Order.ID, "request %d", i)
	}
	assert.Equal(t, int64(17), f.available(t, "", "MUG"), "a replay reserves nothing")
}

func TestPlaceOrdersRefusesAnOversizedBatch(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	before := f.snapshot(t, "")
	reqs := make([]oms.PlaceOrderRequest, oms.MaxPlaceBatch+1)
	for i := range reqs {
		reqs[i] = placeReq(fmt.Sprint("big-", i), fmt.Sprint("BIG-", i), payment.TokenApprove, line("MUG", 1, "1.00"))
	}
	out, err := f.eng.PlaceOrders(context.Background(), oms.DefaultTenant, reqs)
	require.ErrorIs(t, err, oms.ErrBatchTooLarge)
	assert.Equal(t, oms.CodeInvalid, oms.Code(err))
	assert.Nil(t, out)
	assert.Equal(t, before, f.snapshot(t, ""))
}

func TestPlaceOrdersOfNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	out, err := f.eng.PlaceOrders(context.Background(), "", nil)
	require.NoError(t, err)
	assert.Empty(t, out)
}

// Concurrent batches and single placements for the same scarce stock never
// oversell, and every unit is accounted for.
func TestConcurrentBatchesNeverOversell(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t) // 20 mugs
	const batches, size = 6, 5
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		placed int
	)
	for b := range batches {
		wg.Go(func() {
			reqs := make([]oms.PlaceOrderRequest, size)
			for i := range reqs {
				reqs[i] = placeReq(fmt.Sprintf("c-%d-%d", b, i), fmt.Sprintf("C-%d-%d", b, i), payment.TokenApprove, line("MUG", 1, "10.00"))
			}
			out, err := f.eng.PlaceOrders(ctx, oms.DefaultTenant, reqs)
			if !assert.NoError(t, err) {
				return
			}
			for _, o := range out {
				if o.Err == nil {
					mu.Lock()
					placed++
					mu.Unlock()
				} else {
					assert.ErrorIs(t, o.Err, inventory.ErrInsufficientStock)
				}
			}
		})
	}
	wg.Wait()
	assert.Equal(t, 20, placed, "every mug sold, none twice")
	assert.Equal(t, int64(0), f.available(t, "", "MUG"))
	require.NoError(t, omstest.CheckInvariants(ctx, f.eng, []string{oms.DefaultTenant}, omstest.CheckOptions{Exact: true}))
}

// Concurrent PlaceOrders calls share their first steps: on a store whose
// commits take time, calls that come while one runs go together in the
// next transaction, each call still gets its own outcomes (a request two
// calls share is placed once and replayed for the other), and the stock
// they leave is exactly what they placed.
func TestConcurrentPlaceOrdersShareTheirFirstSteps(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := omstest.NewFaultyStore(slowCommits{newTestStore(t), 5 * time.Millisecond})
	f := newFixtureOn(t, store) // 20 mugs
	const calls, size = 4, 3
	outs := make([][]oms.PlaceOutcome, calls)
	start := make(chan struct{})
	var wg sync.WaitGroup
	before := store.Count("Tx")
	for c := range calls {
		wg.Go(func() {
			reqs := make([]oms.PlaceOrderRequest, size)
			for i := range reqs {
				reqs[i] = placeReq(fmt.Sprintf("s-%d-%d", c, i), fmt.Sprintf("S-%d-%d", c, i), payment.TokenApprove, line("MUG", 1, "10.00"))
			}
			reqs[size-1] = placeReq("shared", "SHARED", payment.TokenApprove, line("MUG", 1, "10.00")) // in every call
			<-start
			var err error
			outs[c], err = f.eng.PlaceOrders(ctx, oms.DefaultTenant, reqs)
			assert.NoError(t, err)
		})
	}
	close(start)
	wg.Wait()
	txs := store.Count("Tx") - before

	var shared []uuid.UUID
	replays := 0
	for c, out := range outs {
		require.Len(t, out, size, "call %d", c)
		for i, o := range out {
			require.NoError(t, o.Err, "call %d request %d", c, i)
			if i == size-1 {
				shared = append(shared, o.Order.ID)
			}
			if o.Replayed {
				// A replay returns the order as it finds it: confirmed, or
				// still between its steps in the call that placed it.
				assert.Contains(t, []order.Status{order.StatusPending, order.StatusConfirmed}, o.Order.Status, "call %d request %d", c, i)
				replays++
				continue
			}
			assert.Equal(t, order.StatusConfirmed, o.Order.Status, "call %d request %d", c, i)
		}
	}
	for _, id := range shared {
		assert.Equal(t, shared[0], id, "the shared request is one order")
	}
	assert.Equal(t, calls-1, replays, "only the shared request is replayed, for all calls but the one that placed it")
	assert.Equal(t, int64(20-calls*(size-1)-1), f.available(t, "", "MUG"))
	// Each call on its own takes a first step and a confirmation.
	assert.Less(t, txs, 2*calls, "%d transactions for %d calls: the first steps were not shared", txs, calls)
	require.NoError(t, omstest.CheckInvariants(ctx, f.eng, []string{oms.DefaultTenant}, omstest.CheckOptions{Exact: true}))
}

// expiringGateway is a sandbox whose Authorize first expires the pending
// placements created before the order of channel reference keep: an order
// of the same batch with nothing to pay (so it asked no gateway) expires
// between its two steps.
type expiringGateway struct {
	*payment.Sandbox
	eng  *oms.Engine
	clk  *omstest.Clock // the engine's reading is this one's next tick
	keep string
}

func (g *expiringGateway) Authorize(ctx context.Context, req payment.AuthorizeRequest) (payment.Result, error) {
	page, err := g.eng.ListOrders(ctx, "", storage.OrderFilter{ExternalRef: g.keep})
	if err != nil || len(page.Orders) != 1 {
		return payment.Result{}, fmt.Errorf("order %s: %d found, %w", g.keep, len(page.Orders), err)
	}
	// The engine's next reading is a tick later: what it finds created
	// before the kept order is older than this.
	olderThan := g.clk.Now().Add(tickStep).Sub(page.Orders[0].CreatedAt)
	if _, err := g.eng.ExpirePendingPlacements(ctx, "", olderThan); err != nil {
		return payment.Result{}, err
	}
	return g.Sandbox.Authorize(ctx, req)
}

// tickStep is how far the clock of TestPlaceOrdersReportsAnOrderExpiredMeanwhile
// moves at every reading.
const tickStep = time.Millisecond

// An order of a batch that expired before the shared confirmation is
// reported expired, as it would be alone, not as confirmed, and the others
// of the batch are confirmed.
func TestPlaceOrdersReportsAnOrderExpiredMeanwhile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := omstest.NewClock(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	tick := func() time.Time { clk.Advance(tickStep); return clk.Now() } // every reading later than the last
	gw := &expiringGateway{Sandbox: payment.NewSandbox(), clk: clk, keep: "PAID"}
	eng, err := oms.New(oms.WithStore(newTestStore(t)), oms.WithClock(tick), oms.WithGateway("sandbox", gw))
	require.NoError(t, err)
	gw.eng = eng
	stockBerlin(t, eng, 10, "MUG")

	free := placeReq("free", "FREE", payment.TokenApprove, line("MUG", 1, "0.00"))
	free.Order.ShippingCharge = eur("0.00")
	paid := placeReq("paid", "PAID", payment.TokenApprove, line("MUG", 1, "10.00"))
	out, err := eng.PlaceOrders(ctx, oms.DefaultTenant, []oms.PlaceOrderRequest{free, paid})
	require.NoError(t, err)
	require.ErrorIs(t, out[0].Err, oms.ErrPlacementExpired)
	require.NotNil(t, out[0].Order)
	assert.Equal(t, order.StatusCancelled, out[0].Order.Status)
	require.NoError(t, out[1].Err)
	assert.Equal(t, order.StatusConfirmed, out[1].Order.Status)
	atp, err := eng.Available(ctx, "", "MUG")
	require.NoError(t, err)
	assert.Equal(t, int64(9), atp["MUG"], "only the confirmed order holds stock")
}

// Concurrent PlaceOrders calls, whose first steps go together, and
// concurrent PlaceOrder calls through the combiner, with one of the
// store's transactions failing in every way it can (before, after the
// commit, by a timeout): every outcome is a typed one, and once Recover
// has settled what the faults left half way, every invariant holds and no
// mug is sold twice.
func TestConcurrentPlacementsUnderStoreFaults(t *testing.T) {
	t.Parallel()
	for _, singles := range []bool{false, true} {
		for _, mode := range omstest.Modes() {
			for n := 1; n <= 6; n++ {
				name := fmt.Sprintf("PlaceOrders/Tx#%d/%s", n, mode)
				if singles {
					name = fmt.Sprintf("PlaceOrder combined/Tx#%d/%s", n, mode)
				}
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					placeUnderFault(t, omstest.Fault{Op: omstest.OpTx, N: n, Mode: mode}, singles)
				})
			}
		}
	}
}

// placeUnderFault places nine one-mug orders for six mugs from three
// concurrent callers on a store with fault, with PlaceOrders or, when
// singles, one PlaceOrder at a time through the combiner, then settles and
// checks (see TestConcurrentPlacementsUnderStoreFaults).
func placeUnderFault(t *testing.T, fault omstest.Fault, singles bool) {
	ctx := context.Background()
	inner := slowCommits{newTestStore(t), 2 * time.Millisecond} // so that calls find one running
	clk := omstest.NewClock(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	sb := payment.NewSandbox()
	clean, err := oms.New(oms.WithStore(inner), oms.WithClock(clk.Now), oms.WithGateway("sandbox", sb))
	require.NoError(t, err)
	stockBerlin(t, clean, 6, "MUG")
	opts := []oms.Option{oms.WithStore(omstest.NewFaultyStore(inner, fault)), oms.WithClock(clk.Now), oms.WithGateway("sandbox", sb)}
	if singles {
		opts = append(opts, oms.WithPlacementBatching(time.Millisecond, 4))
	}
	faulty, err := oms.New(opts...)
	require.NoError(t, err)

	const calls, size = 3, 3 // nine mugs asked for, six on the shelf
	outs := make([][]oms.PlaceOutcome, calls)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for c := range calls {
		wg.Go(func() {
			reqs := make([]oms.PlaceOrderRequest, size)
			for i := range reqs {
				reqs[i] = placeReq(fmt.Sprintf("f-%d-%d", c, i), fmt.Sprintf("F-%d-%d", c, i), payment.TokenApprove, line("MUG", 1, "10.00"))
			}
			<-start
			if !singles {
				var err error
				outs[c], err = faulty.PlaceOrders(ctx, oms.DefaultTenant, reqs)
				assert.NoError(t, err)
				return
			}
			for _, req := range reqs {
				res, err := faulty.PlaceOrderResult(ctx, oms.DefaultTenant, req)
				outs[c] = append(outs[c], oms.PlaceOutcome{PlaceResult: res, Err: err})
			}
		})
	}
	close(start)
	wg.Wait()
	for c, out := range outs {
		for i, o := range out {
			if o.Err != nil {
				assert.NotEqual(t, oms.CodeInternal, oms.Code(o.Err), "call %d request %d: %v", c, i, o.Err)
			}
		}
	}

	clk.Advance(25 * time.Hour) // past Recover's GiveUpAfter
	_, err = clean.Recover(ctx, "", oms.RecoverOptions{})
	require.NoError(t, err)
	require.NoError(t, omstest.CheckInvariants(ctx, clean, []string{oms.DefaultTenant}, omstest.CheckOptions{Settled: true, Ledger: sb}))
	page, err := clean.ListOrders(ctx, "", storage.OrderFilter{Statuses: []order.Status{order.StatusConfirmed}})
	require.NoError(t, err)
	assert.LessOrEqual(t, len(page.Orders), 6, "no mug sold twice")
	atp, err := clean.Available(ctx, "", "MUG")
	require.NoError(t, err)
	assert.Equal(t, int64(6-len(page.Orders)), atp["MUG"], "every mug not sold is back on the shelf")
}

// panickyGateway is a host's payment gateway with a bug: it panics
// authorizing a payment of token boom.
type panickyGateway struct {
	payment.Gateway
	boom string
}

func (g panickyGateway) Authorize(ctx context.Context, req payment.AuthorizeRequest) (payment.Result, error) {
	if req.Token == g.boom {
		panic("gateway bug")
	}
	return g.Gateway.Authorize(ctx, req)
}

// A gateway panicking on one request of a batch fails that request alone,
// as an authorization whose outcome is unknown (the placement undone, the
// payment left for Recover), where it would otherwise end the process
// from the goroutine authorizing it; the batch's other orders are placed.
func TestPlaceOrdersGatewayPanicFailsItsOwnRequest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	eng, err := oms.New(oms.WithGateway("sandbox", panickyGateway{payment.NewSandbox(), "tok_boom"}))
	require.NoError(t, err)
	stockBerlin(t, eng, 10, "MUG")
	reqs := []oms.PlaceOrderRequest{
		placeReq("g-1", "G-1", payment.TokenApprove, line("MUG", 1, "10.00")),
		placeReq("g-2", "G-2", "tok_boom", line("MUG", 2, "10.00")),
		placeReq("g-3", "G-3", payment.TokenApprove, line("MUG", 3, "10.00")),
	}
	out, err := eng.PlaceOrders(ctx, "", reqs)
	require.NoError(t, err)
	for _, i := range []int{0, 2} {
		require.NoError(t, out[i].Err, "request %d", i)
		assert.Equal(t, order.StatusConfirmed, out[i].Order.Status, "request %d", i)
	}
	require.Error(t, out[1].Err)
	assert.Contains(t, out[1].Err.Error(), "gateway bug")
	assert.Equal(t, oms.CodeInternal, oms.Code(out[1].Err))
	require.NotNil(t, out[1].Order)
	assert.Equal(t, order.StatusCancelled, out[1].Order.Status, "the placement is undone")
	atp, err := eng.Available(ctx, "", "MUG")
	require.NoError(t, err)
	assert.Equal(t, int64(10-1-3), atp["MUG"], "the undone placement's units are back")
	require.NoError(t, omstest.CheckInvariants(ctx, eng, []string{oms.DefaultTenant}, omstest.CheckOptions{Exact: true}))
}

// Repeats of a request within one batch cost one more transaction in all,
// not one each: after the shared first step, they find their replays
// together.
func TestPlaceOrdersRepeatsShareATransaction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := omstest.NewFaultyStore(newTestStore(t)) // counts transactions, injects nothing
	f := newFixtureOn(t, store)
	reqs := []oms.PlaceOrderRequest{placeReq("r-2", "R-2", payment.TokenApprove, line("TEE", 1, "15.00"))}
	for range 4 {
		reqs = append(reqs, placeReq("r-1", "R-1", payment.TokenApprove, line("MUG", 1, "10.00")))
	}
	before := store.Count("Tx")
	out, err := f.eng.PlaceOrders(ctx, oms.DefaultTenant, reqs)
	require.NoError(t, err)
	for i, o := range out {
		require.NoError(t, o.Err, "request %d", i)
		assert.Equal(t, order.StatusConfirmed, o.Order.Status, "request %d", i)
		assert.Equal(t, i > 1, o.Replayed, "request %d", i)
	}
	assert.Equal(t, 3, store.Count("Tx")-before, "the first step, the repeats' replays, the confirmation")
	assert.Equal(t, int64(20-1), f.available(t, "", "MUG"))
}
