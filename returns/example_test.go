package returns_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/returns"
)

// A customer returns three mugs, two of which arrive broken: all three are
// refunded, one goes back into stock.
func Example() {
	ctx := context.Background()
	delivered := time.Date(2025, 3, 1, 14, 0, 0, 0, time.UTC)
	now := time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)

	policy := returns.Policy{} // 30 days from delivery
	if err := policy.Check(&delivered, now); err != nil {
		fmt.Println(err)
		return
	}
	mugs := uuid.MustParse("01957a00-0000-7000-8000-00000000000a")
	r, err := returns.New(uuid.MustParse("01957a00-0000-7000-8000-000000000001"), "shop-1",
		uuid.MustParse("01957a00-0000-7000-8000-000000000002"), returns.ReasonDamaged, "cracked in transit",
		[]returns.RequestLine{{OrderLineID: mugs, SKU: "MUG-RED", Quantity: 3}}, now)
	if err != nil {
		fmt.Println(err)
		return
	}
	steps := []error{
		r.Approve(ctx, now.Add(time.Hour)),
		r.Receive(ctx, []returns.Receipt{{OrderLineID: mugs, Quantity: 3, Resellable: 1}}, now.Add(72*time.Hour)),
		r.RecordRefund(ctx, map[uuid.UUID]money.Money{mugs: money.MustParse("29.97", "EUR")}, "re_123", now.Add(73*time.Hour)),
		r.Close(ctx, now.Add(74*time.Hour)),
	}
	if err := errors.Join(steps...); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Status, r.RefundTotal, "restock:", r.Restock()[mugs])

	late := delivered.Add(45 * 24 * time.Hour)
	err = policy.Check(&delivered, late)
	var we *returns.WindowError
	fmt.Println(errors.Is(err, returns.ErrWindowClosed), errors.As(err, &we) && we.Deadline.Equal(delivered.Add(returns.DefaultWindow)))
	// Output:
	// closed 29.97 EUR restock: 1
	// true true
}
