package omstest_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/omstest"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/shipping"
	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/memory"
)

// TestModel runs the model on the memory store, the sandbox gateway and the
// sandbox carrier.
func TestModel(t *testing.T) {
	t.Parallel()
	omstest.RunModel(t, omstest.Harness{})
}

type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// world is an engine on a memory store with two tenants, each with one
// location holding 10 units of SKU "A".
type world struct {
	eng     *oms.Engine
	gw      payment.Gateway
	sandbox *payment.Sandbox
	clock   *testClock
	log     *omstest.EventLog
	loc     map[string]uuid.UUID
}

var tenants = []string{"t1", "t2"}

func newWorld(t *testing.T, gw payment.Gateway, sandbox *payment.Sandbox) *world {
	t.Helper()
	ctx := context.Background()
	clk := &testClock{now: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	eng, err := oms.New(oms.WithStore(memory.New()), oms.WithClock(clk.Now),
		oms.WithGateway("gw", gw), oms.WithCarrier(shipping.NewSandbox(clk.Now)))
	require.NoError(t, err)
	w := &world{eng: eng, gw: gw, sandbox: sandbox, clock: clk, log: omstest.NewEventLog(eng), loc: map[string]uuid.UUID{}}
	for _, tenant := range tenants {
		require.NoError(t, eng.AddItem(ctx, tenant, oms.AddItemRequest{SKU: "A", Name: "A"}))
		l, err := eng.AddLocation(ctx, tenant, oms.AddLocationRequest{Code: "BER", Name: "Berlin", Coordinates: inventory.Coordinates{Lat: 52.5, Lon: 13.4}})
		require.NoError(t, err)
		w.loc[tenant] = l.ID
		_, err = eng.ReceiveStock(ctx, tenant, oms.StockChangeRequest{SKU: "A", LocationID: l.ID, Quantity: 10})
		require.NoError(t, err)
	}
	return w
}

func newSandboxWorld(t *testing.T) *world {
	sb := payment.NewSandbox()
	return newWorld(t, sb, sb)
}

func (w *world) opts(settled bool) omstest.CheckOptions {
	return omstest.CheckOptions{Settled: settled, Exact: true, Ledger: w.sandbox, Events: w.log}
}

func (w *world) place(t *testing.T, tenant, token string, qty int64) *order.Order {
	t.Helper()
	o, err := w.eng.PlaceOrder(context.Background(), tenant, oms.PlaceOrderRequest{
		Order: order.Draft{
			Channel:     order.Channel{Kind: order.ChannelWeb, Name: "web"},
			ExternalRef: uuid.NewString(),
			Customer:    order.Customer{ID: "c", Name: "Ada", Email: "ada@example.com"},
			ShippingAddress: order.Address{Name: "Ada", Line1: "Street 1", City: "Berlin", PostalCode: "10117", Country: "DE",
				Geo: &order.GeoPoint{Lat: 52.5, Lon: 13.4}},
			Currency: "EUR",
			Lines:    []order.DraftLine{{SKU: "A", Quantity: qty, UnitPrice: money.MustParse("10.00", "EUR")}},
			TaxRate:  decimal.Zero,
		},
		Payment: oms.PaymentMethod{Token: token}})
	if token == payment.TokenApprove {
		require.NoError(t, err)
	}
	require.NotNil(t, o)
	return o
}

// problems runs the check and returns its problem list (nil when all hold).
func problems(t *testing.T, w *world, opts omstest.CheckOptions) []string {
	t.Helper()
	err := omstest.CheckInvariants(context.Background(), w.eng, tenants, opts)
	if err == nil {
		return nil
	}
	var ie *omstest.InvariantError
	require.ErrorAs(t, err, &ie)
	return ie.Problems
}

func requireProblem(t *testing.T, got []string, want string) {
	t.Helper()
	for _, p := range got {
		if strings.Contains(p, want) {
			return
		}
	}
	t.Fatalf("no problem mentions %q; got %d:\n%s", want, len(got), strings.Join(got, "\n"))
}

// A whole lifecycle in both tenants keeps every invariant, settled too, and
// DriveToEnd finishes every order.
func TestCheckInvariantsHoldOnALifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newSandboxWorld(t)
	for _, tenant := range tenants {
		w.place(t, tenant, payment.TokenApprove, 2)
		w.place(t, tenant, payment.TokenDecline, 1)
		o := w.place(t, tenant, payment.TokenApprove, 1)
		_, err := w.eng.HoldOrder(ctx, tenant, oms.OrderRequest{OrderID: o.ID})
		require.NoError(t, err)
	}
	require.Empty(t, problems(t, w, w.opts(false)))
	require.NoError(t, omstest.DriveToEnd(ctx, w.eng, tenants, w.clock.Advance))
	require.Empty(t, problems(t, w, w.opts(true)))
	for _, tenant := range tenants {
		page, err := w.eng.ListOrders(ctx, tenant, storage.OrderFilter{})
		require.NoError(t, err)
		require.Len(t, page.Orders, 3)
		for _, o := range page.Orders {
			assert.Contains(t, []order.Status{order.StatusCompleted, order.StatusCancelled}, o.Status)
		}
	}
}

// Each corruption of the store or the gateway is found and named.
func TestCheckInvariantsFindCorruption(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tx := func(t *testing.T, w *world, tenant string, fn func(storage.Tx) error) {
		t.Helper()
		require.NoError(t, w.eng.Store().Tx(ctx, tenant, fn))
	}
	tests := []struct {
		name    string
		settled bool
		corrupt func(t *testing.T, w *world, o *order.Order)
		want    []string
	}{
		{
			name: "reserved without a reservation",
			corrupt: func(t *testing.T, w *world, _ *order.Order) {
				tx(t, w, "t1", func(tx storage.Tx) error {
					m, err := inventory.NewMovement(uuid.New(), "t1", "A", w.loc["t1"], inventory.MovementReserve, 1, uuid.Nil, "x", w.clock.Now())
					require.NoError(t, err)
					_, _, err = tx.Inventory().ApplyMovement(ctx, m)
					return err
				})
			},
			want: []string{"open reservations sum to"},
		},
		{
			name: "reservation released without a movement",
			corrupt: func(t *testing.T, w *world, o *order.Order) {
				tx(t, w, "t1", func(tx storage.Tx) error {
					rs, err := storage.ListReservations(ctx, tx, storage.ReservationFilter{OrderID: o.ID})
					require.NoError(t, err)
					require.NoError(t, rs[0].Release(w.clock.Now()))
					return storage.Reservations(tx).Update(ctx, rs[0])
				})
			},
			want: []string{"open reservations sum to"},
		},
		{
			name: "captured more than authorized",
			corrupt: func(t *testing.T, w *world, o *order.Order) {
				tx(t, w, "t1", func(tx storage.Tx) error {
					ps, err := storage.Payments(tx).ListByOrder(ctx, o.ID)
					require.NoError(t, err)
					ps[0].Captured = money.MustParse("1000.00", "EUR")
					return storage.Payments(tx).Update(ctx, ps[0])
				})
			},
			want: []string{"captured 1000.00 EUR > authorized", "capture transactions sum to", "payment summary"},
		},
		{
			name: "payment summary out of step",
			corrupt: func(t *testing.T, w *world, o *order.Order) {
				tx(t, w, "t1", func(tx storage.Tx) error {
					got, err := storage.Orders(tx).Get(ctx, o.ID)
					require.NoError(t, err)
					got.Payment.Status = order.PaymentPaid
					return storage.Orders(tx).Update(ctx, got)
				})
			},
			want: []string{"payment summary paid"},
		},
		{
			name: "the gateway captured what no record shows",
			corrupt: func(t *testing.T, w *world, o *order.Order) {
				_, err := w.sandbox.Capture(ctx, payment.CaptureRequest{IdempotencyKey: "rogue", AuthorizationRef: authRef(t, w, o), Amount: money.MustParse("1.00", "EUR")})
				require.NoError(t, err)
			},
			want: []string{"the gateway captured 1.00 EUR"},
		},
		{
			name:    "an authorization no payment records",
			settled: true,
			corrupt: func(t *testing.T, w *world, o *order.Order) {
				_, err := w.sandbox.Authorize(ctx, payment.AuthorizeRequest{IdempotencyKey: "rogue", PaymentID: uuid.New(), Amount: money.MustParse("5.00", "EUR"), Token: payment.TokenApprove})
				require.NoError(t, err)
			},
			want: []string{"no payment records it"},
		},
		{
			name: "an event that skips the machine",
			corrupt: func(t *testing.T, w *world, o *order.Order) {
				tx(t, w, "t1", func(tx storage.Tx) error {
					body, _ := json.Marshal(map[string]string{"status": string(order.StatusDelivered)})
					return tx.Outbox().Append(ctx, storage.Event{ID: uuid.New(), Type: oms.EventOrderDelivered, AggregateType: oms.AggregateOrder,
						AggregateID: o.ID, Payload: body, OccurredAt: w.clock.Now()})
				})
			},
			want: []string{"status delivered after confirmed is not a legal move", "its last event says delivered"},
		},
		{
			name: "a stock event keyed by its location alone",
			corrupt: func(t *testing.T, w *world, _ *order.Order) {
				tx(t, w, "t1", func(tx storage.Tx) error {
					body, err := json.Marshal(oms.StockPayload{SKU: "A", LocationID: w.loc["t1"], Movement: inventory.MovementReceive, Quantity: 1})
					require.NoError(t, err)
					return tx.Outbox().Append(ctx, storage.Event{ID: uuid.New(), Type: oms.EventStockReceived, AggregateType: oms.AggregateStock,
						AggregateID: w.loc["t1"], Payload: body, OccurredAt: w.clock.Now()})
				})
			},
			want: []string{"the aggregate ID is not that of A at"},
		},
		{
			name: "a row of one tenant in another",
			corrupt: func(t *testing.T, w *world, o *order.Order) {
				tx(t, w, "t2", func(tx storage.Tx) error {
					copied := o.Clone()
					copied.Tenant = "t2"
					copied.Version = 0
					return storage.Orders(tx).Create(ctx, copied)
				})
			},
			want: []string{"tenant t2 sees order", "of tenant t1"},
		},
		{
			name: "cancelled with its stock still reserved",
			corrupt: func(t *testing.T, w *world, o *order.Order) {
				tx(t, w, "t1", func(tx storage.Tx) error {
					got, err := storage.Orders(tx).Get(ctx, o.ID)
					require.NoError(t, err)
					require.NoError(t, got.Cancel(ctx, "x", w.clock.Now()))
					return storage.Orders(tx).Update(ctx, got)
				})
			},
			want: []string{"is open for order", "which is cancelled", "is cancelled, its last event says confirmed"},
		},
		{
			name:    "settled with a placement pending",
			settled: true,
			corrupt: func(t *testing.T, w *world, o *order.Order) {
				tx(t, w, "t1", func(tx storage.Tx) error {
					p, err := payment.New(uuid.New(), "t1", o.ID, "gw", o.Totals.Total, w.clock.Now())
					require.NoError(t, err)
					return storage.Payments(tx).Create(ctx, p)
				})
			},
			want: []string{"still pending after recovery", "2 payments"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newSandboxWorld(t)
			o := w.place(t, "t1", payment.TokenApprove, 2)
			w.place(t, "t2", payment.TokenApprove, 1)
			require.Empty(t, problems(t, w, w.opts(tt.settled)), "before the corruption")
			tt.corrupt(t, w, o)
			got := problems(t, w, w.opts(tt.settled))
			for _, want := range tt.want {
				requireProblem(t, got, want)
			}
		})
	}
}

func authRef(t *testing.T, w *world, o *order.Order) string {
	t.Helper()
	d, err := w.eng.OrderDetails(context.Background(), o.Tenant, o.ID)
	require.NoError(t, err)
	require.Len(t, d.Payments, 1)
	return d.Payments[0].AuthorizationRef
}

// voidFails is a sandbox whose voids always fail transiently.
type voidFails struct{ *payment.Sandbox }

func (voidFails) Void(context.Context, payment.VoidRequest) (payment.Result, error) {
	return payment.Result{}, payment.ErrTransient
}

// DriveToEnd names an order it cannot finish (a cancelled order whose
// authorization cannot be voided) with the engine's last error, and the
// settled check reports the authorization still held.
func TestDriveToEndNamesWhatItCannotFinish(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sb := payment.NewSandbox()
	w := newWorld(t, voidFails{sb}, sb)
	o := w.place(t, "t1", payment.TokenApprove, 1)
	_, err := w.eng.CancelOrder(ctx, "t1", oms.OrderRequest{OrderID: o.ID})
	require.ErrorIs(t, err, payment.ErrTransient)

	err = omstest.DriveToEnd(ctx, w.eng, tenants, w.clock.Advance)
	require.Error(t, err)
	assert.Contains(t, err.Error(), o.ID.String())
	assert.Contains(t, err.Error(), "cancelled (payment authorized)")
	assert.Contains(t, err.Error(), "transient")

	got := problems(t, w, w.opts(true))
	requireProblem(t, got, "the authorization is still held")
}
