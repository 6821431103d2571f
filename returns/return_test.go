package returns_test

import (
	"context"
	"math/big"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/ordersmith/oms/fielderr"
	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/returns"
)

var (
	t0      = time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)
	retID   = uuid.MustParse("01957a00-0000-7000-8000-000000000001")
	orderID = uuid.MustParse("01957a00-0000-7000-8000-000000000002")
	lineA   = uuid.MustParse("01957a00-0000-7000-8000-00000000000a")
	lineB   = uuid.MustParse("01957a00-0000-7000-8000-00000000000b")
	lineC   = uuid.MustParse("01957a00-0000-7000-8000-00000000000c")
)

func eur(s string) money.Money { return money.MustParse(s, "EUR") }

func requestLines() []returns.RequestLine {
	return []returns.RequestLine{
		{OrderLineID: lineA, SKU: "MUG-RED", Quantity: 3},
		{OrderLineID: lineB, SKU: "TEE-L", Quantity: 1},
	}
}

func newReturn(t require.TestingT) *returns.Return {
	r, err := returns.New(retID, "tenant-a", orderID, returns.ReasonDamaged, "two mugs arrived broken", requestLines(), t0)
	require.NoError(t, err)
	return r
}

// inStatus returns a return moved to status through the public methods.
func inStatus(t *testing.T, status returns.Status) *returns.Return {
	t.Helper()
	ctx := context.Background()
	r := newReturn(t)
	step := func(err error) { t.Helper(); require.NoError(t, err) }
	switch status {
	case returns.StatusRequested:
	case returns.StatusRejected:
		step(r.Reject(ctx, "outside policy", t0.Add(time.Hour)))
	case returns.StatusApproved:
		step(r.Approve(ctx, t0.Add(time.Hour)))
	case returns.StatusReceived:
		step(r.Approve(ctx, t0.Add(time.Hour)))
		step(r.Receive(ctx, []returns.Receipt{{OrderLineID: lineA, Quantity: 3, Resellable: 1}, {OrderLineID: lineB, Quantity: 1, Resellable: 1}}, t0.Add(2*time.Hour)))
	case returns.StatusRefunded, returns.StatusClosed:
		step(r.Approve(ctx, t0.Add(time.Hour)))
		step(r.Receive(ctx, []returns.Receipt{{OrderLineID: lineA, Quantity: 3, Resellable: 1}, {OrderLineID: lineB, Quantity: 1, Resellable: 1}}, t0.Add(2*time.Hour)))
		step(r.RecordRefund(ctx, map[uuid.UUID]money.Money{lineA: eur("30.00"), lineB: eur("19.99")}, "re_1", t0.Add(3*time.Hour)))
		if status == returns.StatusClosed {
			step(r.Close(ctx, t0.Add(4*time.Hour)))
		}
	default:
		t.Fatalf("unknown status %s", status)
	}
	require.Equal(t, status, r.Status)
	return r
}

func TestNew(t *testing.T) {
	t.Parallel()
	r := newReturn(t)
	assert.Equal(t, retID, r.ID)
	assert.Equal(t, "tenant-a", r.Tenant)
	assert.Equal(t, orderID, r.OrderID)
	assert.Equal(t, returns.StatusRequested, r.Status)
	assert.Equal(t, returns.ReasonDamaged, r.Reason)
	assert.Equal(t, "two mugs arrived broken", r.Note)
	assert.Equal(t, []returns.Line{{OrderLineID: lineA, SKU: "MUG-RED", Quantity: 3}, {OrderLineID: lineB, SKU: "TEE-L", Quantity: 1}}, r.Lines)
	assert.Equal(t, t0, r.RequestedAt)
	assert.Equal(t, t0, r.CreatedAt)
	assert.Equal(t, t0, r.UpdatedAt)
	assert.Zero(t, r.Version)
	assert.Nil(t, r.ReceivedAt)
	assert.Nil(t, r.RefundedAt)
	assert.Equal(t, map[uuid.UUID]int64{lineA: 3, lineB: 1}, r.Quantities())
	assert.Empty(t, r.Restock())
}

func TestNewValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		id     uuid.UUID
		tenant string
		order  uuid.UUID
		reason returns.Reason
		lines  []returns.RequestLine
		now    time.Time
		fields []string
	}{
		{"no lines", retID, "t", orderID, returns.ReasonOther, nil, t0, []string{"lines"}},
		{"unknown reason", retID, "t", orderID, "bored", requestLines(), t0, []string{"reason"}},
		{"zero quantity", retID, "t", orderID, returns.ReasonOther, []returns.RequestLine{{OrderLineID: lineA, SKU: "X", Quantity: 0}}, t0, []string{"lines[0].quantity"}},
		{"negative quantity", retID, "t", orderID, returns.ReasonOther, []returns.RequestLine{{OrderLineID: lineA, SKU: "X", Quantity: -2}}, t0, []string{"lines[0].quantity"}},
		{"duplicate line", retID, "t", orderID, returns.ReasonOther, []returns.RequestLine{{OrderLineID: lineA, SKU: "X", Quantity: 1}, {OrderLineID: lineA, SKU: "X", Quantity: 1}}, t0, []string{"lines[1].order_line_id"}},
		{"nil line and no SKU", retID, "t", orderID, returns.ReasonOther, []returns.RequestLine{{Quantity: 1}}, t0, []string{"lines[0].order_line_id", "lines[0].sku"}},
		{"everything", uuid.Nil, " ", uuid.Nil, "", nil, time.Time{}, []string{"id", "tenant", "order_id", "reason", "lines", "now"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := returns.New(tt.id, tt.tenant, tt.order, tt.reason, "", tt.lines, tt.now)
			require.ErrorIs(t, err, returns.ErrInvalidInput)
			assert.Nil(t, r)
			var ve *fielderr.Error
			require.ErrorAs(t, err, &ve)
			for _, f := range tt.fields {
				assert.True(t, ve.Has(f), "want %s in %v", f, err)
			}
			assert.Len(t, ve.Fields, len(tt.fields), "%v", err)
		})
	}
}

func TestReasons(t *testing.T) {
	t.Parallel()
	for _, r := range []returns.Reason{returns.ReasonDamaged, returns.ReasonWrongItem, returns.ReasonNotAsDescribed, returns.ReasonNoLongerNeeded, returns.ReasonOther} {
		assert.True(t, r.Valid(), r)
	}
	assert.False(t, returns.Reason("Damaged").Valid())
	assert.False(t, returns.Reason("").Valid())
}

func TestTransitions(t *testing.T) {
	t.Parallel()
	statuses := []returns.Status{returns.StatusRequested, returns.StatusApproved, returns.StatusRejected, returns.StatusReceived, returns.StatusRefunded, returns.StatusClosed}
	legal := map[returns.Status]map[returns.Event]returns.Status{
		returns.StatusRequested: {returns.EventApprove: returns.StatusApproved, returns.EventReject: returns.StatusRejected},
		returns.StatusApproved:  {returns.EventReceive: returns.StatusReceived},
		returns.StatusReceived:  {returns.EventRefund: returns.StatusRefunded},
		returns.StatusRefunded:  {returns.EventClose: returns.StatusClosed},
		returns.StatusRejected:  {returns.EventClose: returns.StatusClosed},
		returns.StatusClosed:    {},
	}
	ctx := context.Background()
	later := t0.Add(24 * time.Hour)
	fire := map[returns.Event]func(r *returns.Return) error{
		returns.EventApprove: func(r *returns.Return) error { return r.Approve(ctx, later) },
		returns.EventReject:  func(r *returns.Return) error { return r.Reject(ctx, "no", later) },
		returns.EventReceive: func(r *returns.Return) error { return r.Receive(ctx, nil, later) },
		returns.EventRefund: func(r *returns.Return) error {
			return r.RecordRefund(ctx, map[uuid.UUID]money.Money{lineA: eur("0")}, "", later)
		},
		returns.EventClose: func(r *returns.Return) error { return r.Close(ctx, later) },
	}
	for _, from := range statuses {
		for _, ev := range []returns.Event{returns.EventApprove, returns.EventReject, returns.EventReceive, returns.EventRefund, returns.EventClose} {
			want, ok := legal[from][ev]
			t.Run(string(from)+"/"+string(ev), func(t *testing.T) {
				t.Parallel()
				r := inStatus(t, from)
				assert.Equal(t, ok, r.Can(ev))
				assert.Equal(t, ok, containsEvent(r.AllowedEvents(), ev))
				before := r.Clone()
				err := fire[ev](r)
				if !ok {
					require.ErrorIs(t, err, returns.ErrInvalidTransition)
					var te *returns.TransitionError
					require.ErrorAs(t, err, &te)
					assert.Equal(t, from, te.From)
					assert.Equal(t, ev, te.Event)
					assert.Equal(t, before, r, "a refused event changes nothing")
					return
				}
				require.NoError(t, err)
				assert.Equal(t, want, r.Status)
				assert.Equal(t, later, r.UpdatedAt)
			})
		}
	}
}

func containsEvent(evs []returns.Event, ev returns.Event) bool {
	for _, e := range evs {
		if e == ev {
			return true
		}
	}
	return false
}

func TestDiagram(t *testing.T) {
	t.Parallel()
	const want = `stateDiagram-v2
    [*] --> requested
    approved --> received: receive
    received --> refunded: refund
    refunded --> closed: close
    rejected --> closed: close
    requested --> approved: approve
    requested --> rejected: reject
`
	assert.Equal(t, want, returns.Diagram())
}

func TestReject(t *testing.T) {
	t.Parallel()
	r := newReturn(t)
	before := r.Clone()
	require.ErrorIs(t, r.Reject(context.Background(), "  ", t0), returns.ErrInvalidInput)
	require.ErrorIs(t, r.Approve(context.Background(), time.Time{}), returns.ErrInvalidInput)
	assert.Equal(t, before, r)
	require.NoError(t, r.Reject(context.Background(), "worn", t0.Add(time.Hour)))
	assert.Equal(t, "worn", r.RejectReason)
	assert.Equal(t, returns.StatusRejected, r.Status)
}

func TestPolicy(t *testing.T) {
	t.Parallel()
	delivered := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		policy    returns.Policy
		delivered *time.Time
		now       time.Time
		want      error
		deadline  time.Time
	}{
		{"not delivered", returns.Policy{}, nil, t0, returns.ErrNotDelivered, time.Time{}},
		{"same day", returns.Policy{}, &delivered, delivered, nil, time.Time{}},
		{"default window, last moment", returns.Policy{}, &delivered, delivered.Add(30 * 24 * time.Hour), nil, time.Time{}},
		{"default window closed", returns.Policy{}, &delivered, delivered.Add(30*24*time.Hour + time.Second), returns.ErrWindowClosed, delivered.Add(30 * 24 * time.Hour)},
		{"14-day window", returns.Policy{Window: 14 * 24 * time.Hour}, &delivered, delivered.Add(15 * 24 * time.Hour), returns.ErrWindowClosed, delivered.Add(14 * 24 * time.Hour)},
		{"long window", returns.Policy{Window: 90 * 24 * time.Hour}, &delivered, delivered.Add(60 * 24 * time.Hour), nil, time.Time{}},
		{"negative window is the default", returns.Policy{Window: -time.Hour}, &delivered, delivered.Add(29 * 24 * time.Hour), nil, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.policy.Check(tt.delivered, tt.now)
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.want)
			if tt.want == returns.ErrWindowClosed {
				var we *returns.WindowError
				require.ErrorAs(t, err, &we)
				assert.Equal(t, delivered, we.DeliveredAt)
				assert.Equal(t, tt.deadline, we.Deadline)
			}
		})
	}
	assert.Equal(t, 30*24*time.Hour, returns.DefaultWindow)
	assert.Equal(t, delivered.Add(returns.DefaultWindow), returns.Policy{}.Deadline(delivered))
}

func TestReceive(t *testing.T) {
	t.Parallel()
	r := inStatus(t, returns.StatusApproved)
	at := t0.Add(48 * time.Hour)
	require.NoError(t, r.Receive(context.Background(), []returns.Receipt{{OrderLineID: lineA, Quantity: 2, Resellable: 1}}, at))
	assert.Equal(t, returns.StatusReceived, r.Status)
	assert.Equal(t, int64(2), r.Lines[0].Received)
	assert.Equal(t, int64(1), r.Lines[0].Resellable)
	assert.Equal(t, int64(0), r.Lines[1].Received, "a line without a receipt received nothing")
	assert.Equal(t, int64(0), r.Lines[1].Resellable)
	require.NotNil(t, r.ReceivedAt)
	assert.Equal(t, at, *r.ReceivedAt)
	assert.Equal(t, at, r.UpdatedAt)
	assert.Equal(t, map[uuid.UUID]int64{lineA: 1}, r.Restock())
	assert.Equal(t, map[uuid.UUID]int64{lineA: 3, lineB: 1}, r.Quantities(), "requested quantities do not change")
}

func TestReceiveErrorsLeaveReturnUnchanged(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		receipts []returns.Receipt
		now      time.Time
		want     error
		check    func(t *testing.T, err error)
	}{
		{"more than requested", []returns.Receipt{{OrderLineID: lineB, Quantity: 2}}, t0, returns.ErrQuantityExceeded, func(t *testing.T, err error) {
			var qe *returns.QuantityError
			require.ErrorAs(t, err, &qe)
			assert.Equal(t, returns.QuantityError{OrderLineID: lineB, Field: "Quantity", Got: 2, Max: 1}, *qe)
		}},
		{"more resellable than received", []returns.Receipt{{OrderLineID: lineA, Quantity: 1, Resellable: 2}}, t0, returns.ErrQuantityExceeded, func(t *testing.T, err error) {
			var qe *returns.QuantityError
			require.ErrorAs(t, err, &qe)
			assert.Equal(t, returns.QuantityError{OrderLineID: lineA, Field: "Resellable", Got: 2, Max: 1}, *qe)
		}},
		{"unknown line", []returns.Receipt{{OrderLineID: lineA, Quantity: 1}, {OrderLineID: lineC, Quantity: 1}}, t0, returns.ErrUnknownLine, func(t *testing.T, err error) {
			var le *returns.LineError
			require.ErrorAs(t, err, &le)
			assert.Equal(t, lineC, le.OrderLineID)
		}},
		{"negative", []returns.Receipt{{OrderLineID: lineA, Quantity: -1, Resellable: -1}}, t0, returns.ErrInvalidInput, func(t *testing.T, err error) {
			var ve *fielderr.Error
			require.ErrorAs(t, err, &ve)
			assert.True(t, ve.Has("receipts[0].quantity"))
			assert.True(t, ve.Has("receipts[0].resellable"))
		}},
		{"duplicate", []returns.Receipt{{OrderLineID: lineA, Quantity: 1}, {OrderLineID: lineA, Quantity: 1}}, t0, returns.ErrInvalidInput, func(t *testing.T, err error) {
			var ve *fielderr.Error
			require.ErrorAs(t, err, &ve)
			assert.True(t, ve.Has("receipts[1].order_line_id"))
		}},
		{"zero now", nil, time.Time{}, returns.ErrInvalidInput, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := inStatus(t, returns.StatusApproved)
			before := r.Clone()
			err := r.Receive(context.Background(), tt.receipts, tt.now)
			require.ErrorIs(t, err, tt.want)
			if tt.check != nil {
				tt.check(t, err)
			}
			assert.Equal(t, before, r)
		})
	}
}

func TestRecordRefund(t *testing.T) {
	t.Parallel()
	r := inStatus(t, returns.StatusApproved)
	ctx := context.Background()
	require.NoError(t, r.Receive(ctx, []returns.Receipt{{OrderLineID: lineA, Quantity: 3}}, t0.Add(time.Hour)))
	at := t0.Add(2 * time.Hour)
	require.NoError(t, r.RecordRefund(ctx, map[uuid.UUID]money.Money{lineA: eur("29.97")}, "re_42", at))
	assert.Equal(t, returns.StatusRefunded, r.Status)
	assert.Equal(t, "29.97 EUR", r.Lines[0].Refund.String(), "unsellable units are refunded too")
	assert.Equal(t, "0.00 EUR", r.Lines[1].Refund.String())
	assert.Equal(t, "29.97 EUR", r.RefundTotal.String())
	assert.Equal(t, "re_42", r.RefundRef)
	require.NotNil(t, r.RefundedAt)
	assert.Equal(t, at, *r.RefundedAt)
	assert.Empty(t, r.Restock())
}

func TestRecordRefundErrorsLeaveReturnUnchanged(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		perLine map[uuid.UUID]money.Money
		ref     string
		want    error
		field   string
	}{
		{"empty", map[uuid.UUID]money.Money{}, "re", returns.ErrInvalidInput, "per_line"},
		{"negative", map[uuid.UUID]money.Money{lineA: eur("-1.00")}, "re", returns.ErrInvalidInput, "per_line[" + lineA.String() + "]"},
		{"unrounded", map[uuid.UUID]money.Money{lineA: eur("1.005")}, "re", returns.ErrInvalidInput, "per_line[" + lineA.String() + "]"},
		{"no currency", map[uuid.UUID]money.Money{lineA: {}}, "re", returns.ErrInvalidInput, "per_line[" + lineA.String() + "]"},
		{"mixed currencies", map[uuid.UUID]money.Money{lineA: eur("1.00"), lineB: money.MustParse("1.00", "USD")}, "re", returns.ErrInvalidInput, ""},
		{"unknown line", map[uuid.UUID]money.Money{lineC: eur("1.00")}, "re", returns.ErrUnknownLine, ""},
		{"no ref", map[uuid.UUID]money.Money{lineA: eur("1.00")}, " ", returns.ErrInvalidInput, "ref"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := inStatus(t, returns.StatusReceived)
			before := r.Clone()
			err := r.RecordRefund(context.Background(), tt.perLine, tt.ref, t0.Add(5*time.Hour))
			require.ErrorIs(t, err, tt.want)
			if tt.field != "" {
				var ve *fielderr.Error
				require.ErrorAs(t, err, &ve)
				assert.True(t, ve.Has(tt.field), "%v", err)
			}
			assert.Equal(t, before, r)
		})
	}

	t.Run("line received nothing", func(t *testing.T) {
		t.Parallel()
		r := inStatus(t, returns.StatusApproved)
		require.NoError(t, r.Receive(context.Background(), []returns.Receipt{{OrderLineID: lineA, Quantity: 1}}, t0.Add(time.Hour)))
		before := r.Clone()
		err := r.RecordRefund(context.Background(), map[uuid.UUID]money.Money{lineB: eur("5.00")}, "re", t0.Add(2*time.Hour))
		require.ErrorIs(t, err, returns.ErrInvalidInput)
		assert.Equal(t, before, r)
		// A zero refund needs no reference.
		require.NoError(t, r.RecordRefund(context.Background(), map[uuid.UUID]money.Money{lineB: eur("0")}, "", t0.Add(2*time.Hour)))
		assert.True(t, r.RefundTotal.IsZero())
	})
}

func TestClone(t *testing.T) {
	t.Parallel()
	r := inStatus(t, returns.StatusRefunded)
	c := r.Clone()
	require.Equal(t, r, c)
	c.Lines[0].Quantity = 99
	c.Lines = append(c.Lines, returns.Line{})
	*c.ReceivedAt = time.Time{}
	*c.RefundedAt = time.Time{}
	c.RefundTotal = eur("0")
	assert.Equal(t, int64(3), r.Lines[0].Quantity)
	assert.Len(t, r.Lines, 2)
	assert.Equal(t, t0.Add(2*time.Hour), *r.ReceivedAt)
	assert.Equal(t, t0.Add(3*time.Hour), *r.RefundedAt)
	assert.Equal(t, "49.99 EUR", r.RefundTotal.String())

	fresh := newReturn(t).Clone()
	assert.Nil(t, fresh.ReceivedAt)
	assert.Nil(t, fresh.RefundedAt)
}

func TestErrorsAreDistinct(t *testing.T) {
	t.Parallel()
	all := []error{returns.ErrInvalidTransition, returns.ErrNotFound, returns.ErrInvalidInput, returns.ErrNotDelivered,
		returns.ErrWindowClosed, returns.ErrUnknownLine, returns.ErrQuantityExceeded}
	for i, a := range all {
		for j, b := range all {
			assert.Equal(t, i == j, a == b)
		}
		assert.Contains(t, a.Error(), "returns: ")
	}
}

// TestReceiveProperty: random receipts either fail and leave the return
// unchanged, or leave Resellable ≤ Received ≤ Quantity on every line.
func TestReceiveProperty(t *testing.T) {
	t.Parallel()
	ids := []uuid.UUID{lineA, lineB, lineC}
	rapid.Check(t, func(rt *rapid.T) {
		ctx := context.Background()
		r := newReturn(rt)
		if err := r.Approve(ctx, t0.Add(time.Hour)); err != nil {
			rt.Fatal(err)
		}
		receipts := rapid.SliceOfN(rapid.Custom(func(rt *rapid.T) returns.Receipt {
			return returns.Receipt{
				OrderLineID: rapid.SampledFrom(ids).Draw(rt, "line"),
				Quantity:    rapid.Int64Range(-1, 5).Draw(rt, "qty"),
				Resellable:  rapid.Int64Range(-1, 5).Draw(rt, "resellable"),
			}
		}), 0, 4).Draw(rt, "receipts")
		before := r.Clone()
		err := r.Receive(ctx, receipts, t0.Add(2*time.Hour))
		if err != nil {
			if !assert.ObjectsAreEqual(before, r) {
				rt.Fatalf("failed Receive (%v) changed the return", err)
			}
			return
		}
		if r.Status != returns.StatusReceived {
			rt.Fatalf("status %s", r.Status)
		}
		var restocked int64
		for _, l := range r.Lines {
			if l.Resellable < 0 || l.Resellable > l.Received || l.Received > l.Quantity {
				rt.Fatalf("line %s: resellable %d, received %d, quantity %d", l.SKU, l.Resellable, l.Received, l.Quantity)
			}
			restocked += l.Resellable
		}
		var sum int64
		for _, n := range r.Restock() {
			sum += n
		}
		if sum != restocked {
			rt.Fatalf("Restock sums to %d, lines to %d", sum, restocked)
		}
	})
}

// FuzzRecordRefund checks that the refund total is always the exact sum of
// the lines' refunds, and that a failed call changes nothing.
func FuzzRecordRefund(f *testing.F) {
	f.Add(int64(2997), int64(1999), uint8(3), uint8(1))
	f.Add(int64(0), int64(0), uint8(0), uint8(0))
	f.Add(int64(-5), int64(100), uint8(1), uint8(1))
	f.Add(int64(1), int64(1), uint8(0), uint8(1))
	f.Fuzz(func(t *testing.T, centsA, centsB int64, recvA, recvB uint8) {
		ctx := context.Background()
		r := newReturn(t)
		require.NoError(t, r.Approve(ctx, t0.Add(time.Hour)))
		qa, qb := int64(recvA%4), int64(recvB%2)
		require.NoError(t, r.Receive(ctx, []returns.Receipt{{OrderLineID: lineA, Quantity: qa}, {OrderLineID: lineB, Quantity: qb}}, t0.Add(2*time.Hour)))
		before := r.Clone()
		perLine := map[uuid.UUID]money.Money{lineA: money.FromMinor(centsA, "EUR"), lineB: money.FromMinor(centsB, "EUR")}
		err := r.RecordRefund(ctx, perLine, "re_fuzz", t0.Add(3*time.Hour))
		valid := centsA >= 0 && centsB >= 0 && (qa > 0 || centsA == 0) && (qb > 0 || centsB == 0)
		if !valid {
			require.ErrorIs(t, err, returns.ErrInvalidInput)
			require.Equal(t, before, r)
			return
		}
		require.NoError(t, err)
		sum, err := money.Sum("EUR", r.Lines[0].Refund, r.Lines[1].Refund)
		require.NoError(t, err)
		require.True(t, sum.Equal(r.RefundTotal), "total %s, lines sum to %s", r.RefundTotal, sum)
		want := new(big.Int).Add(big.NewInt(centsA), big.NewInt(centsB))
		require.Equal(t, want.String(), r.RefundTotal.Amount().Shift(2).String())
	})
}
