package order

import (
	"fmt"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/money"
)

// ShareOfBatch returns the part of the order total that batch (units per
// order line, such as one fulfillment's) carries, when the order's live
// batches are earlier, oldest first, before it. Each batch owns a fixed
// range of each line's units: those after the units of the batches before
// it. The shares of all batches therefore sum exactly to the order total,
// whatever order they are captured in, even all at once. It returns an
// error matching ErrUnknownLine for a line the order lacks, and a
// *QuantityError when the batches hold more units than a line has.
func (o *Order) ShareOfBatch(earlier []map[uuid.UUID]int64, batch map[uuid.UUID]int64) (money.Money, error) {
	offset := make(map[uuid.UUID]int64) // order line → units owned by earlier batches
	for _, b := range earlier {
		for lineID, n := range b {
			offset[lineID] += n
		}
	}
	total := money.Zero(o.Currency)
	for lineID, n := range batch {
		l, ok := o.Line(lineID)
		if !ok {
			return money.Money{}, fmt.Errorf("order: line %s: %w", lineID, ErrUnknownLine)
		}
		share, err := l.ShareOf(offset[lineID], n)
		if err != nil {
			return money.Money{}, err
		}
		if total, err = total.Add(share); err != nil {
			return money.Money{}, err
		}
	}
	return total, nil
}
