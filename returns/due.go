package returns

import (
	"fmt"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/ordersmith/oms/money"
)

// RefundDue returns what refunding r pays back, per order line and in
// total: each line's Refund as computed at receipt, or, when their sum is
// more than limit (what the payment can still refund, after goodwill
// refunds for instance), limit shared over the lines in proportion to
// their Refund, so that the parts still sum exactly to the total. A limit
// of zero makes every line's share zero: the return is then settled with
// nothing left to pay back. It returns an error matching
// money.ErrCurrencyMismatch when limit is in another currency than the
// lines.
func (r *Return) RefundDue(limit money.Money) (map[uuid.UUID]money.Money, money.Money, error) {
	perLine := make(map[uuid.UUID]money.Money, len(r.Lines))
	total := money.Zero(limit.Currency())
	weights := make([]decimal.Decimal, len(r.Lines))
	for i, l := range r.Lines {
		amount := l.Refund
		if amount.Currency() == "" {
			amount = money.Zero(limit.Currency())
		}
		var err error
		if total, err = total.Add(amount); err != nil {
			return nil, money.Money{}, fmt.Errorf("returns: refund due on line %s: %w", l.OrderLineID, err)
		}
		perLine[l.OrderLineID] = amount
		weights[i] = amount.Amount()
	}
	if c, _ := total.Cmp(limit); c <= 0 {
		return perLine, total, nil
	}
	if !total.IsPositive() || !limit.IsPositive() {
		for id := range perLine {
			perLine[id] = money.Zero(limit.Currency())
		}
		return perLine, money.Zero(limit.Currency()), nil
	}
	shares, err := limit.Round().Allocate(weights)
	if err != nil {
		return nil, money.Money{}, fmt.Errorf("returns: share the refund limit %s: %w", limit, err)
	}
	for i, l := range r.Lines {
		perLine[l.OrderLineID] = shares[i]
	}
	return perLine, limit.Round(), nil
}
