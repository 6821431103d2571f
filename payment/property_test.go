package payment_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/payment"
)

// op is one step applied to a payment by the property and fuzz tests.
type op struct {
	kind  byte // 0 capture, 1 refund, 2 void, 3 repeat the last key
	cents int64
}

// applyOps runs ops against an authorized payment of total cents and checks
// the invariants after each: 0 ≤ Refunded ≤ Captured ≤ Authorized ≤ Amount,
// a refused operation changes nothing, an accepted one moves exactly its
// amount, Capturable is Authorized − Captured whenever a capture is legal,
// and a capture is legal whenever that is positive and the authorization was
// not voided, whatever was refunded.
func applyOps(t require.TestingT, total int64, ops []op) {
	p, err := payment.New(newID(), "acme", newID(), "sandbox", money.FromMinor(total, "USD"), t0)
	require.NoError(t, err)
	require.NoError(t, p.RecordAuthorization(ctx, newID(), "auth", money.FromMinor(total, "USD"), "auth", t0))
	lastKey, lastKind, lastAmt := "", byte(0), money.Zero("USD")
	for i, o := range ops {
		before := p.Clone()
		amt := money.FromMinor(o.cents, "USD")
		key := fmt.Sprintf("k%d", i)
		var err error
		kind := o.kind
		if kind == 3 && lastKey != "" {
			key, kind, amt = lastKey, lastKind, lastAmt
		}
		switch kind % 3 {
		case 0:
			err = p.RecordCapture(ctx, newID(), "ref-"+key, amt, key, t0)
		case 1:
			err = p.RecordRefund(ctx, newID(), "ref-"+key, amt, key, t0)
		case 2:
			err = p.RecordVoid(ctx, newID(), "ref-"+key, key, t0)
		}
		if err != nil {
			require.Equal(t, before, p, "refused op %d (%v) changed the payment", i, err)
		} else {
			lastKey, lastKind, lastAmt = key, kind%3, amt
		}
		c, cerr := p.Captured.Cmp(p.Authorized)
		require.NoError(t, cerr)
		require.LessOrEqual(t, c, 0, "captured %s > authorized %s", p.Captured, p.Authorized)
		r, rerr := p.Refunded.Cmp(p.Captured)
		require.NoError(t, rerr)
		require.LessOrEqual(t, r, 0, "refunded %s > captured %s", p.Refunded, p.Captured)
		require.False(t, p.Refunded.IsNegative())

		// The totals are the sums of the recorded transactions.
		captured, refunded := money.Zero("USD"), money.Zero("USD")
		for _, tx := range p.Transactions {
			switch tx.Kind {
			case payment.KindCapture:
				captured, _ = captured.Add(tx.Amount)
			case payment.KindRefund:
				refunded, _ = refunded.Add(tx.Amount)
			}
		}
		require.True(t, captured.Equal(p.Captured), "captured %s, transactions sum to %s", p.Captured, captured)
		require.True(t, refunded.Equal(p.Refunded), "refunded %s, transactions sum to %s", p.Refunded, refunded)
		a, aerr := p.Authorized.Cmp(p.Amount)
		require.NoError(t, aerr)
		require.LessOrEqual(t, a, 0, "authorized %s > amount %s", p.Authorized, p.Amount)

		uncaptured, _ := p.Authorized.Sub(p.Captured)
		if p.Can(payment.EventCapturePartial) {
			require.True(t, p.Capturable().Equal(uncaptured), "capturable %s, uncaptured %s", p.Capturable(), uncaptured)
		} else {
			require.True(t, p.Capturable().IsZero())
		}
		if p.Status != payment.StatusVoided {
			require.Equal(t, uncaptured.IsPositive(), p.Can(payment.EventCapturePartial),
				"status %s, uncaptured %s, refunded %s", p.Status, uncaptured, p.Refunded)
		}
		unrefunded, _ := p.Captured.Sub(p.Refunded)
		require.True(t, p.Refundable().Equal(unrefunded), "refundable %s, unrefunded %s", p.Refundable(), unrefunded)
		switch p.RefundStatus() {
		case payment.RefundNone:
			require.True(t, p.Refunded.IsZero())
		case payment.RefundFull:
			require.True(t, p.Refunded.Equal(p.Captured))
		case payment.RefundPartial:
			require.True(t, unrefunded.IsPositive() && p.Refunded.IsPositive())
		}
		switch p.Status {
		case payment.StatusCaptured:
			require.True(t, p.Captured.Equal(p.Authorized))
		case payment.StatusPartiallyCaptured:
			require.True(t, p.Captured.IsPositive() && uncaptured.IsPositive())
		case payment.StatusAuthorized, payment.StatusVoided:
			require.True(t, p.Captured.IsZero())
		default:
			require.Failf(t, "unexpected status", "%s", p.Status)
		}
	}
}

func TestPropertyCaptureRefund(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(rt *rapid.T) {
		total := rapid.Int64Range(1, 10_000).Draw(rt, "total")
		ops := rapid.SliceOf(rapid.Custom(func(rt *rapid.T) op {
			return op{
				kind:  byte(rapid.IntRange(0, 3).Draw(rt, "kind")),
				cents: rapid.Int64Range(-10, total+10).Draw(rt, "cents"),
			}
		})).Draw(rt, "ops")
		applyOps(rt, total, ops)
	})
}

func FuzzCaptureRefund(f *testing.F) {
	f.Add(int64(1000), []byte{0, 100, 0, 200, 1, 50, 3, 0, 2, 0})
	f.Add(int64(1), []byte{0, 1, 1, 1, 1, 1})
	f.Add(int64(500), []byte{2, 0, 0, 10})
	f.Add(int64(100), []byte{0, 30, 1, 30, 0, 20, 1, 5, 0, 50}) // capture, refund everything, capture the rest
	f.Add(int64(100), []byte{0, 30, 1, 10, 3, 0, 0, 70})
	f.Fuzz(func(t *testing.T, total int64, program []byte) {
		if total <= 0 || total > 1_000_000 {
			t.Skip()
		}
		ops := make([]op, 0, len(program)/2)
		for i := 0; i+1 < len(program); i += 2 {
			ops = append(ops, op{kind: program[i] % 4, cents: int64(int8(program[i+1])) * int64(program[i]/4+1) % (total + 2)})
		}
		applyOps(t, total, ops)
	})
}
