package payment_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/payment"
)

// Authorize an order total with the sandbox gateway, capture part of it,
// and refund part of the capture, recording each result on the Payment.
func Example() {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	gw := payment.NewSandbox()

	p, err := payment.New(uuid.Must(uuid.NewV7()), "acme", uuid.Must(uuid.NewV7()), gw.Name(), money.MustParse("50.00", "USD"), now)
	if err != nil {
		panic(err)
	}

	auth, err := gw.Authorize(ctx, payment.AuthorizeRequest{IdempotencyKey: "order-1/auth", PaymentID: p.ID, Amount: p.Amount, Token: payment.TokenApprove})
	if err != nil {
		panic(err)
	}
	_ = p.RecordAuthorization(ctx, uuid.Must(uuid.NewV7()), auth.Ref, auth.Amount, "order-1/auth", now)

	amount := money.MustParse("30.00", "USD")
	if err := p.CheckCapture(amount); err != nil {
		panic(err)
	}
	capt, err := gw.Capture(ctx, payment.CaptureRequest{IdempotencyKey: "order-1/capture-1", AuthorizationRef: p.AuthorizationRef, Amount: amount})
	if err != nil {
		panic(err)
	}
	_ = p.RecordCapture(ctx, uuid.Must(uuid.NewV7()), capt.Ref, capt.Amount, "order-1/capture-1", now)
	fmt.Println(p.Status, "captured", p.Captured, "capturable", p.Capturable())

	// A refund larger than what was captured is refused before the gateway is called.
	err = p.CheckRefund(money.MustParse("40.00", "USD"))
	fmt.Println(errors.Is(err, payment.ErrExceedsCaptured))

	ref, err := gw.Refund(ctx, payment.RefundRequest{IdempotencyKey: "order-1/refund-1", AuthorizationRef: p.AuthorizationRef, Amount: money.MustParse("5.00", "USD")})
	if err != nil {
		panic(err)
	}
	_ = p.RecordRefund(ctx, uuid.Must(uuid.NewV7()), ref.Ref, ref.Amount, "order-1/refund-1", now)
	fmt.Println(p.Status, p.RefundStatus(), p.Refunded, "refundable", p.Refundable())
	// The refund leaves the rest of the authorization capturable.
	fmt.Println(p.AllowedEvents(), "capturable", p.Capturable())
	// Output:
	// partially_captured captured 30.00 USD capturable 20.00 USD
	// true
	// partially_captured partially_refunded 5.00 USD refundable 25.00 USD
	// [capture capture_partial refund refund_partial] capturable 20.00 USD
}

// A declined authorization is a *DeclineError; record it as a failure.
func ExampleDeclineError() {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	gw := payment.NewSandbox()
	p, _ := payment.New(uuid.Must(uuid.NewV7()), "acme", uuid.Must(uuid.NewV7()), gw.Name(), money.MustParse("20.00", "EUR"), now)

	_, err := gw.Authorize(ctx, payment.AuthorizeRequest{IdempotencyKey: "k", PaymentID: p.ID, Amount: p.Amount, Token: payment.TokenInsufficientFunds})
	var de *payment.DeclineError
	if errors.As(err, &de) {
		fmt.Println(de.Code, errors.Is(err, payment.ErrDeclined), errors.Is(err, payment.ErrInsufficientFunds), payment.IsTransient(err))
		_ = p.RecordFailure(ctx, de.Code, now)
	}
	fmt.Println(p.Status, p.FailureReason)
	// Output:
	// insufficient_funds true true false
	// failed insufficient_funds
}

func ExampleDiagram() {
	fmt.Println(payment.Diagram()[:len("stateDiagram-v2")])
	// Output: stateDiagram-v2
}
