package omsotel_test

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/omsotel"
	"github.com/ordersmith/oms/omstest"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/shipping"
	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/memory"
)

// rig is an engine instrumented with a Telemetry on the SDK's in-memory
// exporter and a manual metric reader.
type rig struct {
	eng    *oms.Engine
	tel    *omsotel.Telemetry
	spans  *tracetest.InMemoryExporter
	reader *sdkmetric.ManualReader
	clock  *omstest.Clock
	loc    *inventory.Location
}

// newRig returns a rig on inner (nil: a fresh memory store) with the SKU
// MUG stocked 5 at one location; the spans of that setup are dropped.
func newRig(t *testing.T, inner storage.Store) *rig {
	t.Helper()
	if inner == nil {
		inner = memory.New()
	}
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	clk := omstest.NewClock(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	tel, err := omsotel.New(omsotel.Options{TracerProvider: tp, MeterProvider: mp, Clock: clk.Now})
	require.NoError(t, err)
	eng, err := oms.New(
		oms.WithObserver(tel),
		oms.WithStore(tel.WrapStore(inner)),
		oms.WithClock(clk.Now),
		oms.WithGateway("sandbox", tel.WrapGateway("sandbox", payment.NewSandbox())),
		oms.WithCarrier(tel.WrapCarrier(shipping.NewSandbox(clk.Now))),
	)
	require.NoError(t, err)
	r := &rig{eng: eng, tel: tel, spans: spans, reader: reader, clock: clk}
	ctx := context.Background()
	r.loc, err = eng.AddLocation(ctx, "", oms.AddLocationRequest{Code: "BER", Name: "Berlin", Coordinates: inventory.Coordinates{Lat: 52.52, Lon: 13.405}})
	require.NoError(t, err)
	require.NoError(t, eng.AddItem(ctx, "", oms.AddItemRequest{SKU: "MUG", Name: "Mug"}))
	_, err = eng.ReceiveStock(ctx, "", oms.StockChangeRequest{SKU: "MUG", LocationID: r.loc.ID, Quantity: 5})
	require.NoError(t, err)
	spans.Reset()
	return r
}

// The personal data of every test draft: no span may carry any of it.
var personal = []string{"Grace Hopper", "grace@example.com", "Unter den Linden 1", "10117", "Berlin-Mitte"}

// placeRequest returns a request placing qty mugs, paid with token.
func placeRequest(ref string, qty int64, token string) oms.PlaceOrderRequest {
	eur := func(s string) money.Money { return money.MustParse(s, "EUR") }
	return oms.PlaceOrderRequest{
		Order: order.Draft{
			Channel:     order.Channel{Kind: order.ChannelWeb, Name: "webshop"},
			ExternalRef: ref,
			Customer:    order.Customer{ID: "cus_1", Name: personal[0], Email: personal[1]},
			ShippingAddress: order.Address{Name: personal[0], Line1: personal[2], Line2: personal[4], City: "Berlin",
				PostalCode: personal[3], Country: "DE", Geo: &order.GeoPoint{Lat: 52.517, Lon: 13.389}},
			Currency:       "EUR",
			Lines:          []order.DraftLine{{SKU: "MUG", Quantity: qty, UnitPrice: eur("12.00")}},
			ShippingCharge: eur("4.95"),
			TaxRate:        decimal.RequireFromString("0.19"),
		},
		Payment: oms.PaymentMethod{Token: token},
	}
}

// ended returns the ended spans named name.
func (r *rig) ended(name string) []tracetest.SpanStub {
	var out []tracetest.SpanStub
	for _, s := range r.spans.GetSpans() {
		if s.Name == name {
			out = append(out, s)
		}
	}
	return out
}

// one returns the one ended span named name.
func (r *rig) one(t *testing.T, name string) tracetest.SpanStub {
	t.Helper()
	got := r.ended(name)
	require.Len(t, got, 1, "spans named %s", name)
	return got[0]
}

// childrenOf returns the names of the ended spans whose parent is s.
func (r *rig) childrenOf(s tracetest.SpanStub) []string {
	var out []string
	for _, c := range r.spans.GetSpans() {
		if c.Parent.SpanID() == s.SpanContext.SpanID() && c.Parent.TraceID() == s.SpanContext.TraceID() {
			out = append(out, c.Name)
		}
	}
	return out
}

// attr returns the value of s's attribute key, and whether s has it.
func attr(s tracetest.SpanStub, key string) (attribute.Value, bool) {
	for _, kv := range s.Attributes {
		if string(kv.Key) == key {
			return kv.Value, true
		}
	}
	return attribute.Value{}, false
}

// noPersonalData fails t when an attribute or event of an ended span holds
// any of the test drafts' personal data.
func (r *rig) noPersonalData(t *testing.T) {
	t.Helper()
	check := func(span string, kvs []attribute.KeyValue) {
		for _, kv := range kvs {
			for _, p := range personal {
				require.NotContains(t, kv.Value.Emit(), p, "span %s attribute %s", span, kv.Key)
			}
		}
	}
	for _, s := range r.spans.GetSpans() {
		check(s.Name, s.Attributes)
		for _, ev := range s.Events {
			check(s.Name+"/"+ev.Name, ev.Attributes)
		}
		for _, p := range personal {
			require.NotContains(t, s.Status.Description, p)
		}
	}
}

// collect returns the metrics recorded so far, by name.
func (r *rig) collect(t *testing.T) map[string]metricdata.Metrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, r.reader.Collect(context.Background(), &rm))
	out := map[string]metricdata.Metrics{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			out[m.Name] = m
		}
	}
	return out
}

// has reports whether set holds every attribute of want.
func has(set attribute.Set, want ...attribute.KeyValue) bool {
	for _, kv := range want {
		if v, ok := set.Value(kv.Key); !ok || v != kv.Value {
			return false
		}
	}
	return true
}

// count returns the sum of the counter name over the data points that
// have every attribute of want; zero when nothing was recorded.
func (r *rig) count(t *testing.T, name string, want ...attribute.KeyValue) int64 {
	t.Helper()
	m, ok := r.collect(t)[name]
	if !ok {
		return 0
	}
	sum, ok := m.Data.(metricdata.Sum[int64])
	require.True(t, ok, "%s is a counter", name)
	var n int64
	for _, dp := range sum.DataPoints {
		if has(dp.Attributes, want...) {
			n += dp.Value
		}
	}
	return n
}

// histogram returns the count and sum of the histogram name over the data
// points that have every attribute of want.
func (r *rig) histogram(t *testing.T, name string, want ...attribute.KeyValue) (uint64, float64) {
	t.Helper()
	m, ok := r.collect(t)[name]
	if !ok {
		return 0, 0
	}
	h, ok := m.Data.(metricdata.Histogram[float64])
	require.True(t, ok, "%s is a histogram", name)
	var n uint64
	var sum float64
	for _, dp := range h.DataPoints {
		if has(dp.Attributes, want...) {
			n += dp.Count
			sum += dp.Sum
		}
	}
	return n, sum
}
