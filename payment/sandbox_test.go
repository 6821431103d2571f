package payment_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/payment/paymenttest"
)

func TestConformance(t *testing.T) {
	paymenttest.Run(t, func(*testing.T) payment.Gateway { return payment.NewSandbox() },
		paymenttest.Features{PartialCapture: true, PartialRefund: true, MultipleCaptures: true, Currency: "USD"})
}

func TestConformanceJPY(t *testing.T) {
	paymenttest.Run(t, func(*testing.T) payment.Gateway { return payment.NewSandbox() },
		paymenttest.Features{Currency: "JPY", DeclineToken: payment.TokenInsufficientFunds})
}

func TestSandboxTokens(t *testing.T) {
	t.Parallel()
	tests := []struct {
		token        string
		ok           bool
		code         string
		insufficient bool
		transient    bool
	}{
		{payment.TokenApprove, true, "", false, false},
		{payment.TokenDecline, false, payment.CodeCardDeclined, false, false},
		{payment.TokenInsufficientFunds, false, payment.CodeInsufficientFunds, true, false},
		{payment.TokenTransient, false, "", false, true},
		{"tok_bogus", false, payment.CodeInvalidToken, false, false},
		{"", false, payment.CodeInvalidToken, false, false},
	}
	for _, tt := range tests {
		t.Run("token="+tt.token, func(t *testing.T) {
			t.Parallel()
			s := payment.NewSandbox()
			res, err := s.Authorize(ctx, payment.AuthorizeRequest{IdempotencyKey: "k", PaymentID: newID(), Amount: usd("5.00"), Token: tt.token})
			if tt.ok {
				require.NoError(t, err)
				assert.Equal(t, "sbx_auth_1", res.Ref)
				assert.True(t, res.Amount.Equal(usd("5")))
				return
			}
			require.Error(t, err)
			assert.Equal(t, tt.transient, payment.IsTransient(err))
			assert.Equal(t, tt.insufficient, errors.Is(err, payment.ErrInsufficientFunds))
			if tt.code != "" {
				var de *payment.DeclineError
				require.ErrorAs(t, err, &de)
				assert.Equal(t, tt.code, de.Code)
				assert.ErrorIs(t, err, payment.ErrDeclined)
			} else {
				assert.NotErrorIs(t, err, payment.ErrDeclined)
			}
		})
	}
}

func TestSandboxTransient(t *testing.T) {
	t.Parallel()
	s := payment.NewSandbox()
	req := payment.AuthorizeRequest{IdempotencyKey: "once", PaymentID: newID(), Amount: usd("5.00"), Token: payment.TokenTransientOnce}
	_, err := s.Authorize(ctx, req)
	require.True(t, payment.IsTransient(err), "first attempt: %v", err)
	res, err := s.Authorize(ctx, req)
	require.NoError(t, err, "the retry with the same key succeeds")
	again, err := s.Authorize(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, res, again)

	other := req
	other.IdempotencyKey = "once-2"
	_, err = s.Authorize(ctx, other)
	assert.True(t, payment.IsTransient(err), "every new key fails once")

	always := payment.AuthorizeRequest{IdempotencyKey: "always", PaymentID: newID(), Amount: usd("5.00"), Token: payment.TokenTransient}
	for range 3 {
		_, err := s.Authorize(ctx, always)
		assert.ErrorIs(t, err, payment.ErrTransient)
	}
}

func TestSandboxIdempotency(t *testing.T) {
	t.Parallel()
	s := payment.NewSandbox()
	decline := payment.AuthorizeRequest{IdempotencyKey: "d", PaymentID: newID(), Amount: usd("5.00"), Token: payment.TokenDecline}
	_, err1 := s.Authorize(ctx, decline)
	_, err2 := s.Authorize(ctx, decline)
	assert.ErrorIs(t, err1, payment.ErrDeclined)
	assert.Equal(t, err1, err2, "a repeated decline returns the first answer")

	auth, err := s.Authorize(ctx, payment.AuthorizeRequest{IdempotencyKey: "a", PaymentID: newID(), Amount: usd("5.00"), Token: payment.TokenApprove})
	require.NoError(t, err)
	_, err = s.Capture(ctx, payment.CaptureRequest{IdempotencyKey: "a", AuthorizationRef: auth.Ref, Amount: usd("5.00")})
	assert.ErrorIs(t, err, payment.ErrIdempotencyConflict, "a key reused for another operation")

	capReq := payment.CaptureRequest{IdempotencyKey: "c", AuthorizationRef: auth.Ref, Amount: usd("2.00")}
	c1, err := s.Capture(ctx, capReq)
	require.NoError(t, err)
	assert.Equal(t, "sbx_cap_2", c1.Ref)
	capReq.Amount = usd("3.00")
	_, err = s.Capture(ctx, capReq)
	assert.ErrorIs(t, err, payment.ErrIdempotencyConflict)
	capReq.Amount = usd("2.00")
	c2, err := s.Capture(ctx, capReq)
	require.NoError(t, err)
	assert.Equal(t, c1, c2)

	v, err := s.Void(ctx, payment.VoidRequest{IdempotencyKey: "v", AuthorizationRef: auth.Ref})
	assert.ErrorIs(t, err, payment.ErrAlreadyCaptured)
	assert.Empty(t, v.Ref)

	r, err := s.Refund(ctx, payment.RefundRequest{IdempotencyKey: "r", AuthorizationRef: auth.Ref, Amount: usd("2.00")})
	require.NoError(t, err)
	assert.Equal(t, "sbx_ref_3", r.Ref)
	assert.Equal(t, "sandbox", s.Name())
}

func TestSandboxVoid(t *testing.T) {
	t.Parallel()
	s := payment.NewSandbox()
	auth, err := s.Authorize(ctx, payment.AuthorizeRequest{IdempotencyKey: "a", Amount: usd("7.00"), Token: payment.TokenApprove})
	require.NoError(t, err)
	v, err := s.Void(ctx, payment.VoidRequest{IdempotencyKey: "v", AuthorizationRef: auth.Ref})
	require.NoError(t, err)
	assert.Equal(t, "sbx_void_2", v.Ref)
	assert.True(t, v.Amount.Equal(usd("7")), "the void releases the authorization")
	_, err = s.Void(ctx, payment.VoidRequest{IdempotencyKey: "v2", AuthorizationRef: auth.Ref})
	assert.ErrorIs(t, err, payment.ErrVoided)
	_, err = s.Refund(ctx, payment.RefundRequest{IdempotencyKey: "r", AuthorizationRef: auth.Ref, Amount: usd("1.00")})
	assert.ErrorIs(t, err, payment.ErrExceedsCaptured)
}

func TestSandboxInvalidAmounts(t *testing.T) {
	t.Parallel()
	s := payment.NewSandbox()
	auth, err := s.Authorize(ctx, payment.AuthorizeRequest{IdempotencyKey: "a", Amount: usd("7.00"), Token: payment.TokenApprove})
	require.NoError(t, err)
	for i, amt := range []string{"0", "-1", "0.001"} {
		_, err := s.Capture(ctx, payment.CaptureRequest{IdempotencyKey: "c" + amt, AuthorizationRef: auth.Ref, Amount: usd(amt)})
		assert.ErrorIs(t, err, payment.ErrInvalidAmount, "capture %d", i)
		_, err = s.Refund(ctx, payment.RefundRequest{IdempotencyKey: "r" + amt, AuthorizationRef: auth.Ref, Amount: usd(amt)})
		assert.ErrorIs(t, err, payment.ErrInvalidAmount, "refund %d", i)
	}
	_, err = s.Authorize(ctx, payment.AuthorizeRequest{IdempotencyKey: "x", Amount: usd("1.001"), Token: payment.TokenApprove})
	assert.ErrorIs(t, err, payment.ErrInvalidAmount)
}

// The Sandbox's ledger shows what it holds per authorization, in the order
// the authorizations were granted, after captures, refunds, voids, declines
// and idempotent repeats.
func TestSandboxAuthorizations(t *testing.T) {
	t.Parallel()
	s := payment.NewSandbox()
	assert.Empty(t, s.Authorizations())
	_, ok := s.Authorization("sbx_auth_1")
	assert.False(t, ok)

	var refs []string
	for i := range 12 { // more than 9, so that "sbx_auth_10" must not sort before "sbx_auth_2"
		res, err := s.Authorize(ctx, payment.AuthorizeRequest{IdempotencyKey: fmt.Sprintf("a%d", i), Amount: usd("10.00"), Token: payment.TokenApprove})
		require.NoError(t, err)
		refs = append(refs, res.Ref)
		_, err = s.Authorize(ctx, payment.AuthorizeRequest{IdempotencyKey: fmt.Sprintf("d%d", i), Amount: usd("10.00"), Token: payment.TokenDecline})
		require.ErrorIs(t, err, payment.ErrDeclined)
	}
	_, err := s.Capture(ctx, payment.CaptureRequest{IdempotencyKey: "c1", AuthorizationRef: refs[0], Amount: usd("4.00")})
	require.NoError(t, err)
	_, err = s.Capture(ctx, payment.CaptureRequest{IdempotencyKey: "c1", AuthorizationRef: refs[0], Amount: usd("4.00")}) // a repeat
	require.NoError(t, err)
	_, err = s.Refund(ctx, payment.RefundRequest{IdempotencyKey: "r1", AuthorizationRef: refs[0], Amount: usd("1.50")})
	require.NoError(t, err)
	_, err = s.Capture(ctx, payment.CaptureRequest{IdempotencyKey: "c2", AuthorizationRef: refs[0], Amount: usd("6.00")}) // after a refund
	require.NoError(t, err)
	_, err = s.Refund(ctx, payment.RefundRequest{IdempotencyKey: "r2", AuthorizationRef: refs[0], Amount: usd("9.00")})
	require.ErrorIs(t, err, payment.ErrExceedsCaptured)
	_, err = s.Void(ctx, payment.VoidRequest{IdempotencyKey: "v", AuthorizationRef: refs[11]})
	require.NoError(t, err)

	got := s.Authorizations()
	require.Len(t, got, 12)
	for i, a := range got {
		assert.Equal(t, refs[i], a.Ref, "position %d", i)
		assert.True(t, a.Amount.Equal(usd("10")))
		one, ok := s.Authorization(a.Ref)
		require.True(t, ok)
		assert.Equal(t, a, one)
	}
	assert.True(t, got[0].Captured.Equal(usd("10")), "%s", got[0].Captured)
	assert.True(t, got[0].Refunded.Equal(usd("1.50")))
	assert.False(t, got[0].Voided)
	assert.True(t, got[1].Captured.IsZero())
	assert.True(t, got[1].Refunded.IsZero())
	assert.True(t, got[11].Voided)

	// The view is a copy: changing it changes nothing in the Sandbox.
	got[0].Captured = usd("0")
	again, _ := s.Authorization(refs[0])
	assert.True(t, again.Captured.Equal(usd("10")))
}
