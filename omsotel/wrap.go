package omsotel

import (
	"context"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/shipping"
	"github.com/ordersmith/oms/storage"
)

// start starts a client span of a call out of the engine, as a child of
// the span in ctx (the operation's, when the engine makes the call).
func (t *Telemetry) start(ctx context.Context, name string, attrs ...attribute.KeyValue) (context.Context, trace.Span) {
	return t.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
}

// WrapGateway returns g with a span around each call: "oms.gateway.authorize",
// "oms.gateway.capture", "oms.gateway.void" and "oms.gateway.refund", with
// the attribute oms.gateway set to name (register the wrapper under the
// same name with oms.WithGateway) and, for an authorization, the payment
// ID. A failed call's span is marked as an error, classified by oms.Code
// (a decline is "unavailable", a transient failure "transient"). Tokens,
// references and amounts are not recorded. The wrapper passes every
// answer and error through unchanged and is as safe for concurrent use as
// g.
func (t *Telemetry) WrapGateway(name string, g payment.Gateway) payment.Gateway {
	return &gateway{t: t, name: name, inner: g}
}

type gateway struct {
	t     *Telemetry
	name  string
	inner payment.Gateway
}

var _ payment.Gateway = (*gateway)(nil)

func (g *gateway) Authorize(ctx context.Context, req payment.AuthorizeRequest) (payment.Result, error) {
	ctx, span := g.t.start(ctx, "oms.gateway.authorize", keyGateway.String(g.name),
		attribute.String("oms.payment.id", req.PaymentID.String()))
	res, err := g.inner.Authorize(ctx, req)
	endCall(span, err)
	return res, err
}

func (g *gateway) Capture(ctx context.Context, req payment.CaptureRequest) (payment.Result, error) {
	ctx, span := g.t.start(ctx, "oms.gateway.capture", keyGateway.String(g.name))
	res, err := g.inner.Capture(ctx, req)
	endCall(span, err)
	return res, err
}

func (g *gateway) Void(ctx context.Context, req payment.VoidRequest) (payment.Result, error) {
	ctx, span := g.t.start(ctx, "oms.gateway.void", keyGateway.String(g.name))
	res, err := g.inner.Void(ctx, req)
	endCall(span, err)
	return res, err
}

func (g *gateway) Refund(ctx context.Context, req payment.RefundRequest) (payment.Result, error) {
	ctx, span := g.t.start(ctx, "oms.gateway.refund", keyGateway.String(g.name))
	res, err := g.inner.Refund(ctx, req)
	endCall(span, err)
	return res, err
}

// WrapCarrier returns c with a span around each call that can fail:
// "oms.carrier.rates" (with the number of rates quoted),
// "oms.carrier.buy_label" (with the service), "oms.carrier.track" and
// "oms.carrier.void_label", each with the attribute oms.carrier set to
// c.Name(). Addresses, parcels and tracking numbers are not recorded. Name
// is passed through. The wrapper passes every answer and error through
// unchanged and is as safe for concurrent use as c.
func (t *Telemetry) WrapCarrier(c shipping.Carrier) shipping.Carrier {
	return &carrier{t: t, inner: c}
}

type carrier struct {
	t     *Telemetry
	inner shipping.Carrier
}

var _ shipping.Carrier = (*carrier)(nil)

func (c *carrier) Name() string { return c.inner.Name() }

func (c *carrier) Rates(ctx context.Context, req shipping.RateRequest) ([]shipping.Rate, error) {
	ctx, span := c.t.start(ctx, "oms.carrier.rates", keyCarrier.String(c.inner.Name()))
	rates, err := c.inner.Rates(ctx, req)
	span.SetAttributes(attribute.Int("oms.rates", len(rates)))
	endCall(span, err)
	return rates, err
}

func (c *carrier) BuyLabel(ctx context.Context, req shipping.LabelRequest) (shipping.Label, error) {
	ctx, span := c.t.start(ctx, "oms.carrier.buy_label", keyCarrier.String(c.inner.Name()),
		attribute.String("oms.carrier.service", req.Rate.Service))
	l, err := c.inner.BuyLabel(ctx, req)
	endCall(span, err)
	return l, err
}

func (c *carrier) Track(ctx context.Context, trackingNumber string) (shipping.TrackingInfo, error) {
	ctx, span := c.t.start(ctx, "oms.carrier.track", keyCarrier.String(c.inner.Name()))
	info, err := c.inner.Track(ctx, trackingNumber)
	endCall(span, err)
	return info, err
}

func (c *carrier) VoidLabel(ctx context.Context, trackingNumber string) error {
	ctx, span := c.t.start(ctx, "oms.carrier.void_label", keyCarrier.String(c.inner.Name()))
	err := c.inner.VoidLabel(ctx, trackingNumber)
	endCall(span, err)
	return err
}

// WrapStore returns s with a span around each transaction, "oms.store.tx"
// with the tenant, and around each call of its relay side (Outbox):
// "oms.store.claim" (with the limit and the number of events claimed),
// "oms.store.ack" and "oms.store.release" (with the number of events). A
// transaction the engine retries after a conflict shows as one span per
// attempt. A failed call's span is marked as an error classified by
// oms.Code.
//
// The function passed to Tx receives the wrapped store's own Tx, not a
// wrapper, so every optional ability of it (storage.OrderLister,
// storage.MovementLister, storage.ItemBatcher and any added later) stays
// available; the calls inside one transaction get no spans of their own.
// The relay side is wrapped, and keeps storage.OutboxInspector by passing
// it on through storage.InspectOutbox (span "oms.store.outbox_status"): a
// relay without it answers errors.ErrUnsupported, as InspectOutbox does
// for it. The wrapper passes every
// answer and error through unchanged and is safe for concurrent use when
// s is.
func (t *Telemetry) WrapStore(s storage.Store) storage.Store {
	return &store{t: t, inner: s}
}

type store struct {
	t     *Telemetry
	inner storage.Store
}

var _ storage.Store = (*store)(nil)

func (s *store) Tx(ctx context.Context, tenant string, fn func(storage.Tx) error) error {
	ctx, span := s.t.start(ctx, "oms.store.tx", keyTenant.String(tenant))
	err := s.inner.Tx(ctx, tenant, fn)
	endCall(span, err)
	return err
}

func (s *store) Outbox() storage.OutboxRelay {
	return &relay{t: s.t, inner: s.inner.Outbox()}
}

type relay struct {
	t     *Telemetry
	inner storage.OutboxRelay
}

var (
	_ storage.OutboxRelay     = (*relay)(nil)
	_ storage.OutboxInspector = (*relay)(nil)
)

func (r *relay) Claim(ctx context.Context, owner string, limit int, now time.Time, lease time.Duration) ([]storage.Event, error) {
	ctx, span := r.t.start(ctx, "oms.store.claim", keyLimit.Int(limit))
	events, err := r.inner.Claim(ctx, owner, limit, now, lease)
	span.SetAttributes(keyCount.Int(len(events)))
	endCall(span, err)
	return events, err
}

func (r *relay) Ack(ctx context.Context, owner string, ids []uuid.UUID) error {
	ctx, span := r.t.start(ctx, "oms.store.ack", keyCount.Int(len(ids)))
	err := r.inner.Ack(ctx, owner, ids)
	endCall(span, err)
	return err
}

func (r *relay) Release(ctx context.Context, owner string, ids []uuid.UUID) error {
	ctx, span := r.t.start(ctx, "oms.store.release", keyCount.Int(len(ids)))
	err := r.inner.Release(ctx, owner, ids)
	endCall(span, err)
	return err
}

func (r *relay) OutboxStatus(ctx context.Context, now time.Time) (storage.OutboxStatus, error) {
	ctx, span := r.t.start(ctx, "oms.store.outbox_status")
	st, err := storage.InspectOutbox(ctx, r.inner, now)
	endCall(span, err)
	return st, err
}

// WrapHandler returns h, a relay handler, with a span "oms.deliver" around
// each delivery (with the event's tenant, type, ID and aggregate type), and
// records the event's outbox lag, the time from its OccurredAt to the end
// of a successful delivery by Options.Clock, in the oms.outbox.lag
// histogram (by tenant and event type). A failed delivery's span is marked
// as an error classified by oms.Code and records no lag. Subscribe the
// wrapper in the handler's place (Relay.Subscribe).
func (t *Telemetry) WrapHandler(h oms.Handler) oms.Handler {
	return func(ctx context.Context, ev storage.Event) error {
		ctx, span := t.tracer.Start(ctx, "oms.deliver", trace.WithSpanKind(trace.SpanKindConsumer), trace.WithAttributes(
			keyTenant.String(ev.Tenant), keyEventType.String(ev.Type), keyEventID.String(ev.ID.String()),
			keyAggregate.String(ev.AggregateType)))
		err := h(ctx, ev)
		endCall(span, err)
		if err == nil {
			lag := max(t.clock().Sub(ev.OccurredAt), 0)
			t.lag.Record(ctx, lag.Seconds(), metric.WithAttributes(keyTenant.String(ev.Tenant), keyEventType.String(ev.Type)))
		}
		return err
	}
}
