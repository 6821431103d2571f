package oms_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/returns"
	"github.com/ordersmith/oms/storage"
)

// goldenEvent is the outbox event of TestEnvelopeGolden.
func goldenEvent() storage.Event {
	return storage.Event{
		ID:            uuid.MustParse("019a4b2c-6a00-7000-8000-00000000e001"),
		Tenant:        "acme",
		Type:          oms.EventOrderPlaced,
		AggregateType: oms.AggregateOrder,
		AggregateID:   uuid.MustParse("019a4b2c-6a00-7000-8000-0000000000a1"),
		Sequence:      42,
		Payload: json.RawMessage(`{"order_id":"019a4b2c-6a00-7000-8000-0000000000a1","status":"pending","channel":"shop",` +
			`"total":{"amount":"12.90","currency":"EUR"},"payment_status":"pending","fulfillment_status":"unfulfilled"}`),
		OccurredAt: time.Date(2026, 11, 2, 10, 0, 0, 500_000_000, time.FixedZone("CET", 3600)),
	}
}

// The envelope's JSON is the CloudEvents structured mode, byte for byte.
func TestEnvelopeGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, source, want string
	}{
		{"default source", "", `{"specversion":"1.0","id":"019a4b2c-6a00-7000-8000-00000000e001","source":"ordersmith",` +
			`"type":"order.placed","subject":"019a4b2c-6a00-7000-8000-0000000000a1","time":"2026-11-02T09:00:00.5Z",` +
			`"datacontenttype":"application/json","data":{"order_id":"019a4b2c-6a00-7000-8000-0000000000a1","status":"pending",` +
			`"channel":"shop","total":{"amount":"12.90","currency":"EUR"},"payment_status":"pending","fulfillment_status":"unfulfilled"},` +
			`"tenant":"acme","sequence":"0000000000000000042","aggregatetype":"order","aggregateid":"019a4b2c-6a00-7000-8000-0000000000a1"}`},
		{"the host's source", "https://shop.example/oms", `{"specversion":"1.0","id":"019a4b2c-6a00-7000-8000-00000000e001",` +
			`"source":"https://shop.example/oms","type":"order.placed"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(oms.Envelope(goldenEvent(), tt.source))
			require.NoError(t, err)
			assert.True(t, bytes.HasPrefix(got, []byte(tt.want)), "got  %s\nwant %s", got, tt.want)
		})
	}
}

func TestEnvelopeRefusesInvalidData(t *testing.T) {
	t.Parallel()
	e := goldenEvent()
	e.Payload = json.RawMessage(`{"order_id":`)
	_, err := json.Marshal(oms.Envelope(e, ""))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "data is not valid JSON")
}

// decodeCloudEvent decodes the JSON of an envelope of ev, checks every
// attribute, and decodes its data into the event type's documented payload
// type, refusing unknown fields. It returns the payload.
func decodeCloudEvent(t *testing.T, ev storage.Event) any {
	t.Helper()
	raw, err := json.Marshal(oms.Envelope(ev, ""))
	require.NoError(t, err)
	var ce struct {
		SpecVersion     string          `json:"specversion"`
		ID              string          `json:"id"`
		Source          string          `json:"source"`
		Type            string          `json:"type"`
		Subject         string          `json:"subject"`
		Time            time.Time       `json:"time"`
		DataContentType string          `json:"datacontenttype"`
		Data            json.RawMessage `json:"data"`
		Tenant          string          `json:"tenant"`
		Sequence        string          `json:"sequence"`
		AggregateType   string          `json:"aggregatetype"`
		AggregateID     string          `json:"aggregateid"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&ce), "%s", raw)
	assert.Equal(t, "1.0", ce.SpecVersion)
	assert.Equal(t, ev.ID.String(), ce.ID)
	assert.Equal(t, oms.DefaultSource, ce.Source)
	assert.Equal(t, ev.Type, ce.Type)
	assert.Equal(t, ev.AggregateID.String(), ce.Subject)
	assert.True(t, ev.OccurredAt.Equal(ce.Time), "time %s, occurred %s", ce.Time, ev.OccurredAt)
	assert.Equal(t, "application/json", ce.DataContentType)
	assert.Equal(t, ev.Tenant, ce.Tenant)
	assert.Equal(t, fmt.Sprintf("%019d", ev.Sequence), ce.Sequence)
	assert.Equal(t, ev.AggregateType, ce.AggregateType)
	assert.Equal(t, ev.AggregateID.String(), ce.AggregateID)

	payload, ok := oms.NewPayload(ce.Type)
	require.True(t, ok, "no documented payload for %s", ce.Type)
	dec = json.NewDecoder(bytes.NewReader(ce.Data))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(payload), "%s data %s into %T", ce.Type, ce.Data, payload)
	return payload
}

// Every event of a long lifecycle converts to a CloudEvent whose data
// decodes into its documented payload type with no field left over, and
// whose ID and aggregate the payload agrees with.
func TestLifecycleEventsAreCloudEvents(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	var got []storage.Event
	relay := f.eng.NewRelay(oms.RelayOptions{})
	relay.Subscribe(func(_ context.Context, e storage.Event) error {
		got = append(got, e)
		return nil
	})

	kept := f.place(t, "CE-1", line("MUG", 2, "12.90"), line("CAP", 1, "9.00"))
	f.deliver(t, kept.ID)
	_, err := f.eng.LeaveFeedback(ctx, oms.DefaultTenant, oms.FeedbackRequest{OrderID: kept.ID, Rating: 4})
	require.NoError(t, err)
	o, err := f.eng.GetOrder(ctx, "", kept.ID)
	require.NoError(t, err)
	r, err := f.eng.RequestReturn(ctx, oms.DefaultTenant, oms.ReturnRequest{OrderID: o.ID, Reason: returns.ReasonNoLongerNeeded,
		Lines: []oms.ReturnLine{{OrderLineID: o.Lines[0].ID, Quantity: 1}}})
	require.NoError(t, err)
	_, err = f.eng.ApproveReturn(ctx, oms.DefaultTenant, oms.ReturnAction{ReturnID: r.ID})
	require.NoError(t, err)
	_, err = f.eng.ReceiveReturn(ctx, oms.DefaultTenant, oms.ReceiveReturnRequest{ReturnID: r.ID,
		Receipts: []returns.Receipt{{OrderLineID: o.Lines[0].ID, Quantity: 1, Resellable: 1}}})
	require.NoError(t, err)

	held := f.place(t, "CE-2", line("TEE", 1, "15.00"))
	_, err = f.eng.HoldOrder(ctx, oms.DefaultTenant, oms.OrderRequest{OrderID: held.ID, Reason: "fraud check"})
	require.NoError(t, err)
	_, err = f.eng.ReleaseHold(ctx, oms.DefaultTenant, oms.OrderRequest{OrderID: held.ID})
	require.NoError(t, err)
	fos, err := f.eng.CreateFulfillments(ctx, oms.DefaultTenant, oms.OrderRequest{OrderID: held.ID})
	require.NoError(t, err)
	require.NotEmpty(t, fos)
	_, err = f.eng.CancelOrder(ctx, oms.DefaultTenant, oms.OrderRequest{OrderID: held.ID, Reason: "customer asked"})
	require.NoError(t, err)
	_, err = f.eng.AdjustStock(ctx, oms.DefaultTenant, oms.StockChangeRequest{SKU: "MUG", LocationID: f.berlin.ID, Quantity: -1, Reason: "broken"})
	require.NoError(t, err)

	_, err = relay.Drain(ctx)
	require.NoError(t, err)
	seen := map[string]bool{}
	for _, ev := range got {
		t.Run(fmt.Sprintf("%d %s", ev.Sequence, ev.Type), func(t *testing.T) {
			seen[ev.Type] = true
			switch p := decodeCloudEvent(t, ev).(type) {
			case *oms.OrderPayload:
				assert.Equal(t, ev.AggregateID, p.OrderID)
			case *oms.FeedbackPayload:
				assert.Equal(t, ev.AggregateID, p.OrderID)
			case *oms.PaymentPayload:
				assert.Equal(t, ev.AggregateID, p.PaymentID)
			case *oms.FulfillmentPayload:
				assert.Equal(t, ev.AggregateID, p.FulfillmentID)
			case *oms.ShipmentPayload:
				assert.Equal(t, ev.AggregateID, p.ShipmentID)
			case *oms.ReturnPayload:
				assert.Equal(t, ev.AggregateID, p.ReturnID)
			case *oms.StockPayload:
				assert.Equal(t, oms.StockAggregateID(ev.Tenant, p.SKU, p.LocationID), ev.AggregateID)
			default:
				t.Errorf("unexpected payload %T", p)
			}
		})
	}
	for _, typ := range []string{oms.EventStockReceived, oms.EventStockAdjusted, oms.EventOrderPlaced, oms.EventOrderConfirmed,
		oms.EventPaymentAuthorized, oms.EventFulfillmentCreated, oms.EventFulfillmentPicked, oms.EventFulfillmentPacked,
		oms.EventShipmentLabelPurchased, oms.EventPaymentCaptured, oms.EventOrderShipped, oms.EventShipmentDelivered,
		oms.EventOrderDelivered, oms.EventOrderFeedbackLeft, oms.EventReturnRequested, oms.EventReturnApproved,
		oms.EventReturnReceived, oms.EventOrderPartiallyReturned, oms.EventOrderHeld, oms.EventOrderReleased,
		oms.EventFulfillmentCancelled, oms.EventOrderCancelled, oms.EventPaymentVoided} {
		assert.True(t, seen[typ], "the lifecycle appends %s", typ)
	}
}

// CloudEventHandler hands a subscriber each event in its envelope, with the
// host's source, and passes its error back to the relay.
func TestCloudEventHandler(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	relay := f.eng.NewRelay(oms.RelayOptions{})
	var got []oms.CloudEvent
	fail := true
	relay.Subscribe(oms.CloudEventHandler("https://shop.example/oms", func(_ context.Context, ce oms.CloudEvent) error {
		if fail {
			fail = false
			return fmt.Errorf("webhook down")
		}
		got = append(got, ce)
		return nil
	}))
	_, err := relay.DeliverOnce(ctx)
	require.ErrorContains(t, err, "webhook down", "the subscriber's error reaches the relay")
	_, err = relay.Drain(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, got)
	assert.Equal(t, oms.EventStockReceived, got[0].Type, "the failed event came again")
	for _, ce := range got {
		assert.Equal(t, "https://shop.example/oms", ce.Source)
		assert.Equal(t, "1.0", ce.SpecVersion)
	}
}
