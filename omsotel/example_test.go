package omsotel_test

import (
	"context"
	"fmt"
	"slices"
	"strings"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/omsotel"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/storage/memory"
)

// Instrument an engine: the Telemetry is its observer, and the store and
// gateway are wrapped, so each operation is a span with the store's
// transactions as its children, and its latency is recorded.
func Example() {
	ctx := context.Background()
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))

	tel, err := omsotel.New(omsotel.Options{TracerProvider: tp, MeterProvider: mp})
	if err != nil {
		panic(err)
	}
	eng, err := oms.New(
		oms.WithObserver(tel),
		oms.WithStore(tel.WrapStore(memory.New())),
		oms.WithGateway("sandbox", tel.WrapGateway("sandbox", payment.NewSandbox())),
	)
	if err != nil {
		panic(err)
	}
	loc, err := eng.AddLocation(ctx, "", oms.AddLocationRequest{Code: "FRA", Name: "Frankfurt", Coordinates: inventory.Coordinates{Lat: 50.11, Lon: 8.68}})
	if err != nil {
		panic(err)
	}
	if _, err := eng.ReceiveStock(ctx, "", oms.StockChangeRequest{SKU: "MUG", LocationID: loc.ID, Quantity: 10}); err != nil {
		fmt.Println("receive stock:", oms.Code(err))
	}

	byID := map[string]string{}
	for _, s := range spans.GetSpans() {
		byID[s.SpanContext.SpanID().String()] = s.Name
	}
	for _, s := range spans.GetSpans() {
		parent := byID[s.Parent.SpanID().String()]
		if parent == "" {
			parent = "-"
		}
		fmt.Printf("%s (parent %s) %s\n", s.Name, parent, s.Status.Code)
	}

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(ctx, &rm); err != nil {
		panic(err)
	}
	var latencies []string
	for _, m := range rm.ScopeMetrics[0].Metrics {
		if h, ok := m.Data.(metricdata.Histogram[float64]); ok && m.Name == omsotel.MetricOperationDuration {
			for _, dp := range h.DataPoints {
				op, _ := dp.Attributes.Value("oms.operation")
				outcome, _ := dp.Attributes.Value("oms.outcome")
				latencies = append(latencies, fmt.Sprintf("%s %s: %d", op.AsString(), outcome.AsString(), dp.Count))
			}
		}
	}
	slices.Sort(latencies)
	fmt.Println(strings.Join(latencies, "\n"))
	// Output:
	// receive stock: not_found
	// oms.store.tx (parent oms.add_location) Unset
	// oms.add_location (parent -) Unset
	// oms.store.tx (parent oms.receive_stock) Error
	// oms.receive_stock (parent -) Error
	// add_location ok: 1
	// receive_stock not_found: 1
}
