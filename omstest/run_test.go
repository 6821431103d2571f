package omstest

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/shipping"
	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/memory"
)

// TestRun runs the fault suite on the memory store with the sandbox
// gateway and carrier.
func TestRun(t *testing.T) {
	start := time.Now()
	Run(t, Harness{})
	t.Logf("fault suite on memory: %s", time.Since(start))
}

// voidDropper is a broken gateway: it answers Void with success and
// voids nothing. It keeps the sandbox's Authorizations, so the ledger
// shows what it really holds.
type voidDropper struct {
	*payment.Sandbox
	mu      sync.Mutex
	dropped []string
}

func (g *voidDropper) Void(_ context.Context, req payment.VoidRequest) (payment.Result, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.dropped = append(g.dropped, req.AuthorizationRef)
	a, _ := g.Authorization(req.AuthorizationRef)
	return payment.Result{Ref: "void_dropped", Amount: a.Amount}, nil
}

func TestRunCatchesAGatewayThatDropsVoids(t *testing.T) {
	gw := &voidDropper{Sandbox: payment.NewSandbox()}
	res := runOnce(t, Harness{NewGateway: func(testing.TB) payment.Gateway { return gw }}, nil, 0, nil)
	require.Error(t, res.err, "a gateway that drops voids must fail the suite")
	var inv *InvariantError
	require.ErrorAs(t, res.err, &inv)
	gw.mu.Lock()
	dropped := append([]string(nil), gw.dropped...)
	gw.mu.Unlock()
	require.NotEmpty(t, dropped, "the lifecycle cancels an order, so it voids")
	found := false
	for _, p := range inv.Problems {
		if strings.Contains(p, "ref "+dropped[0]) && strings.Contains(p, "voided true") && strings.Contains(p, "voided false") {
			found = true
		}
	}
	assert.True(t, found, "no violation names the authorization %s still held at the gateway:\n%v", dropped[0], res.err)
}

func TestRunCleanRunKeepsEveryPromise(t *testing.T) {
	res := runOnce(t, Harness{}, nil, 0, nil)
	require.NoError(t, res.err)
	assert.Positive(t, res.calls[targetStore][OpTx])
	for _, op := range []string{OpAuthorize, OpCapture, OpVoid, OpRefund} {
		assert.Positive(t, res.calls[targetGateway][op], "the lifecycle calls %s", op)
	}
	for _, op := range []string{OpRates, OpBuyLabel, OpTrack} {
		assert.Positive(t, res.calls[targetCarrier][op], "the lifecycle calls %s", op)
	}
	again := runOnce(t, Harness{}, nil, 0, nil)
	require.NoError(t, again.err)
	assert.Equal(t, res.calls, again.calls, "the lifecycle is deterministic, so fault points name the same calls in every run")
}

func TestRunOnASharedStore(t *testing.T) {
	shared := memory.New()
	first := runOnce(t, Harness{}, shared, 1, nil)
	require.NoError(t, first.err)
	p := faultPoint{target: targetGateway, fault: Fault{Op: OpVoid, N: 1, Mode: FailAfter}}
	second := runOnce(t, Harness{}, shared, 2, &p)
	require.NoError(t, second.err, "runs of their own tenants do not disturb each other")
	fresh := runOnce(t, Harness{}, nil, 3, nil)
	require.NoError(t, fresh.err)
	assert.Equal(t, fresh.calls, first.calls, "a shared store makes the same calls")
}

// TestStepReportsUntypedErrors shows that the operation hit by a fault
// must fail with an injected or transient error.
func TestStepReportsUntypedErrors(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		violation bool
	}{
		{"injected", &injectedError{fault: Fault{N: 1, Mode: FailBefore}, transient: payment.ErrTransient}, false},
		{"transient", payment.ErrTransient, false},
		{"untyped", errors.New("boom"), true},
		{"declined", payment.ErrDeclined, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewFaultyGateway(payment.NewSandbox(), Fault{Op: OpVoid, N: 1, Mode: FailBefore})
			d := &runDriver{fault: &faultPoint{target: targetGateway, fault: Fault{Op: OpVoid, N: 1, Mode: FailBefore}}, armed: &g.counter}
			attempts := 0
			d.step("void", func() error {
				attempts++
				if attempts == 1 {
					_, _ = g.Void(context.Background(), payment.VoidRequest{IdempotencyKey: "v", AuthorizationRef: "x"})
					return tt.err
				}
				return nil
			})
			assert.Equal(t, 2, attempts, "retried once")
			assert.Equal(t, tt.violation, len(d.violations) > 0, "%v", d.violations)
			assert.Empty(t, d.notes, "the retry succeeded")
		})
	}
}

func TestFaultPointsSampleTheStoreOnly(t *testing.T) {
	calls := map[string]map[string]int{
		targetStore:   {OpTx: 200},
		targetGateway: {OpAuthorize: 3, OpVoid: 1},
		targetCarrier: {OpBuyLabel: 2},
	}
	points := faultPoints(calls, 40, false)
	assert.Equal(t, points, faultPoints(calls, 40, false), "deterministic")
	per := map[string]map[Mode]map[int]bool{}
	for _, p := range points {
		key := p.target + "/" + p.fault.Op
		if per[key] == nil {
			per[key] = map[Mode]map[int]bool{}
		}
		if per[key][p.fault.Mode] == nil {
			per[key][p.fault.Mode] = map[int]bool{}
		}
		per[key][p.fault.Mode][p.fault.N] = true
	}
	for _, m := range Modes() {
		assert.Len(t, per["gateway/Authorize"][m], 3)
		assert.Len(t, per["gateway/Void"][m], 1)
		assert.Len(t, per["carrier/BuyLabel"][m], 2)
		tx := per["store/Tx"][m]
		assert.LessOrEqual(t, len(tx), 40+2)
		assert.GreaterOrEqual(t, len(tx), 40-2)
		assert.True(t, tx[1] && tx[200], "the first and the last call are always points")
	}
	assert.NotEqual(t, per["store/Tx"][FailBefore], per["store/Tx"][FailAfter], "the modes sample different calls")
	assert.Len(t, faultPoints(calls, 0, false), 3*(200+3+1+2), "zero: every call is a point")
	assert.Len(t, faultPoints(map[string]map[string]int{targetStore: {OpTx: 10}}, 40, false), 30, "few calls: all are points")
	assert.Len(t, faultPoints(calls, 0, true), (3*(200+3+1+2)+2)/3, "short: every third point")
}

func TestFaultyGatewayModes(t *testing.T) {
	eur := money.MustParse("10.00", "EUR")
	req := payment.AuthorizeRequest{IdempotencyKey: "k1", PaymentID: uuid.New(), Amount: eur, Token: payment.TokenApprove}
	tests := []struct {
		mode     Mode
		held     bool // the sandbox authorized
		deadline bool
	}{
		{FailBefore, false, false},
		{FailAfter, true, false},
		{Timeout, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String(), func(t *testing.T) {
			sb := payment.NewSandbox()
			g := NewFaultyGateway(sb, Fault{Op: OpAuthorize, N: 1, Mode: tt.mode})
			g.SetTimeout(time.Millisecond)
			_, err := g.Authorize(context.Background(), req)
			require.ErrorIs(t, err, ErrInjected)
			require.ErrorIs(t, err, payment.ErrTransient)
			assert.Equal(t, tt.deadline, errors.Is(err, context.DeadlineExceeded))
			assert.Len(t, sb.Authorizations(), map[bool]int{true: 1}[tt.held])
			assert.Len(t, g.Observed(), map[bool]int{true: 1}[tt.held], "the wrapper records what the gateway did, hidden or not")
			assert.Equal(t, []Fault{{Op: OpAuthorize, N: 1, Mode: tt.mode}}, g.Fired())

			// The fault fired once: the retry with the same key goes through.
			res, err := g.Authorize(context.Background(), req)
			require.NoError(t, err)
			assert.Equal(t, 2, g.Count(OpAuthorize))
			require.Len(t, g.Observed(), 1, "a repeated key is recorded once")
			assert.Equal(t, res.Ref, g.Observed()[0].Ref)
		})
	}
}

// bareGateway hides the sandbox's Authorizations, as a host's gateway
// without a ledger would.
type bareGateway struct{ payment.Gateway }

func TestFaultyGatewayOwnRecord(t *testing.T) {
	ctx := context.Background()
	g := NewFaultyGateway(bareGateway{payment.NewSandbox()}, Fault{Op: OpCapture, N: 1, Mode: FailAfter})
	auth, err := g.Authorize(ctx, payment.AuthorizeRequest{IdempotencyKey: "a", PaymentID: uuid.New(),
		Amount: money.MustParse("10.00", "EUR"), Token: payment.TokenApprove})
	require.NoError(t, err)
	_, err = g.Capture(ctx, payment.CaptureRequest{IdempotencyKey: "c", AuthorizationRef: auth.Ref, Amount: money.MustParse("6.00", "EUR")})
	require.ErrorIs(t, err, ErrInjected, "the capture happened, its answer is lost")
	_, err = g.Capture(ctx, payment.CaptureRequest{IdempotencyKey: "c", AuthorizationRef: auth.Ref, Amount: money.MustParse("6.00", "EUR")})
	require.NoError(t, err)
	_, err = g.Refund(ctx, payment.RefundRequest{IdempotencyKey: "r", AuthorizationRef: auth.Ref, Amount: money.MustParse("2.50", "EUR")})
	require.NoError(t, err)
	got := g.Authorizations()
	require.Len(t, got, 1)
	assert.Equal(t, auth.Ref, got[0].Ref)
	assert.Equal(t, "6.00", got[0].Captured.Amount().StringFixed(2), "captured once, although answered twice")
	assert.Equal(t, "2.50", got[0].Refunded.Amount().StringFixed(2))
	assert.False(t, got[0].Voided)
	assert.Equal(t, map[string]int{OpAuthorize: 1, OpCapture: 2, OpRefund: 1}, g.Calls())
}

func TestFaultyStoreModes(t *testing.T) {
	tests := []struct {
		mode      Mode
		committed bool
		deadline  bool
	}{
		{FailBefore, false, false},
		{FailAfter, true, false},
		{Timeout, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String(), func(t *testing.T) {
			ctx := context.Background()
			s := NewFaultyStore(memory.New(), Fault{Op: OpTx, N: 2, Mode: tt.mode})
			s.SetTimeout(time.Millisecond)
			ran := 0
			create := func(code string) func(storage.Tx) error {
				return func(tx storage.Tx) error {
					ran++
					return tx.Inventory().CreateLocation(ctx, &inventory.Location{ID: uuid.New(), Code: code, Name: code, Active: true})
				}
			}
			require.NoError(t, s.Tx(ctx, "t", create("A")), "the first call is not faulted")
			err := s.Tx(ctx, "t", create("B"))
			require.ErrorIs(t, err, ErrInjected)
			require.ErrorIs(t, err, storage.ErrUnavailable)
			assert.Equal(t, tt.deadline, errors.Is(err, context.DeadlineExceeded))
			assert.NotErrorIs(t, err, storage.ErrConflict, "the engine must not retry a lost answer blindly")
			var codes []string
			require.NoError(t, s.Tx(ctx, "t", func(tx storage.Tx) error {
				locs, err := tx.Inventory().ListLocations(ctx)
				for _, l := range locs {
					codes = append(codes, l.Code)
				}
				return err
			}))
			if tt.committed {
				assert.Equal(t, []string{"A", "B"}, codes)
				assert.Equal(t, 2, ran)
			} else {
				assert.Equal(t, []string{"A"}, codes)
				assert.Equal(t, 1, ran, "the transaction never ran")
			}
			assert.Equal(t, 3, s.Count(OpTx))
		})
	}
}

func TestFaultyStoreRelay(t *testing.T) {
	ctx := context.Background()
	s := NewFaultyStore(memory.New(), Fault{Op: OpAck, N: 1, Mode: FailAfter})
	ev := storage.Event{ID: uuid.New(), Tenant: "t", Type: "x", AggregateType: "order", AggregateID: uuid.New(),
		Payload: []byte(`{}`), OccurredAt: time.Now()}
	require.NoError(t, s.Tx(ctx, "t", func(tx storage.Tx) error { return tx.Outbox().Append(ctx, ev) }))
	now := time.Now()
	evs, err := s.Outbox().Claim(ctx, "r", 10, now, time.Minute)
	require.NoError(t, err)
	require.Len(t, evs, 1)
	require.ErrorIs(t, s.Outbox().Ack(ctx, "r", []uuid.UUID{ev.ID}), ErrInjected)
	evs, err = s.Outbox().Claim(ctx, "r2", 10, now.Add(2*time.Minute), time.Minute)
	require.NoError(t, err)
	assert.Empty(t, evs, "the ack took effect although its answer was lost")
	assert.Equal(t, map[string]int{OpTx: 1, OpClaim: 2, OpAck: 1}, s.Calls())
}

// countingCarrier counts the labels the wrapped carrier really bought.
type countingCarrier struct {
	shipping.Carrier
	mu     sync.Mutex
	bought int
}

func (c *countingCarrier) BuyLabel(ctx context.Context, req shipping.LabelRequest) (shipping.Label, error) {
	l, err := c.Carrier.BuyLabel(ctx, req)
	if err == nil {
		c.mu.Lock()
		c.bought++
		c.mu.Unlock()
	}
	return l, err
}

func TestFaultyCarrierModes(t *testing.T) {
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	rateReq := shipping.RateRequest{
		Origin:      shipping.Address{City: "Berlin", Country: "DE"},
		Destination: shipping.Address{Name: "G", Line1: "L", City: "Munich", PostalCode: "80331", Country: "DE"},
		Parcels:     []shipping.Parcel{{WeightGrams: 900}},
		Currency:    "EUR",
	}
	tests := []struct {
		mode   Mode
		bought int
	}{
		{FailBefore, 0},
		{FailAfter, 1},
		{Timeout, 0},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String(), func(t *testing.T) {
			ctx := context.Background()
			inner := &countingCarrier{Carrier: shipping.NewSandbox(clock)}
			c := NewFaultyCarrier(inner, Fault{N: 2, Mode: tt.mode}) // any operation: the second call
			c.SetTimeout(time.Millisecond)
			rates, err := c.Rates(ctx, rateReq)
			require.NoError(t, err)
			require.NotEmpty(t, rates)
			req := shipping.LabelRequest{IdempotencyKey: "l1", Rate: rates[0], Origin: rateReq.Origin,
				Destination: rateReq.Destination, Parcels: rateReq.Parcels}
			_, err = c.BuyLabel(ctx, req)
			require.ErrorIs(t, err, ErrInjected)
			require.ErrorIs(t, err, shipping.ErrTransient)
			assert.Equal(t, tt.mode == Timeout, errors.Is(err, context.DeadlineExceeded))
			assert.Equal(t, tt.bought, inner.bought)
			_, err = c.BuyLabel(ctx, req)
			require.NoError(t, err)
			assert.Equal(t, map[string]int{OpRates: 1, OpBuyLabel: 2}, c.Calls())
			assert.Equal(t, c.inner.Name(), c.Name())
		})
	}
}

func TestTimeoutEndsWithTheContext(t *testing.T) {
	g := NewFaultyGateway(payment.NewSandbox(), Fault{Op: OpVoid, N: 1, Mode: Timeout})
	g.SetTimeout(time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := g.Void(ctx, payment.VoidRequest{IdempotencyKey: "v", AuthorizationRef: "sbx_auth_1"})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), time.Minute, "the fault waits for the context, not the hour")
}

func TestDisarm(t *testing.T) {
	g := NewFaultyGateway(payment.NewSandbox(), Fault{Op: OpRefund, N: 1, Mode: FailBefore}, Fault{Op: OpVoid, N: 3, Mode: FailAfter})
	_, err := g.Void(context.Background(), payment.VoidRequest{IdempotencyKey: "v", AuthorizationRef: "nope"})
	require.ErrorIs(t, err, payment.ErrUnknownAuthorization, "not the faulted call")
	assert.ElementsMatch(t, []Fault{{Op: OpRefund, N: 1, Mode: FailBefore}, {Op: OpVoid, N: 3, Mode: FailAfter}}, g.Disarm())
	assert.Empty(t, g.Disarm())
	assert.Empty(t, g.Fired())
}
