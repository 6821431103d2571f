package webhook_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
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
	"github.com/ordersmith/oms/webhook"
)

// world is an engine on a memory store with a moved-by-hand clock and
// stock of MUG in one location.
type world struct {
	eng   *oms.Engine
	clock *omstest.Clock
}

func newWorld(t testing.TB) *world {
	t.Helper()
	clk := omstest.NewClock(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	eng, err := oms.New(
		oms.WithStore(memory.New()),
		oms.WithClock(clk.Now),
		oms.WithGateway("sandbox", payment.NewSandbox()),
		oms.WithCarrier(shipping.NewSandbox(clk.Now)),
	)
	require.NoError(t, err)
	ctx := context.Background()
	loc, err := eng.AddLocation(ctx, oms.DefaultTenant, oms.AddLocationRequest{Code: "BER", Name: "Berlin", Coordinates: inventory.Coordinates{Lat: 52.52, Lon: 13.405}})
	require.NoError(t, err)
	require.NoError(t, eng.AddItem(ctx, oms.DefaultTenant, oms.AddItemRequest{SKU: "MUG", Name: "Mug"}))
	_, err = eng.ReceiveStock(ctx, oms.DefaultTenant, oms.StockChangeRequest{SKU: "MUG", LocationID: loc.ID, Quantity: 100})
	require.NoError(t, err)
	return &world{eng: eng, clock: clk}
}

func (w *world) place(t testing.TB, ref string) *order.Order {
	t.Helper()
	eur := func(s string) money.Money { return money.MustParse(s, "EUR") }
	o, err := w.eng.PlaceOrder(context.Background(), oms.DefaultTenant, oms.PlaceOrderRequest{
		Order: order.Draft{
			Channel:     order.Channel{Kind: order.ChannelWeb, Name: "webshop"},
			ExternalRef: ref,
			Customer:    order.Customer{ID: "cus_1", Name: "Grace Hopper", Email: "grace@example.com"},
			ShippingAddress: order.Address{Name: "Grace Hopper", Line1: "Unter den Linden 1", City: "Berlin",
				PostalCode: "10117", Country: "DE", Geo: &order.GeoPoint{Lat: 52.517, Lon: 13.389}},
			Currency:       "EUR",
			Lines:          []order.DraftLine{{SKU: "MUG", Quantity: 2, UnitPrice: eur("12.90")}},
			ShippingCharge: eur("4.95"),
			TaxRate:        decimal.RequireFromString("0.19"),
		},
		Payment: oms.PaymentMethod{Token: payment.TokenApprove},
	})
	require.NoError(t, err)
	return o
}

// ship creates the order's fulfillments, picks, packs and ships them.
func (w *world) ship(t testing.TB, orderID uuid.UUID) []*shipping.Shipment {
	t.Helper()
	out, err := omstest.ShipOrder(context.Background(), w.eng, oms.DefaultTenant, orderID)
	require.NoError(t, err)
	return out
}

// pump runs relay passes, moving the clock by step after each, until a
// pass finds the outbox empty; it fails the test after maxPasses.
func (w *world) pump(t testing.TB, relay *oms.Relay, step time.Duration, maxPasses int) {
	t.Helper()
	for range maxPasses {
		n, err := relay.DeliverOnce(context.Background())
		if n == 0 && err == nil {
			return
		}
		w.clock.Advance(step)
	}
	t.Fatalf("the outbox was not drained in %d relay passes", maxPasses)
}

// delivery is one request a receiver got.
type delivery struct {
	header http.Header
	body   []byte
	event  struct {
		ID   string          `json:"id"`
		Type string          `json:"type"`
		Data json.RawMessage `json:"data"`
	}
}

// receiver is an httptest server that verifies deliveries with a Verifier
// and answers with its answer function (nil: 204 for every verified one).
type receiver struct {
	srv      *httptest.Server
	verifier *webhook.Verifier

	mu       sync.Mutex
	raw      []delivery        // every verified delivery, duplicates included
	refused  []error           // every refused delivery's error
	accepted map[string]int    // deliveries answered 2xx, by event ID
	tries    map[string]int    // verified deliveries by event ID
	answer   func(try int) int // status for the try-th verified delivery of an event
}

func newReceiver(t testing.TB, clock func() time.Time, answer func(try int) int, secrets ...webhook.Secret) *receiver {
	t.Helper()
	v, err := webhook.NewVerifier(webhook.VerifierOptions{Clock: clock}, secrets...)
	require.NoError(t, err)
	r := &receiver{verifier: v, accepted: map[string]int{}, tries: map[string]int{}, answer: answer}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.verifier.Verify(req.Header, body); err != nil {
		r.refused = append(r.refused, err)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	d := delivery{header: req.Header.Clone(), body: body}
	if err := json.Unmarshal(body, &d.event); err != nil || req.Header.Get("Content-Type") != webhook.ContentTypeCloudEvents {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	r.raw = append(r.raw, d)
	id := req.Header.Get(webhook.HeaderID)
	r.tries[id]++
	status := http.StatusNoContent
	if r.answer != nil {
		status = r.answer(r.tries[id])
	}
	if status/100 == 2 {
		r.accepted[id]++
	} else {
		r.verifier.Forget(id) // so the retry is handled
	}
	w.WriteHeader(status)
}

// recorded collects every event the relay hands its handlers.
type recorded struct {
	mu     sync.Mutex
	events map[uuid.UUID]storage.Event
}

func record(relay *oms.Relay) *recorded {
	rec := &recorded{events: map[uuid.UUID]storage.Event{}}
	relay.Subscribe(func(_ context.Context, e storage.Event) error {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		rec.events[e.ID] = e
		return nil
	})
	return rec
}

// ids returns the recorded events' IDs, those of types when given.
func (r *recorded) ids(types ...string) map[string]bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]bool{}
	for id, e := range r.events {
		if len(types) == 0 || containsString(types, e.Type) {
			out[id.String()] = true
		}
	}
	return out
}

func containsString(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}
