package order_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/order"
)

var update = flag.Bool("update", false, "rewrite golden files")

// legal is every allowed (status, event) move and where it leads.
var legal = map[order.Status]map[order.Event]order.Status{
	order.StatusPending: {
		order.EventConfirm: order.StatusConfirmed,
		order.EventCancel:  order.StatusCancelled,
	},
	order.StatusConfirmed: {
		order.EventHold: order.StatusOnHold, order.EventProcess: order.StatusProcessing,
		order.EventShipPartial: order.StatusPartiallyShipped, order.EventShip: order.StatusShipped,
		order.EventCancel: order.StatusCancelled,
	},
	order.StatusOnHold: {
		order.EventRelease: order.StatusConfirmed, order.EventCancel: order.StatusCancelled,
	},
	order.StatusProcessing: {
		order.EventHold: order.StatusOnHold, order.EventShipPartial: order.StatusPartiallyShipped,
		order.EventShip: order.StatusShipped, order.EventCancel: order.StatusCancelled,
	},
	order.StatusPartiallyShipped: {
		order.EventShipPartial: order.StatusPartiallyShipped, order.EventShip: order.StatusShipped,
	},
	order.StatusShipped: {order.EventDeliver: order.StatusDelivered},
	order.StatusDelivered: {
		order.EventComplete: order.StatusCompleted, order.EventReturnPartial: order.StatusPartiallyReturned,
		order.EventReturn: order.StatusReturned,
	},
	order.StatusPartiallyReturned: {
		order.EventComplete: order.StatusCompleted, order.EventReturnPartial: order.StatusPartiallyReturned,
		order.EventReturn: order.StatusReturned,
	},
	order.StatusReturned:  {order.EventComplete: order.StatusCompleted},
	order.StatusCompleted: {},
	order.StatusCancelled: {},
}

// TestTransitionsTable checks every (status, event) pair against the legal
// moves: the table allows exactly those, and nothing else.
func TestTransitionsTable(t *testing.T) {
	t.Parallel()
	require.Len(t, legal, len(order.Statuses()))
	for _, from := range order.Statuses() {
		for _, ev := range order.Events() {
			to, ok := legal[from][ev]
			t.Run(string(from)+"/"+string(ev), func(t *testing.T) {
				t.Parallel()
				// Reconstruct the looplab answer from the exported table.
				var got order.Status
				found := false
				for _, e := range order.Transitions() {
					if e.Name == string(ev) && slices.Contains(e.Src, string(from)) {
						got, found = order.Status(e.Dst), true
					}
				}
				assert.Equal(t, ok, found, "allowed")
				if ok {
					assert.Equal(t, to, got)
				}
			})
		}
	}
	for _, e := range order.Transitions() {
		assert.True(t, order.Status(e.Dst).Valid(), "dst %s", e.Dst)
		for _, s := range e.Src {
			assert.True(t, order.Status(s).Valid(), "src %s", s)
		}
	}
}

func TestCanAndAllowedEvents(t *testing.T) {
	t.Parallel()
	for _, s := range order.Statuses() {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			o := orderIn(t, s)
			var want []order.Event
			for ev := range legal[s] {
				want = append(want, ev)
			}
			slices.Sort(want)
			got := o.AllowedEvents()
			if len(want) == 0 {
				assert.Empty(t, got)
			} else {
				assert.Equal(t, want, got)
			}
			for _, ev := range order.Events() {
				_, ok := legal[s][ev]
				assert.Equal(t, ok, o.Can(ev), "Can(%s)", ev)
			}
		})
	}
}

func TestStatusValid(t *testing.T) {
	t.Parallel()
	assert.True(t, order.StatusOnHold.Valid())
	assert.False(t, order.Status("on-hold").Valid())
	assert.False(t, order.Status("").Valid())
}

func TestDiagramGolden(t *testing.T) {
	t.Parallel()
	got := order.Diagram()
	path := filepath.Join("testdata", "diagram.mmd")
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create it")
	assert.Equal(t, string(want), got)
	assert.True(t, strings.HasPrefix(got, "stateDiagram-v2\n    [*] --> pending\n"))
	assert.Contains(t, got, "on_hold --> confirmed: release")
}

// TestMethodsFollowTheMachine fires every method from every status and
// checks it succeeds exactly when the machine allows it, and that a refusal
// is a *TransitionError that changes nothing.
func TestMethodsFollowTheMachine(t *testing.T) {
	t.Parallel()
	now := t0.Add(48 * time.Hour)
	type call struct {
		ev  order.Event
		run func(o *order.Order) error
	}
	calls := []call{
		{order.EventConfirm, func(o *order.Order) error { return o.Confirm(ctx, now) }},
		{order.EventHold, func(o *order.Order) error { return o.Hold(ctx, "address check", now) }},
		{order.EventRelease, func(o *order.Order) error { return o.Release(ctx, now) }},
		{order.EventProcess, func(o *order.Order) error { return o.StartProcessing(ctx, now) }},
		{order.EventCancel, func(o *order.Order) error { return o.Cancel(ctx, "changed mind", now) }},
		{order.EventDeliver, func(o *order.Order) error { return o.MarkDelivered(ctx, now) }},
		{order.EventComplete, func(o *order.Order) error { return o.Complete(ctx, now) }},
		{order.EventShipPartial, func(o *order.Order) error {
			return o.RecordShipment(ctx, map[uuid.UUID]int64{o.Lines[1].ID: 1}, now)
		}},
		{order.EventReturnPartial, func(o *order.Order) error {
			return o.RecordReturn(ctx, map[uuid.UUID]int64{o.Lines[1].ID: 1}, now)
		}},
	}
	for _, s := range order.Statuses() {
		for _, c := range calls {
			t.Run(string(s)+"/"+string(c.ev), func(t *testing.T) {
				t.Parallel()
				o := orderIn(t, s)
				want, ok := legal[s][c.ev]
				if !ok {
					err := requireUnchanged(t, o, func() error { return c.run(o) })
					require.ErrorIs(t, err, order.ErrInvalidTransition)
					var te *order.TransitionError
					require.ErrorAs(t, err, &te)
					assert.Equal(t, s, te.From)
					switch c.ev {
					case order.EventShipPartial: // the event depends on what is left to ship
						assert.Contains(t, []order.Event{order.EventShip, order.EventShipPartial}, te.Event)
					case order.EventReturnPartial:
						assert.Contains(t, []order.Event{order.EventReturn, order.EventReturnPartial}, te.Event)
					default:
						assert.Equal(t, c.ev, te.Event)
					}
					assert.Equal(t, o.AllowedEvents(), te.Allowed)
					return
				}
				require.NoError(t, c.run(o))
				assert.Equal(t, want, o.Status)
				assert.Equal(t, now, o.UpdatedAt)
			})
		}
	}
}

func TestHoldAndRelease(t *testing.T) {
	t.Parallel()
	for _, from := range []order.Status{order.StatusConfirmed, order.StatusProcessing} {
		t.Run(string(from), func(t *testing.T) {
			t.Parallel()
			o := orderIn(t, from)
			err := requireUnchanged(t, o, func() error { return o.Hold(ctx, "  ", t0) })
			requireFields(t, err, "reason")

			require.NoError(t, o.Hold(ctx, "fraud review", t0.Add(time.Minute)))
			assert.Equal(t, order.StatusOnHold, o.Status)
			assert.Equal(t, "fraud review", o.HoldReason)

			err = requireUnchanged(t, o, func() error { return o.Hold(ctx, "again", t0) })
			require.ErrorIs(t, err, order.ErrInvalidTransition)

			require.NoError(t, o.Release(ctx, t0.Add(2*time.Minute)))
			assert.Equal(t, order.StatusConfirmed, o.Status, "release always returns to confirmed")
			assert.Empty(t, o.HoldReason)
			assert.Equal(t, t0.Add(2*time.Minute), o.UpdatedAt)
		})
	}
}

func TestCancel(t *testing.T) {
	t.Parallel()
	o := orderIn(t, order.StatusOnHold)
	err := requireUnchanged(t, o, func() error { return o.Cancel(ctx, "", t0) })
	requireFields(t, err, "reason")
	require.NoError(t, o.Cancel(ctx, "out of stock", t0.Add(time.Hour)))
	assert.Equal(t, order.StatusCancelled, o.Status)
	assert.Equal(t, "out of stock", o.CancelReason)
	assert.Empty(t, o.HoldReason)

	for _, s := range []order.Status{order.StatusPartiallyShipped, order.StatusShipped, order.StatusDelivered} {
		o := orderIn(t, s)
		err := requireUnchanged(t, o, func() error { return o.Cancel(ctx, "too late", t0) })
		require.ErrorIs(t, err, order.ErrInvalidTransition, "cancel after shipment from %s", s)
	}
}

func TestCancelledContextStillFires(t *testing.T) {
	t.Parallel()
	o := newOrder(t)
	c, cancel := context.WithCancel(ctx)
	cancel()
	require.NoError(t, o.Confirm(c, t0))
	assert.Equal(t, order.StatusConfirmed, o.Status)
}

func TestRecordShipment(t *testing.T) {
	t.Parallel()
	o := orderIn(t, order.StatusProcessing)
	tee, mug := o.Lines[0].ID, o.Lines[1].ID

	require.NoError(t, o.RecordShipment(ctx, map[uuid.UUID]int64{tee: 1}, t0.Add(time.Hour)))
	assert.Equal(t, order.StatusPartiallyShipped, o.Status)
	assert.Equal(t, int64(1), o.Lines[0].Shipped)
	assert.Equal(t, order.FulfillmentSummary{Status: order.FulfillmentPartiallyFulfilled, Ordered: 3, Shipped: 1}, o.Fulfillment)

	require.NoError(t, o.RecordShipment(ctx, map[uuid.UUID]int64{mug: 1}, t0.Add(2*time.Hour)))
	assert.Equal(t, order.StatusPartiallyShipped, o.Status)
	assert.Equal(t, int64(2), o.Fulfillment.Shipped)

	require.NoError(t, o.RecordShipment(ctx, map[uuid.UUID]int64{tee: 1}, t0.Add(3*time.Hour)))
	assert.Equal(t, order.StatusShipped, o.Status)
	assert.Equal(t, []int64{2, 1}, []int64{o.Lines[0].Shipped, o.Lines[1].Shipped})
	assert.Equal(t, order.FulfillmentSummary{Status: order.FulfillmentFulfilled, Ordered: 3, Shipped: 3}, o.Fulfillment)
	assert.Equal(t, t0.Add(3*time.Hour), o.UpdatedAt)
}

func TestRecordShipmentAllAtOnce(t *testing.T) {
	t.Parallel()
	o := orderIn(t, order.StatusConfirmed)
	require.NoError(t, o.RecordShipment(ctx, all(o, false), t0))
	assert.Equal(t, order.StatusShipped, o.Status)
}

func TestRecordShipmentRejects(t *testing.T) {
	t.Parallel()
	base := orderIn(t, order.StatusPartiallyShipped) // line 0 has 1 of 2 shipped
	tee, mug := base.Lines[0].ID, base.Lines[1].ID
	tests := []struct {
		name    string
		shipped map[uuid.UUID]int64
		is      error
		fields  []string
	}{
		{"empty", map[uuid.UUID]int64{}, order.ErrInvalidOrder, []string{"shipped"}},
		{"zero units", map[uuid.UUID]int64{tee: 0}, order.ErrInvalidOrder, []string{"shipped[" + tee.String() + "]"}},
		{"negative units", map[uuid.UUID]int64{tee: -1, mug: 1}, order.ErrInvalidOrder, []string{"shipped[" + tee.String() + "]"}},
		{"unknown line", map[uuid.UUID]int64{orderID(99): 1}, order.ErrUnknownLine, nil},
		{"unknown line among known", map[uuid.UUID]int64{mug: 1, orderID(99): 1}, order.ErrUnknownLine, nil},
		{"more than ordered", map[uuid.UUID]int64{tee: 2}, order.ErrQuantityExceeded, nil},
		{"exceeded after a valid line", map[uuid.UUID]int64{mug: 1, tee: 5}, order.ErrQuantityExceeded, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := base.Clone()
			err := requireUnchanged(t, o, func() error { return o.RecordShipment(ctx, tt.shipped, t0.Add(time.Hour)) })
			require.ErrorIs(t, err, tt.is)
			if tt.fields != nil {
				requireFields(t, err, tt.fields...)
			}
		})
	}

	o := base.Clone()
	err := requireUnchanged(t, o, func() error { return o.RecordShipment(ctx, map[uuid.UUID]int64{tee: 3}, t0) })
	var qe *order.QuantityError
	require.ErrorAs(t, err, &qe)
	assert.Equal(t, order.QuantityError{Line: tee, SKU: "TEE-M", Op: "ship", Requested: 4, Available: 2}, *qe)
	assert.Equal(t, "order: ship 4 units of line "+tee.String()+" (TEE-M): only 2 available", err.Error())

	o = orderIn(t, order.StatusPending)
	err = requireUnchanged(t, o, func() error { return o.RecordShipment(ctx, all(o, false), t0) })
	require.ErrorIs(t, err, order.ErrInvalidTransition)
}

func TestMarkDelivered(t *testing.T) {
	t.Parallel()
	o := orderIn(t, order.StatusShipped)
	at := t0.Add(72 * time.Hour)
	require.NoError(t, o.MarkDelivered(ctx, at))
	assert.Equal(t, order.StatusDelivered, o.Status)
	require.NotNil(t, o.DeliveredAt)
	assert.Equal(t, at, *o.DeliveredAt)
	assert.Equal(t, at, o.UpdatedAt)
}

func TestRecordReturn(t *testing.T) {
	t.Parallel()
	o := orderIn(t, order.StatusDelivered)
	tee, mug := o.Lines[0].ID, o.Lines[1].ID

	err := requireUnchanged(t, o, func() error { return o.RecordReturn(ctx, map[uuid.UUID]int64{tee: 3}, t0) })
	var qe *order.QuantityError
	require.ErrorAs(t, err, &qe)
	assert.Equal(t, "return", qe.Op)
	assert.Equal(t, int64(2), qe.Available)

	err = requireUnchanged(t, o, func() error { return o.RecordReturn(ctx, map[uuid.UUID]int64{orderID(5): 1}, t0) })
	require.ErrorIs(t, err, order.ErrUnknownLine)
	err = requireUnchanged(t, o, func() error { return o.RecordReturn(ctx, map[uuid.UUID]int64{mug: 0}, t0) })
	requireFields(t, err, "returned["+mug.String()+"]")

	require.NoError(t, o.RecordReturn(ctx, map[uuid.UUID]int64{tee: 1}, t0.Add(time.Hour)))
	assert.Equal(t, order.StatusPartiallyReturned, o.Status)
	assert.Equal(t, int64(1), o.Fulfillment.Returned)
	assert.Equal(t, order.FulfillmentFulfilled, o.Fulfillment.Status)

	require.NoError(t, o.RecordReturn(ctx, map[uuid.UUID]int64{tee: 1, mug: 1}, t0.Add(2*time.Hour)))
	assert.Equal(t, order.StatusReturned, o.Status)
	assert.Equal(t, []int64{2, 1}, []int64{o.Lines[0].Returned, o.Lines[1].Returned})
	assert.Equal(t, order.FulfillmentSummary{Status: order.FulfillmentFulfilled, Ordered: 3, Shipped: 3, Returned: 3}, o.Fulfillment)

	err = requireUnchanged(t, o, func() error { return o.RecordReturn(ctx, map[uuid.UUID]int64{tee: 1}, t0) })
	require.ErrorIs(t, err, order.ErrInvalidTransition, "nothing left to return")

	require.NoError(t, o.Complete(ctx, t0.Add(3*time.Hour)))
	assert.Equal(t, order.StatusCompleted, o.Status)
}

func TestRecordReturnBeforeDelivery(t *testing.T) {
	t.Parallel()
	o := orderIn(t, order.StatusShipped)
	err := requireUnchanged(t, o, func() error { return o.RecordReturn(ctx, map[uuid.UUID]int64{o.Lines[0].ID: 1}, t0) })
	require.ErrorIs(t, err, order.ErrInvalidTransition)
}

func TestLeaveFeedback(t *testing.T) {
	t.Parallel()
	for _, s := range order.Statuses() {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			o := orderIn(t, s)
			at := t0.Add(100 * time.Hour)
			err := o.LeaveFeedback(4, "nice mug", at)
			switch s {
			case order.StatusDelivered, order.StatusCompleted, order.StatusPartiallyReturned, order.StatusReturned:
				require.NoError(t, err)
				assert.Equal(t, &order.Feedback{Rating: 4, Comment: "nice mug", At: at}, o.Feedback)
				assert.Equal(t, at, o.UpdatedAt)
				assert.Equal(t, s, o.Status, "feedback does not change the status")
				err := requireUnchanged(t, o, func() error { return o.LeaveFeedback(5, "", at) })
				require.ErrorIs(t, err, order.ErrFeedbackExists)
			default:
				o = orderIn(t, s)
				err := requireUnchanged(t, o, func() error { return o.LeaveFeedback(4, "", at) })
				require.ErrorIs(t, err, order.ErrFeedbackNotAllowed)
				var fe *order.FeedbackNotAllowedError
				require.ErrorAs(t, err, &fe)
				assert.Equal(t, s, fe.Status)
				assert.Contains(t, err.Error(), string(s))
			}
		})
	}
}

func TestLeaveFeedbackValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		rating  int
		comment string
		fields  []string
	}{
		{"rating 1", 1, "", nil},
		{"rating 5 with max comment", 5, strings.Repeat("é", order.MaxCommentRunes), nil},
		{"rating 0", 0, "", []string{"rating"}},
		{"rating 6", 6, "", []string{"rating"}},
		{"comment too long", 3, strings.Repeat("a", order.MaxCommentRunes+1), []string{"comment"}},
		{"invalid UTF-8", 3, "\xff", []string{"comment"}},
		{"NUL byte", 3, "fine\x00", []string{"comment"}},
		{"both", -1, strings.Repeat("a", order.MaxCommentRunes+1), []string{"rating", "comment"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := orderIn(t, order.StatusDelivered)
			if tt.fields == nil {
				require.NoError(t, o.LeaveFeedback(tt.rating, tt.comment, t0))
				assert.Equal(t, tt.rating, o.Feedback.Rating)
				return
			}
			err := requireUnchanged(t, o, func() error { return o.LeaveFeedback(tt.rating, tt.comment, t0) })
			requireFields(t, err, tt.fields...)
		})
	}
}
