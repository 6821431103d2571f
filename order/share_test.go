package order_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/order"
)

// However an order's units are split into batches, the batches' shares sum
// exactly to the order total.
func TestShareOfBatchSumsToTheTotal(t *testing.T) {
	t.Parallel()
	o := newOrder(t)
	rapid.Check(t, func(t *rapid.T) {
		left := make(map[uuid.UUID]int64)
		for _, l := range o.Lines {
			left[l.ID] = l.Quantity
		}
		var batches []map[uuid.UUID]int64
		for len(left) > 0 {
			b := make(map[uuid.UUID]int64)
			for _, l := range o.Lines {
				if left[l.ID] == 0 {
					continue
				}
				n := rapid.Int64Range(1, left[l.ID]).Draw(t, "n") // at least one: every batch makes progress
				if n > 0 {
					b[l.ID] = n
				}
				if left[l.ID] -= n; left[l.ID] == 0 {
					delete(left, l.ID)
				}
			}
			batches = append(batches, b)
		}
		sum := money.Zero(o.Currency)
		for i, b := range batches {
			share, err := o.ShareOfBatch(batches[:i], b)
			require.NoError(t, err)
			sum, err = sum.Add(share)
			require.NoError(t, err)
		}
		require.True(t, sum.Equal(o.Totals.Total), "shares sum to %s, total %s", sum, o.Totals.Total)
	})
}

func TestShareOfBatchRefusesUnknownLinesAndExcess(t *testing.T) {
	t.Parallel()
	o := newOrder(t)
	_, err := o.ShareOfBatch(nil, map[uuid.UUID]int64{uuid.New(): 1})
	require.ErrorIs(t, err, order.ErrUnknownLine)
	l := o.Lines[0]
	_, err = o.ShareOfBatch([]map[uuid.UUID]int64{{l.ID: l.Quantity}}, map[uuid.UUID]int64{l.ID: 1})
	require.ErrorIs(t, err, order.ErrQuantityExceeded)
}
