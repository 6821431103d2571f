package omsotel

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	oms "github.com/ordersmith/oms"
)

// ScopeName is the instrumentation scope of every tracer and meter the
// package makes.
const ScopeName = "github.com/ordersmith/oms/omsotel"

// The metric names the package records (see the package documentation for
// their attributes).
const (
	// MetricOrdersPlaced counts placement requests that placed an order.
	MetricOrdersPlaced = "oms.orders.placed"
	// MetricOrdersDeclined counts placement requests whose payment the
	// gateway declined.
	MetricOrdersDeclined = "oms.orders.declined"
	// MetricOrdersSoldOut counts placement requests the stock could not
	// cover.
	MetricOrdersSoldOut = "oms.orders.sold_out"
	// MetricOperationDuration is the histogram of Engine operation
	// latencies, in seconds.
	MetricOperationDuration = "oms.operation.duration"
	// MetricTxRetries counts transactions the engine ran again.
	MetricTxRetries = "oms.tx.retries"
	// MetricOutboxLag is the histogram, in seconds, of how long each
	// delivered event waited between the change and its delivery.
	MetricOutboxLag = "oms.outbox.lag"
)

// Attribute keys of the spans and metrics.
const (
	keyTenant       = attribute.Key("oms.tenant")
	keyOperation    = attribute.Key("oms.operation")
	keyOutcome      = attribute.Key("oms.outcome")
	keyPlacement    = attribute.Key("oms.placement.outcome")
	keyOrderID      = attribute.Key("oms.order.id")
	keyErrorType    = attribute.Key("error.type")
	keyRetryReason  = attribute.Key("oms.retry.reason")
	keyRetryAttempt = attribute.Key("oms.retry.attempt")
	keyGateway      = attribute.Key("oms.gateway")
	keyCarrier      = attribute.Key("oms.carrier")
	keyEventType    = attribute.Key("oms.event.type")
	keyEventID      = attribute.Key("oms.event.id")
	keyAggregate    = attribute.Key("oms.aggregate.type")
	keyCount        = attribute.Key("oms.events")
	keyLimit        = attribute.Key("oms.limit")
)

// Options configures a Telemetry; the zero value uses the global providers
// (otel.GetTracerProvider, otel.GetMeterProvider) and time.Now.
type Options struct {
	// TracerProvider makes the tracer; nil means otel.GetTracerProvider().
	TracerProvider trace.TracerProvider
	// MeterProvider makes the meter; nil means otel.GetMeterProvider().
	MeterProvider metric.MeterProvider
	// Clock is the time outbox lag is measured at, against
	// storage.Event.OccurredAt, which the engine stamps by its own clock:
	// pass the engine's Now when it has one of its own (oms.WithClock).
	// Nil means time.Now. Operation latencies are measured by the
	// monotonic clock whatever this is.
	Clock func() time.Time
}

// Telemetry is the OpenTelemetry instrumentation of an Engine: an
// oms.Observer (pass it to oms.WithObserver) that makes a span per
// operation and records the metrics, and the wrappers that make spans of
// the calls to gateways, carriers, the store and relay handlers. It is
// safe for concurrent use.
type Telemetry struct {
	tracer trace.Tracer
	clock  func() time.Time

	placed, declined, soldOut metric.Int64Counter
	retries                   metric.Int64Counter
	duration                  metric.Float64Histogram
	lag                       metric.Float64Histogram
}

var _ oms.Observer = (*Telemetry)(nil)

// New returns a Telemetry on the providers opts names. It returns an error
// when the meter provider refuses an instrument.
func New(opts Options) (*Telemetry, error) {
	tp, mp := opts.TracerProvider, opts.MeterProvider
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	t := &Telemetry{tracer: tp.Tracer(ScopeName), clock: opts.Clock}
	if t.clock == nil {
		t.clock = time.Now
	}
	meter := mp.Meter(ScopeName)
	var errs []error
	counter := func(name, desc string) metric.Int64Counter {
		c, err := meter.Int64Counter(name, metric.WithDescription(desc), metric.WithUnit("{order}"))
		errs = append(errs, err)
		return c
	}
	t.placed = counter(MetricOrdersPlaced, "Placement requests that placed an order.")
	t.declined = counter(MetricOrdersDeclined, "Placement requests whose payment was declined.")
	t.soldOut = counter(MetricOrdersSoldOut, "Placement requests the stock could not cover.")
	var err error
	t.retries, err = meter.Int64Counter(MetricTxRetries,
		metric.WithDescription("Transactions run again after a conflict or a lost race for stock."),
		metric.WithUnit("{retry}"))
	errs = append(errs, err)
	t.duration, err = meter.Float64Histogram(MetricOperationDuration,
		metric.WithDescription("Latency of Engine operations."), metric.WithUnit("s"))
	errs = append(errs, err)
	t.lag, err = meter.Float64Histogram(MetricOutboxLag,
		metric.WithDescription("Time from a change to the delivery of its event."), metric.WithUnit("s"))
	errs = append(errs, err)
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("omsotel: new: %w", err)
	}
	return t, nil
}

// StartOperation starts the span "oms.<name>" of an Engine operation, with
// the tenant and the IDs the request names as attributes, and returns its
// context and its end: the end sets the outcome (the oms.Code of the error,
// "ok" on success), the order ID the result tells, the placement outcome,
// marks the span as an error with the code as description when the
// operation failed (the error's text is not recorded: it may quote input),
// ends the span and records the latency. It implements oms.Observer.
func (t *Telemetry) StartOperation(ctx context.Context, op oms.Operation) (context.Context, func(oms.Outcome)) {
	attrs := make([]attribute.KeyValue, 0, 3)
	attrs = append(attrs, keyTenant.String(op.Tenant))
	if op.OrderID != uuid.Nil {
		attrs = append(attrs, keyOrderID.String(op.OrderID.String()))
	}
	if op.Target != "" && op.TargetID != uuid.Nil {
		attrs = append(attrs, attribute.String("oms."+op.Target+".id", op.TargetID.String()))
	}
	ctx, span := t.tracer.Start(ctx, "oms."+op.Name, trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(attrs...))
	start := time.Now()
	return ctx, func(out oms.Outcome) {
		code := oms.Code(out.Err).String()
		span.SetAttributes(keyOutcome.String(code))
		if out.OrderID != uuid.Nil && op.OrderID == uuid.Nil {
			span.SetAttributes(keyOrderID.String(out.OrderID.String()))
		}
		if out.Placement != "" {
			span.SetAttributes(keyPlacement.String(out.Placement.String()))
		}
		if out.Err != nil {
			span.SetAttributes(keyErrorType.String(code))
			span.SetStatus(codes.Error, code)
		}
		span.End()
		t.duration.Record(ctx, time.Since(start).Seconds(), metric.WithAttributes(
			keyOperation.String(op.Name), keyOutcome.String(code), keyTenant.String(op.Tenant)))
	}
}

// PlacementEnded counts a placement request as placed, declined or sold
// out (replays and other failures are counted by none of the three), and
// adds the event "oms.placement" with the order ID and the outcome to the
// operation's span. It implements oms.Observer.
func (t *Telemetry) PlacementEnded(ctx context.Context, p oms.Placement) {
	attrs := metric.WithAttributes(keyTenant.String(p.Tenant))
	switch p.Outcome {
	case oms.PlacementPlaced:
		t.placed.Add(ctx, 1, attrs)
	case oms.PlacementDeclined:
		t.declined.Add(ctx, 1, attrs)
	case oms.PlacementSoldOut:
		t.soldOut.Add(ctx, 1, attrs)
	}
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return
	}
	ev := []attribute.KeyValue{keyPlacement.String(p.Outcome.String()), keyOutcome.String(oms.Code(p.Err).String())}
	if p.OrderID != uuid.Nil {
		ev = append(ev, keyOrderID.String(p.OrderID.String()))
	}
	span.AddEvent("oms.placement", trace.WithAttributes(ev...))
}

// TxRetried counts the retry, by tenant and reason, and adds the event
// "oms.tx.retry" with the attempt and reason to the operation's span. It
// implements oms.Observer.
func (t *Telemetry) TxRetried(ctx context.Context, r oms.Retry) {
	t.retries.Add(ctx, 1, metric.WithAttributes(keyTenant.String(r.Tenant), keyRetryReason.String(r.Reason.String())))
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		span.AddEvent("oms.tx.retry", trace.WithAttributes(
			keyRetryAttempt.Int(r.Attempt), keyRetryReason.String(r.Reason.String())))
	}
}

// endCall ends span, a call to a gateway, carrier or store, marking it as
// an error classified by oms.Code when err is not nil.
func endCall(span trace.Span, err error) {
	if err != nil {
		code := oms.Code(err).String()
		span.SetAttributes(keyErrorType.String(code))
		span.SetStatus(codes.Error, code)
	}
	span.End()
}
