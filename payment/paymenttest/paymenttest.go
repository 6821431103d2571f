// Package paymenttest is the conformance kit for payment.Gateway
// implementations, in the manner of Go CDK's drivertest: an implementation's
// whole conformance test is one call to [Run].
//
//	func TestConformance(t *testing.T) {
//		paymenttest.Run(t, func(*testing.T) payment.Gateway { return mygateway.New(...) },
//			paymenttest.Features{PartialCapture: true, PartialRefund: true, MultipleCaptures: true})
//	}
package paymenttest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/payment"
)

// Features says what a gateway under test can promise; subtests needing an
// ability it lacks are skipped. The zero value describes a gateway with full
// captures and refunds only, the Sandbox's tokens and USD.
type Features struct {
	// PartialCapture: a capture may take less than the authorization.
	PartialCapture bool
	// PartialRefund: a refund may return less than was captured.
	PartialRefund bool
	// MultipleCaptures: several captures may follow one authorization
	// (requires PartialCapture to be useful).
	MultipleCaptures bool
	// ApproveToken is a token the gateway authorizes; default
	// payment.TokenApprove.
	ApproveToken string
	// DeclineToken is a token the gateway declines; default
	// payment.TokenDecline.
	DeclineToken string
	// Currency is the currency to test with; default USD.
	Currency money.Currency
}

func (f Features) withDefaults() Features {
	if f.ApproveToken == "" {
		f.ApproveToken = payment.TokenApprove
	}
	if f.DeclineToken == "" {
		f.DeclineToken = payment.TokenDecline
	}
	if f.Currency == "" {
		f.Currency = "USD"
	}
	return f
}

// Run checks the payment.Gateway contract against gateways built by
// newGateway, which is called once per subtest and may register cleanups
// on the *testing.T it gets.
func Run(t *testing.T, newGateway func(t *testing.T) payment.Gateway, f Features) {
	t.Helper()
	f = f.withDefaults()
	h := harness{f: f, newGateway: newGateway}
	for _, tc := range []struct {
		name string
		need bool
		run  func(*harness, *testing.T)
	}{
		{"AuthorizeApprove", true, (*harness).authorizeApprove},
		{"AuthorizeDecline", true, (*harness).authorizeDecline},
		{"AuthorizeIdempotent", true, (*harness).authorizeIdempotent},
		{"AuthorizeInvalidAmount", true, (*harness).authorizeInvalidAmount},
		{"MissingIdempotencyKey", true, (*harness).missingKey},
		{"CaptureFull", true, (*harness).captureFull},
		{"CapturePartialThenRest", f.PartialCapture && f.MultipleCaptures, (*harness).capturePartialThenRest},
		{"CaptureIdempotent", f.PartialCapture && f.MultipleCaptures, (*harness).captureIdempotent},
		{"CaptureOverLimit", true, (*harness).captureOverLimit},
		{"CaptureWrongCurrency", true, (*harness).captureWrongCurrency},
		{"RefundFull", true, (*harness).refundFull},
		{"RefundPartialThenOver", f.PartialRefund, (*harness).refundPartialThenOver},
		{"RefundBeforeCapture", true, (*harness).refundBeforeCapture},
		{"VoidAuthorized", true, (*harness).voidAuthorized},
		{"VoidAfterCapture", true, (*harness).voidAfterCapture},
		{"CaptureAfterVoid", true, (*harness).captureAfterVoid},
		{"UnknownReference", true, (*harness).unknownRef},
		{"ConcurrentCaptures", true, (*harness).concurrentCaptures},
		{"ConcurrentRefunds", f.PartialRefund, (*harness).concurrentRefunds},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.need {
				t.Skip("gateway does not support this feature")
			}
			t.Parallel()
			tc.run(&h, t)
		})
	}
}

type harness struct {
	f          Features
	newGateway func(*testing.T) payment.Gateway
}

var keySeq atomic.Int64

// key returns an idempotency key unique in the process (gateways may be
// shared test accounts).
func key(_ *testing.T, what string) string {
	return fmt.Sprintf("paymenttest-%s-%s-%d", uuid.NewString(), what, keySeq.Add(1))
}

func (h *harness) amount(minor int64) money.Money { return money.FromMinor(minor, h.f.Currency) }

func (h *harness) authorize(t *testing.T, g payment.Gateway, amt money.Money) payment.Result {
	t.Helper()
	res, err := g.Authorize(context.Background(), payment.AuthorizeRequest{
		IdempotencyKey: key(t, "auth"), PaymentID: uuid.Must(uuid.NewV7()), Amount: amt, Token: h.f.ApproveToken,
	})
	require.NoError(t, err, "authorize %s with the approve token", amt)
	require.NotEmpty(t, res.Ref, "authorization ref")
	return res
}

func (h *harness) capture(t *testing.T, g payment.Gateway, ref string, amt money.Money) (payment.Result, error) {
	t.Helper()
	return g.Capture(context.Background(), payment.CaptureRequest{IdempotencyKey: key(t, "cap"), AuthorizationRef: ref, Amount: amt})
}

func (h *harness) refund(t *testing.T, g payment.Gateway, ref string, amt money.Money) (payment.Result, error) {
	t.Helper()
	return g.Refund(context.Background(), payment.RefundRequest{IdempotencyKey: key(t, "ref"), AuthorizationRef: ref, Amount: amt})
}

func (h *harness) authorizeApprove(t *testing.T) {
	g := h.newGateway(t)
	amt := h.amount(12345)
	res := h.authorize(t, g, amt)
	assert.True(t, res.Amount.Equal(amt), "amount echoed: got %s, want %s", res.Amount, amt)
	other := h.authorize(t, g, amt)
	assert.NotEqual(t, res.Ref, other.Ref, "two authorizations with different keys get different refs")
}

func (h *harness) authorizeDecline(t *testing.T) {
	g := h.newGateway(t)
	_, err := g.Authorize(context.Background(), payment.AuthorizeRequest{
		IdempotencyKey: key(t, "auth"), PaymentID: uuid.Must(uuid.NewV7()), Amount: h.amount(1000), Token: h.f.DeclineToken,
	})
	require.Error(t, err)
	assert.ErrorIs(t, err, payment.ErrDeclined)
	var de *payment.DeclineError
	require.ErrorAs(t, err, &de)
	assert.NotEmpty(t, de.Code, "decline code")
	assert.False(t, payment.IsTransient(err), "a decline is not transient")
}

func (h *harness) authorizeIdempotent(t *testing.T) {
	g := h.newGateway(t)
	req := payment.AuthorizeRequest{IdempotencyKey: key(t, "auth"), PaymentID: uuid.Must(uuid.NewV7()), Amount: h.amount(5000), Token: h.f.ApproveToken}
	first, err := g.Authorize(context.Background(), req)
	require.NoError(t, err)
	second, err := g.Authorize(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, first.Ref, second.Ref, "same key, same ref")
	assert.True(t, first.Amount.Equal(second.Amount))

	req.Amount = h.amount(6000)
	_, err = g.Authorize(context.Background(), req)
	assert.ErrorIs(t, err, payment.ErrIdempotencyConflict, "same key, different amount")

	// Performed once: the one authorization takes one full capture only.
	_, err = h.capture(t, g, first.Ref, h.amount(5000))
	require.NoError(t, err)
	_, err = h.capture(t, g, first.Ref, h.amount(1))
	assert.Error(t, err, "nothing left to capture")
}

func (h *harness) authorizeInvalidAmount(t *testing.T) {
	g := h.newGateway(t)
	for _, amt := range []money.Money{h.amount(0), h.amount(-100)} {
		_, err := g.Authorize(context.Background(), payment.AuthorizeRequest{
			IdempotencyKey: key(t, "auth"), PaymentID: uuid.Must(uuid.NewV7()), Amount: amt, Token: h.f.ApproveToken,
		})
		assert.ErrorIs(t, err, payment.ErrInvalidAmount, "authorize %s", amt)
	}
}

func (h *harness) missingKey(t *testing.T) {
	g := h.newGateway(t)
	_, err := g.Authorize(context.Background(), payment.AuthorizeRequest{PaymentID: uuid.Must(uuid.NewV7()), Amount: h.amount(100), Token: h.f.ApproveToken})
	assert.ErrorIs(t, err, payment.ErrInvalidInput, "authorize without a key")
	auth := h.authorize(t, g, h.amount(100))
	_, err = g.Capture(context.Background(), payment.CaptureRequest{AuthorizationRef: auth.Ref, Amount: h.amount(100)})
	assert.ErrorIs(t, err, payment.ErrInvalidInput, "capture without a key")
}

func (h *harness) captureFull(t *testing.T) {
	g := h.newGateway(t)
	auth := h.authorize(t, g, h.amount(2500))
	res, err := h.capture(t, g, auth.Ref, h.amount(2500))
	require.NoError(t, err)
	assert.NotEmpty(t, res.Ref)
	assert.True(t, res.Amount.Equal(h.amount(2500)), "captured %s", res.Amount)
}

func (h *harness) capturePartialThenRest(t *testing.T) {
	g := h.newGateway(t)
	auth := h.authorize(t, g, h.amount(1000))
	first, err := h.capture(t, g, auth.Ref, h.amount(300))
	require.NoError(t, err)
	assert.True(t, first.Amount.Equal(h.amount(300)))
	second, err := h.capture(t, g, auth.Ref, h.amount(700))
	require.NoError(t, err)
	assert.True(t, second.Amount.Equal(h.amount(700)))
	assert.NotEqual(t, first.Ref, second.Ref)
	_, err = h.capture(t, g, auth.Ref, h.amount(1))
	assert.ErrorIs(t, err, payment.ErrExceedsAuthorized, "the authorization is used up")
}

func (h *harness) captureIdempotent(t *testing.T) {
	g := h.newGateway(t)
	auth := h.authorize(t, g, h.amount(1000))
	req := payment.CaptureRequest{IdempotencyKey: key(t, "cap"), AuthorizationRef: auth.Ref, Amount: h.amount(600)}
	first, err := g.Capture(context.Background(), req)
	require.NoError(t, err)
	second, err := g.Capture(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, first.Ref, second.Ref)
	// Captured once: 400 remain, not -200.
	_, err = h.capture(t, g, auth.Ref, h.amount(400))
	assert.NoError(t, err, "the repeat must not have captured again")
}

func (h *harness) captureOverLimit(t *testing.T) {
	g := h.newGateway(t)
	auth := h.authorize(t, g, h.amount(1000))
	_, err := h.capture(t, g, auth.Ref, h.amount(1001))
	require.ErrorIs(t, err, payment.ErrExceedsAuthorized)
	var ae *payment.AmountError
	if errors.As(err, &ae) {
		assert.True(t, ae.Requested.Equal(h.amount(1001)), "requested %s", ae.Requested)
	}
	_, err = h.capture(t, g, auth.Ref, h.amount(1000))
	assert.NoError(t, err, "a refused capture changes nothing")
}

func (h *harness) captureWrongCurrency(t *testing.T) {
	g := h.newGateway(t)
	auth := h.authorize(t, g, h.amount(1000))
	other := money.Currency("EUR")
	if h.f.Currency == other {
		other = "USD"
	}
	_, err := h.capture(t, g, auth.Ref, money.FromMinor(1000, other))
	assert.ErrorIs(t, err, payment.ErrInvalidAmount)
}

func (h *harness) refundFull(t *testing.T) {
	g := h.newGateway(t)
	auth := h.authorize(t, g, h.amount(800))
	_, err := h.capture(t, g, auth.Ref, h.amount(800))
	require.NoError(t, err)
	res, err := h.refund(t, g, auth.Ref, h.amount(800))
	require.NoError(t, err)
	assert.NotEmpty(t, res.Ref)
	assert.True(t, res.Amount.Equal(h.amount(800)))
	_, err = h.refund(t, g, auth.Ref, h.amount(1))
	assert.ErrorIs(t, err, payment.ErrExceedsCaptured)
}

func (h *harness) refundPartialThenOver(t *testing.T) {
	g := h.newGateway(t)
	auth := h.authorize(t, g, h.amount(1000))
	_, err := h.capture(t, g, auth.Ref, h.amount(1000))
	require.NoError(t, err)
	res, err := h.refund(t, g, auth.Ref, h.amount(400))
	require.NoError(t, err)
	assert.True(t, res.Amount.Equal(h.amount(400)))
	_, err = h.refund(t, g, auth.Ref, h.amount(601))
	assert.ErrorIs(t, err, payment.ErrExceedsCaptured)
	_, err = h.refund(t, g, auth.Ref, h.amount(600))
	assert.NoError(t, err, "the rest is refundable")
}

func (h *harness) refundBeforeCapture(t *testing.T) {
	g := h.newGateway(t)
	auth := h.authorize(t, g, h.amount(1000))
	_, err := h.refund(t, g, auth.Ref, h.amount(1000))
	assert.ErrorIs(t, err, payment.ErrExceedsCaptured)
}

func (h *harness) voidAuthorized(t *testing.T) {
	g := h.newGateway(t)
	auth := h.authorize(t, g, h.amount(1000))
	req := payment.VoidRequest{IdempotencyKey: key(t, "void"), AuthorizationRef: auth.Ref}
	res, err := g.Void(context.Background(), req)
	require.NoError(t, err)
	assert.NotEmpty(t, res.Ref)
	again, err := g.Void(context.Background(), req)
	require.NoError(t, err, "repeating a void with its key")
	assert.Equal(t, res.Ref, again.Ref)
}

func (h *harness) voidAfterCapture(t *testing.T) {
	g := h.newGateway(t)
	auth := h.authorize(t, g, h.amount(1000))
	amt := h.amount(1000)
	if h.f.PartialCapture {
		amt = h.amount(500)
	}
	_, err := h.capture(t, g, auth.Ref, amt)
	require.NoError(t, err)
	_, err = g.Void(context.Background(), payment.VoidRequest{IdempotencyKey: key(t, "void"), AuthorizationRef: auth.Ref})
	assert.ErrorIs(t, err, payment.ErrAlreadyCaptured)
}

func (h *harness) captureAfterVoid(t *testing.T) {
	g := h.newGateway(t)
	auth := h.authorize(t, g, h.amount(1000))
	_, err := g.Void(context.Background(), payment.VoidRequest{IdempotencyKey: key(t, "void"), AuthorizationRef: auth.Ref})
	require.NoError(t, err)
	_, err = h.capture(t, g, auth.Ref, h.amount(1000))
	assert.ErrorIs(t, err, payment.ErrVoided)
}

func (h *harness) unknownRef(t *testing.T) {
	g := h.newGateway(t)
	ctx := context.Background()
	const ref = "paymenttest-no-such-authorization"
	_, err := g.Capture(ctx, payment.CaptureRequest{IdempotencyKey: key(t, "cap"), AuthorizationRef: ref, Amount: h.amount(100)})
	assert.ErrorIs(t, err, payment.ErrUnknownAuthorization, "capture")
	_, err = g.Void(ctx, payment.VoidRequest{IdempotencyKey: key(t, "void"), AuthorizationRef: ref})
	assert.ErrorIs(t, err, payment.ErrUnknownAuthorization, "void")
	_, err = g.Refund(ctx, payment.RefundRequest{IdempotencyKey: key(t, "ref"), AuthorizationRef: ref, Amount: h.amount(100)})
	assert.ErrorIs(t, err, payment.ErrUnknownAuthorization, "refund")
}

// race runs n calls of op concurrently and returns the successes; every
// failure must match want.
func race(t *testing.T, n int, want error, op func() (payment.Result, error)) []payment.Result {
	t.Helper()
	var (
		mu   sync.Mutex
		ok   []payment.Result
		errs []error
		wg   sync.WaitGroup
	)
	for range n {
		wg.Go(func() {
			res, err := op()
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			ok = append(ok, res)
		})
	}
	wg.Wait()
	for _, err := range errs {
		assert.ErrorIs(t, err, want)
	}
	return ok
}

func (h *harness) concurrentCaptures(t *testing.T) {
	g := h.newGateway(t)
	const n = 20
	if h.f.PartialCapture && h.f.MultipleCaptures {
		auth := h.authorize(t, g, h.amount(1000))
		ok := race(t, n, payment.ErrExceedsAuthorized, func() (payment.Result, error) {
			return h.capture(t, g, auth.Ref, h.amount(100))
		})
		assert.Len(t, ok, 10, "exactly the authorization is captured")
		return
	}
	auth := h.authorize(t, g, h.amount(1000))
	var wg sync.WaitGroup
	var succeeded atomic.Int64
	for range n {
		wg.Go(func() {
			if _, err := h.capture(t, g, auth.Ref, h.amount(1000)); err == nil {
				succeeded.Add(1)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int64(1), succeeded.Load(), "one full capture succeeds")
}

func (h *harness) concurrentRefunds(t *testing.T) {
	g := h.newGateway(t)
	auth := h.authorize(t, g, h.amount(1000))
	_, err := h.capture(t, g, auth.Ref, h.amount(1000))
	require.NoError(t, err)
	ok := race(t, 20, payment.ErrExceedsCaptured, func() (payment.Result, error) {
		return h.refund(t, g, auth.Ref, h.amount(250))
	})
	assert.Len(t, ok, 4, "exactly the captured amount is refunded")
}
