package returns_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/ordersmith/oms/money"
)

func TestRefundDue(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		a, b      string // the lines' refunds as computed at receipt
		limit     string
		wantA     string
		wantB     string
		wantTotal string
	}{
		{"under the limit: as computed", "12.00", "8.00", "50.00", "12.00", "8.00", "20.00"},
		{"exactly the limit", "12.00", "8.00", "20.00", "12.00", "8.00", "20.00"},
		{"over the limit: shared by weight", "12.00", "8.00", "10.00", "6.00", "4.00", "10.00"},
		{"over the limit: cents still sum", "10.00", "10.00", "0.01", "0.01", "0.00", "0.01"},
		{"nothing left to refund", "12.00", "8.00", "0.00", "0.00", "0.00", "0.00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newReturn(t)
			r.Lines[0].Refund, r.Lines[1].Refund = eur(tc.a), eur(tc.b)
			perLine, total, err := r.RefundDue(eur(tc.limit))
			require.NoError(t, err)
			assert.True(t, total.Equal(eur(tc.wantTotal)), "total %s", total)
			assert.True(t, perLine[lineA].Equal(eur(tc.wantA)), "line A %s", perLine[lineA])
			assert.True(t, perLine[lineB].Equal(eur(tc.wantB)), "line B %s", perLine[lineB])
		})
	}
	t.Run("another currency", func(t *testing.T) {
		r := newReturn(t)
		r.Lines[0].Refund, r.Lines[1].Refund = eur("1.00"), eur("1.00")
		_, _, err := r.RefundDue(money.MustParse("1.00", "USD"))
		require.ErrorIs(t, err, money.ErrCurrencyMismatch)
	})
}

// Whatever the limit, the refund never exceeds it nor any line's due, and
// the lines sum exactly to the total.
func TestRefundDueNeverExceedsAndSums(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		r := newReturn(t)
		a := rapid.Int64Range(0, 1_000_000).Draw(t, "a")
		b := rapid.Int64Range(0, 1_000_000).Draw(t, "b")
		limit := money.FromMinor(rapid.Int64Range(0, 2_000_000).Draw(t, "limit"), "EUR")
		r.Lines[0].Refund, r.Lines[1].Refund = money.FromMinor(a, "EUR"), money.FromMinor(b, "EUR")
		perLine, total, err := r.RefundDue(limit)
		require.NoError(t, err)
		sum, err := perLine[lineA].Add(perLine[lineB])
		require.NoError(t, err)
		require.True(t, sum.Equal(total), "parts %s sum to %s", sum, total)
		c, _ := total.Cmp(limit)
		require.LessOrEqual(t, c, 0, fmt.Sprintf("%s over the limit %s", total, limit))
		for id, due := range map[any]money.Money{lineA: r.Lines[0].Refund, lineB: r.Lines[1].Refund} {
			got := perLine[lineA]
			if id == lineB {
				got = perLine[lineB]
			}
			c, _ := got.Cmp(due)
			require.LessOrEqual(t, c, 0, "line %v gets %s of %s due", id, got, due)
		}
	})
}
