package shipping_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/ordersmith/oms/fielderr"
	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/shipping"
)

var (
	shipID  = uuid.MustParse("01956a3b-0000-7000-8000-000000000001")
	orderID = uuid.MustParse("01956a3b-0000-7000-8000-000000000002")
	fulfID  = uuid.MustParse("01956a3b-0000-7000-8000-000000000003")
)

func testLabel() shipping.Label {
	return shipping.Label{Carrier: "sandbox", Service: "ground", TrackingNumber: "SANDBOX-1",
		Cost: money.MustParse("6.00", "EUR"), EstimatedDelivery: time.Date(2025, 3, 8, 17, 0, 0, 0, time.UTC)}
}

func newShipment(t require.TestingT) *shipping.Shipment {
	s, err := shipping.New(shipID, "tenant-a", orderID, fulfID, testLabel(), t0)
	require.NoError(t, err)
	return s
}

// progression is a real sandbox progression for SANDBOX-1.
func progression() []shipping.TrackingEvent {
	return []shipping.TrackingEvent{
		{Status: shipping.TrackingLabelCreated, Description: "Shipping label created", Location: "Hamburg", At: t0},
		{Status: shipping.TrackingInTransit, Description: "Departed origin facility", Location: "Hamburg", At: t0.Add(12 * time.Hour)},
		{Status: shipping.TrackingOutForDelivery, Description: "Out for delivery", Location: "Paris", At: time.Date(2025, 3, 8, 8, 0, 0, 0, time.UTC)},
		{Status: shipping.TrackingDelivered, Description: "Delivered", Location: "Paris", At: time.Date(2025, 3, 8, 17, 0, 0, 0, time.UTC)},
	}
}

// snapshot is what the carrier reports once the first n events happened.
func snapshot(events []shipping.TrackingEvent, n int) shipping.TrackingInfo {
	return shipping.TrackingInfo{
		TrackingNumber:    "SANDBOX-1",
		Status:            events[n-1].Status,
		Events:            append([]shipping.TrackingEvent(nil), events[:n]...),
		EstimatedDelivery: time.Date(2025, 3, 8, 17, 0, 0, 0, time.UTC),
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	s := newShipment(t)
	assert.Equal(t, shipID, s.ID)
	assert.Equal(t, "tenant-a", s.Tenant)
	assert.Equal(t, orderID, s.OrderID)
	assert.Equal(t, fulfID, s.FulfillmentID)
	assert.Equal(t, "sandbox", s.Carrier)
	assert.Equal(t, "ground", s.Service)
	assert.Equal(t, "SANDBOX-1", s.TrackingNumber)
	assert.Equal(t, "6.00 EUR", s.Cost.String())
	assert.Equal(t, shipping.StatusLabelPurchased, s.Status)
	assert.Equal(t, testLabel().EstimatedDelivery, s.EstimatedDelivery)
	assert.Equal(t, t0, s.CreatedAt)
	assert.Equal(t, t0, s.UpdatedAt)
	assert.Zero(t, s.Version)
	assert.Nil(t, s.DeliveredAt)
	assert.Empty(t, s.Events)

	bad := shipping.Label{Cost: money.MustParse("-1", "EUR")}
	_, err := shipping.New(uuid.Nil, " ", uuid.Nil, uuid.Nil, bad, time.Time{})
	require.ErrorIs(t, err, shipping.ErrInvalidInput)
	var ve *fielderr.Error
	require.ErrorAs(t, err, &ve)
	for _, f := range []string{"id", "tenant", "order_id", "fulfillment_id", "label.carrier", "label.tracking_number", "label.cost", "now"} {
		assert.True(t, ve.Has(f), "missing %s in %v", f, err)
	}
	assert.Len(t, ve.Fields, 8)
}

func TestTransitions(t *testing.T) {
	t.Parallel()
	legal := map[shipping.Status]map[shipping.Event]shipping.Status{
		shipping.StatusLabelPurchased: {shipping.EventTransit: shipping.StatusInTransit, shipping.EventException: shipping.StatusException, shipping.EventVoid: shipping.StatusVoided},
		shipping.StatusInTransit:      {shipping.EventOutForDelivery: shipping.StatusOutForDelivery, shipping.EventDeliver: shipping.StatusDelivered, shipping.EventException: shipping.StatusException},
		shipping.StatusOutForDelivery: {shipping.EventDeliver: shipping.StatusDelivered, shipping.EventException: shipping.StatusException},
		shipping.StatusException:      {shipping.EventOutForDelivery: shipping.StatusOutForDelivery, shipping.EventDeliver: shipping.StatusDelivered, shipping.EventRecover: shipping.StatusInTransit},
		shipping.StatusDelivered:      {},
		shipping.StatusVoided:         {},
	}
	events := []shipping.Event{shipping.EventTransit, shipping.EventOutForDelivery, shipping.EventDeliver, shipping.EventException, shipping.EventRecover, shipping.EventVoid}
	for from, moves := range legal {
		for _, ev := range events {
			want, ok := moves[ev]
			t.Run(string(from)+"/"+string(ev), func(t *testing.T) {
				t.Parallel()
				s := newShipment(t)
				s.Status = from // test setup: place the aggregate in a state
				assert.Equal(t, ok, s.Can(ev))
				_, allowed := moves[ev]
				assert.Equal(t, allowed, contains(s.AllowedEvents(), ev))
				if ev != shipping.EventVoid {
					return
				}
				err := s.Void(context.Background(), t0.Add(time.Hour))
				if !ok {
					require.ErrorIs(t, err, shipping.ErrInvalidTransition)
					var te *shipping.TransitionError
					require.ErrorAs(t, err, &te)
					assert.Equal(t, from, te.From)
					assert.Equal(t, shipping.EventVoid, te.Event)
					assert.Equal(t, from, s.Status)
					return
				}
				require.NoError(t, err)
				assert.Equal(t, want, s.Status)
				assert.Equal(t, t0.Add(time.Hour), s.UpdatedAt)
			})
		}
	}
}

func contains(evs []shipping.Event, ev shipping.Event) bool {
	for _, e := range evs {
		if e == ev {
			return true
		}
	}
	return false
}

func TestAllowedEventsSorted(t *testing.T) {
	t.Parallel()
	s := newShipment(t)
	assert.Equal(t, []shipping.Event{shipping.EventException, shipping.EventTransit, shipping.EventVoid}, s.AllowedEvents())
}

func TestDiagram(t *testing.T) {
	t.Parallel()
	const want = `stateDiagram-v2
    [*] --> label_purchased
    exception --> delivered: deliver
    exception --> out_for_delivery: out_for_delivery
    exception --> in_transit: recover
    in_transit --> delivered: deliver
    in_transit --> exception: exception
    in_transit --> out_for_delivery: out_for_delivery
    label_purchased --> exception: exception
    label_purchased --> in_transit: transit
    label_purchased --> voided: void
    out_for_delivery --> delivered: deliver
    out_for_delivery --> exception: exception
`
	assert.Equal(t, want, shipping.Diagram())
}

func TestVoidZeroTime(t *testing.T) {
	t.Parallel()
	s := newShipment(t)
	before := s.Clone()
	require.ErrorIs(t, s.Void(context.Background(), time.Time{}), shipping.ErrInvalidInput)
	assert.Equal(t, before, s)
}

func TestApplyTracking(t *testing.T) {
	t.Parallel()
	p := progression()
	exc := shipping.TrackingEvent{Status: shipping.TrackingException, Description: "Damaged", Location: "Lyon", At: t0.Add(24 * time.Hour)}
	backInTransit := shipping.TrackingEvent{Status: shipping.TrackingInTransit, Description: "Repacked", Location: "Lyon", At: t0.Add(36 * time.Hour)}
	tests := []struct {
		name      string
		from      shipping.Status
		infos     []shipping.TrackingInfo
		want      shipping.Status
		events    int
		delivered bool
	}{
		{"label created changes nothing but the history", shipping.StatusLabelPurchased, []shipping.TrackingInfo{snapshot(p, 1)}, shipping.StatusLabelPurchased, 1, false},
		{"in transit", shipping.StatusLabelPurchased, []shipping.TrackingInfo{snapshot(p, 2)}, shipping.StatusInTransit, 2, false},
		{"step by step", shipping.StatusLabelPurchased, []shipping.TrackingInfo{snapshot(p, 1), snapshot(p, 2), snapshot(p, 3), snapshot(p, 4)}, shipping.StatusDelivered, 4, true},
		{"jump to delivered", shipping.StatusLabelPurchased, []shipping.TrackingInfo{snapshot(p, 4)}, shipping.StatusDelivered, 4, true},
		{"jump to out for delivery", shipping.StatusLabelPurchased, []shipping.TrackingInfo{snapshot(p, 3)}, shipping.StatusOutForDelivery, 3, false},
		{"stale report after delivery", shipping.StatusLabelPurchased, []shipping.TrackingInfo{snapshot(p, 4), snapshot(p, 2)}, shipping.StatusDelivered, 4, true},
		{"exception", shipping.StatusLabelPurchased, []shipping.TrackingInfo{{TrackingNumber: "SANDBOX-1", Events: []shipping.TrackingEvent{p[0], p[1], exc}}}, shipping.StatusException, 3, false},
		{"recover", shipping.StatusLabelPurchased, []shipping.TrackingInfo{{TrackingNumber: "SANDBOX-1", Events: []shipping.TrackingEvent{p[0], p[1], exc}}, {TrackingNumber: "SANDBOX-1", Events: []shipping.TrackingEvent{p[0], p[1], exc, backInTransit}}}, shipping.StatusInTransit, 4, false},
		{"exception straight from label", shipping.StatusLabelPurchased, []shipping.TrackingInfo{{TrackingNumber: "SANDBOX-1", Events: []shipping.TrackingEvent{p[0], exc}}}, shipping.StatusException, 2, false},
		{"delivered after exception", shipping.StatusException, []shipping.TrackingInfo{snapshot(p, 4)}, shipping.StatusDelivered, 4, true},
		{"back to in transit from out for delivery is recorded only", shipping.StatusOutForDelivery, []shipping.TrackingInfo{{TrackingNumber: "SANDBOX-1", Events: []shipping.TrackingEvent{{Status: shipping.TrackingInTransit, At: p[3].At.Add(time.Hour)}}}}, shipping.StatusOutForDelivery, 1, false},
		{"status without events", shipping.StatusLabelPurchased, []shipping.TrackingInfo{{TrackingNumber: "SANDBOX-1", Status: shipping.TrackingInTransit}}, shipping.StatusInTransit, 0, false},
		{"voided label with creation only", shipping.StatusVoided, []shipping.TrackingInfo{snapshot(p, 1)}, shipping.StatusVoided, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newShipment(t)
			s.Status = tt.from // test setup
			for i, info := range tt.infos {
				_, err := s.ApplyTracking(context.Background(), info, t0.Add(time.Duration(i+1)*time.Hour))
				require.NoError(t, err)
			}
			assert.Equal(t, tt.want, s.Status)
			assert.Len(t, s.Events, tt.events)
			for i := 1; i < len(s.Events); i++ {
				assert.False(t, s.Events[i].At.Before(s.Events[i-1].At), "events out of order")
			}
			if tt.delivered {
				require.NotNil(t, s.DeliveredAt)
				assert.Equal(t, p[3].At, *s.DeliveredAt)
			} else {
				assert.Nil(t, s.DeliveredAt)
			}
		})
	}
}

func TestApplyTrackingChanged(t *testing.T) {
	t.Parallel()
	p := progression()
	s := newShipment(t)
	ctx := context.Background()
	changed, err := s.ApplyTracking(ctx, snapshot(p, 2), t0.Add(13*time.Hour))
	require.NoError(t, err)
	assert.True(t, changed)
	assert.Equal(t, t0.Add(13*time.Hour), s.UpdatedAt)

	changed, err = s.ApplyTracking(ctx, snapshot(p, 2), t0.Add(14*time.Hour))
	require.NoError(t, err)
	assert.False(t, changed, "the same report twice changes nothing")
	assert.Equal(t, t0.Add(13*time.Hour), s.UpdatedAt)

	late := snapshot(p, 2)
	late.EstimatedDelivery = late.EstimatedDelivery.Add(24 * time.Hour)
	changed, err = s.ApplyTracking(ctx, late, t0.Add(15*time.Hour))
	require.NoError(t, err)
	assert.True(t, changed, "a new estimate is a change")
	assert.Equal(t, late.EstimatedDelivery, s.EstimatedDelivery)

	stale := snapshot(p, 1)
	stale.EstimatedDelivery = t0
	changed, err = s.ApplyTracking(ctx, stale, t0.Add(16*time.Hour))
	require.NoError(t, err)
	assert.False(t, changed, "a stale report's estimate is ignored")
	assert.Equal(t, late.EstimatedDelivery, s.EstimatedDelivery)
}

func TestApplyTrackingErrorsLeaveShipmentUnchanged(t *testing.T) {
	t.Parallel()
	p := progression()
	tests := []struct {
		name  string
		from  shipping.Status
		info  shipping.TrackingInfo
		now   time.Time
		want  error
		field string
	}{
		{"other tracking number", shipping.StatusLabelPurchased, shipping.TrackingInfo{TrackingNumber: "SANDBOX-2", Events: p[:2]}, t0, shipping.ErrInvalidInput, "tracking_number"},
		{"unknown status", shipping.StatusLabelPurchased, shipping.TrackingInfo{TrackingNumber: "SANDBOX-1", Events: []shipping.TrackingEvent{{Status: "lost", At: t0}}}, t0, shipping.ErrInvalidInput, "events[0].status"},
		{"zero event time", shipping.StatusLabelPurchased, shipping.TrackingInfo{TrackingNumber: "SANDBOX-1", Events: []shipping.TrackingEvent{{Status: "in_transit"}}}, t0, shipping.ErrInvalidInput, "events[0].at"},
		{"bad info status", shipping.StatusLabelPurchased, shipping.TrackingInfo{TrackingNumber: "SANDBOX-1", Status: "gone"}, t0, shipping.ErrInvalidInput, "status"},
		{"zero now", shipping.StatusLabelPurchased, snapshot(p, 2), time.Time{}, shipping.ErrInvalidInput, "now"},
		{"voided yet moving", shipping.StatusVoided, snapshot(p, 2), t0, shipping.ErrInvalidTransition, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newShipment(t)
			s.Status = tt.from // test setup
			_, err := s.ApplyTracking(context.Background(), snapshot(p, 1), t0)
			require.NoError(t, err)
			before := s.Clone()
			changed, err := s.ApplyTracking(context.Background(), tt.info, tt.now)
			require.ErrorIs(t, err, tt.want)
			assert.False(t, changed)
			assert.Equal(t, before, s)
			if tt.field != "" {
				var ve *fielderr.Error
				require.ErrorAs(t, err, &ve)
				assert.True(t, ve.Has(tt.field), "%v", err)
			}
		})
	}
}

func TestClone(t *testing.T) {
	t.Parallel()
	s := newShipment(t)
	_, err := s.ApplyTracking(context.Background(), snapshot(progression(), 4), t0.Add(time.Hour))
	require.NoError(t, err)
	c := s.Clone()
	require.Equal(t, s, c)
	c.Events[0].Description = "changed"
	c.Events = append(c.Events, shipping.TrackingEvent{})
	*c.DeliveredAt = t0
	c.Status = shipping.StatusException
	assert.Equal(t, "Shipping label created", s.Events[0].Description)
	assert.Len(t, s.Events, 4)
	assert.Equal(t, progression()[3].At, *s.DeliveredAt)
	assert.Equal(t, shipping.StatusDelivered, s.Status)

	fresh := newShipment(t)
	assert.Nil(t, fresh.Clone().DeliveredAt)
}

// TestApplyTrackingProperty applies snapshots of a real progression in any
// order, with repeats: the shipment never errors, ends delivered and holds
// each event once.
func TestApplyTrackingProperty(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(rt *rapid.T) {
		p := progression()
		if rapid.Bool().Draw(rt, "withException") {
			// A real exception-then-recovery progression.
			p = []shipping.TrackingEvent{p[0], p[1],
				{Status: shipping.TrackingException, Description: "Weather delay", At: t0.Add(30 * time.Hour)},
				{Status: shipping.TrackingInTransit, Description: "Resumed", At: t0.Add(40 * time.Hour)},
				p[2], p[3]}
		}
		order := rapid.SliceOfN(rapid.IntRange(1, len(p)), 0, 12).Draw(rt, "snapshots")
		order = append(order, len(p)) // the final report arrives at some point
		perm := rapid.Permutation(order).Draw(rt, "order")
		s := newShipment(rt)
		for i, n := range perm {
			_, err := s.ApplyTracking(context.Background(), snapshot(p, n), t0.Add(time.Duration(i+1)*time.Minute))
			if err != nil {
				rt.Fatalf("apply snapshot %d: %v", n, err)
			}
		}
		if s.Status != shipping.StatusDelivered {
			rt.Fatalf("status %s, want delivered", s.Status)
		}
		if len(s.Events) != len(p) {
			rt.Fatalf("%d events, want %d", len(s.Events), len(p))
		}
		for i := range p {
			if s.Events[i].Status != p[i].Status || !s.Events[i].At.Equal(p[i].At) {
				rt.Fatalf("event %d is %v, want %v", i, s.Events[i], p[i])
			}
		}
		if s.DeliveredAt == nil || !s.DeliveredAt.Equal(p[len(p)-1].At) {
			rt.Fatalf("DeliveredAt %v", s.DeliveredAt)
		}
	})
}

// FuzzApplyTracking feeds arbitrary tracking reports to a shipment: it never
// fails on valid statuses, keeps its history sorted and unique, and once
// delivered stays delivered.
func FuzzApplyTracking(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3})
	f.Add([]byte{4, 1, 4, 2, 3, 0})
	f.Add([]byte{3, 3, 1, 0})
	statuses := []shipping.TrackingStatus{shipping.TrackingLabelCreated, shipping.TrackingInTransit,
		shipping.TrackingOutForDelivery, shipping.TrackingDelivered, shipping.TrackingException}
	f.Fuzz(func(t *testing.T, data []byte) {
		s := newShipment(t)
		delivered := false
		for i, b := range data {
			ev := shipping.TrackingEvent{Status: statuses[int(b)%len(statuses)], At: t0.Add(time.Duration(b/5) * time.Hour)}
			_, err := s.ApplyTracking(context.Background(), shipping.TrackingInfo{TrackingNumber: "SANDBOX-1", Events: []shipping.TrackingEvent{ev}}, t0.Add(time.Duration(i+1)*time.Minute))
			require.NoError(t, err)
			if delivered {
				require.Equal(t, shipping.StatusDelivered, s.Status)
			}
			delivered = s.Status == shipping.StatusDelivered
			require.NotEqual(t, shipping.StatusVoided, s.Status)
			for j := 1; j < len(s.Events); j++ {
				require.False(t, s.Events[j].At.Before(s.Events[j-1].At))
				require.False(t, s.Events[j].At.Equal(s.Events[j-1].At) && s.Events[j].Status == s.Events[j-1].Status, "duplicate event")
			}
		}
	})
}
