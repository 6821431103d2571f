package payment_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/fielderr"
	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/payment"
)

var (
	t0  = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	ctx = context.Background()
	usd = func(s string) money.Money { return money.MustParse(s, "USD") }
)

func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

func newPayment(t *testing.T, amount string) *payment.Payment {
	t.Helper()
	p, err := payment.New(newID(), "acme", newID(), "sandbox", usd(amount), t0)
	require.NoError(t, err)
	return p
}

func authorized(t *testing.T, amount string) *payment.Payment {
	t.Helper()
	p := newPayment(t, amount)
	require.NoError(t, p.RecordAuthorization(ctx, newID(), "auth_1", usd(amount), "k-auth", t0.Add(time.Minute)))
	return p
}

func TestNew(t *testing.T) {
	t.Parallel()
	id, order := newID(), newID()
	p, err := payment.New(id, "acme", order, "sandbox", usd("10.50"), t0)
	require.NoError(t, err)
	assert.Equal(t, id, p.ID)
	assert.Equal(t, "acme", p.Tenant)
	assert.Equal(t, order, p.OrderID)
	assert.Equal(t, "sandbox", p.Gateway)
	assert.Equal(t, payment.StatusPending, p.Status)
	assert.True(t, p.Amount.Equal(usd("10.50")))
	assert.True(t, p.Authorized.Equal(usd("0")))
	assert.True(t, p.Captured.Equal(usd("0")))
	assert.True(t, p.Refunded.Equal(usd("0")))
	assert.Equal(t, t0, p.CreatedAt)
	assert.Equal(t, t0, p.UpdatedAt)
	assert.Zero(t, p.Version)
	assert.Empty(t, p.Transactions)
	assert.Equal(t, money.Currency("USD"), p.Currency())
}

func TestNewInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		id, order  uuid.UUID
		tenant, gw string
		amount     money.Money
		now        time.Time
		fields     []string
		isAmount   bool
	}{
		{"nil id", uuid.Nil, newID(), "acme", "sandbox", usd("1"), t0, []string{"id"}, false},
		{"no tenant", newID(), newID(), "", "sandbox", usd("1"), t0, []string{"tenant"}, false},
		{"nil order", newID(), uuid.Nil, "acme", "sandbox", usd("1"), t0, []string{"order_id"}, false},
		{"no gateway", newID(), newID(), "acme", "", usd("1"), t0, []string{"gateway"}, false},
		{"zero amount", newID(), newID(), "acme", "sandbox", usd("0"), t0, []string{"amount"}, true},
		{"negative amount", newID(), newID(), "acme", "sandbox", usd("-1"), t0, []string{"amount"}, true},
		{"unrounded amount", newID(), newID(), "acme", "sandbox", usd("1.005"), t0, []string{"amount"}, true},
		{"unknown currency", newID(), newID(), "acme", "sandbox", money.New(usd("1").Amount(), "XXX"), t0, []string{"amount"}, true},
		{"zero time", newID(), newID(), "acme", "sandbox", usd("1"), time.Time{}, []string{"now"}, false},
		{"NUL in tenant", newID(), newID(), "ac\x00me", "sandbox", usd("1"), t0, []string{"tenant"}, false},
		{"invalid UTF-8 gateway", newID(), newID(), "acme", "sand\xffbox", usd("1"), t0, []string{"gateway"}, false},
		{"several", uuid.Nil, uuid.Nil, "", "", usd("0"), t0, []string{"id", "tenant", "order_id", "gateway", "amount"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := payment.New(tt.id, tt.tenant, tt.order, tt.gw, tt.amount, tt.now)
			require.Error(t, err)
			assert.Nil(t, p)
			assert.ErrorIs(t, err, payment.ErrInvalidInput)
			assert.Equal(t, tt.isAmount, errors.Is(err, payment.ErrInvalidAmount))
			var ve *fielderr.Error
			require.ErrorAs(t, err, &ve)
			var got []string
			for _, f := range ve.Fields {
				got = append(got, f.Path)
				assert.NotEmpty(t, f.Problem)
			}
			assert.Equal(t, tt.fields, got)
		})
	}
}

func TestLifecycleFullCaptureAndRefund(t *testing.T) {
	t.Parallel()
	p := newPayment(t, "100.00")
	authTx, capTx, refTx := newID(), newID(), newID()
	t1, t2, t3 := t0.Add(time.Minute), t0.Add(2*time.Minute), t0.Add(3*time.Minute)

	require.NoError(t, p.RecordAuthorization(ctx, authTx, "auth_1", usd("100.00"), "k1", t1))
	assert.Equal(t, payment.StatusAuthorized, p.Status)
	assert.Equal(t, "auth_1", p.AuthorizationRef)
	assert.True(t, p.Authorized.Equal(usd("100")))
	assert.True(t, p.Capturable().Equal(usd("100")))
	assert.True(t, p.Refundable().IsZero())
	assert.Equal(t, t1, p.UpdatedAt)

	require.NoError(t, p.RecordCapture(ctx, capTx, "cap_1", usd("100.00"), "k2", t2))
	assert.Equal(t, payment.StatusCaptured, p.Status)
	assert.True(t, p.Captured.Equal(usd("100")))
	assert.True(t, p.Capturable().IsZero())
	assert.True(t, p.Refundable().Equal(usd("100")))

	require.NoError(t, p.RecordRefund(ctx, refTx, "ref_1", usd("100.00"), "k3", t3))
	assert.Equal(t, payment.StatusCaptured, p.Status, "a refund leaves the capture status")
	assert.Equal(t, payment.RefundFull, p.RefundStatus())
	assert.True(t, p.Refunded.Equal(usd("100")))
	assert.True(t, p.Refundable().IsZero())
	assert.Equal(t, t3, p.UpdatedAt)

	require.Len(t, p.Transactions, 3)
	assert.Equal(t, payment.Transaction{ID: authTx, Kind: payment.KindAuthorize, Amount: usd("100.00"), GatewayRef: "auth_1", IdempotencyKey: "k1", At: t1}, p.Transactions[0])
	assert.Equal(t, payment.KindCapture, p.Transactions[1].Kind)
	assert.Equal(t, capTx, p.Transactions[1].ID)
	assert.Equal(t, payment.KindRefund, p.Transactions[2].Kind)
	assert.Equal(t, "ref_1", p.Transactions[2].GatewayRef)
}

func TestPartialCapturesAndRefunds(t *testing.T) {
	t.Parallel()
	p := authorized(t, "100.00")

	require.NoError(t, p.RecordCapture(ctx, newID(), "cap_1", usd("30.00"), "c1", t0))
	assert.Equal(t, payment.StatusPartiallyCaptured, p.Status)
	assert.True(t, p.Capturable().Equal(usd("70")))
	assert.True(t, p.Refundable().Equal(usd("30")))

	require.NoError(t, p.RecordCapture(ctx, newID(), "cap_2", usd("20.00"), "c2", t0))
	assert.Equal(t, payment.StatusPartiallyCaptured, p.Status)
	assert.True(t, p.Captured.Equal(usd("50")))

	// Refunding a partially captured payment is allowed and leaves the
	// rest of the authorization capturable.
	assert.Equal(t, payment.RefundNone, p.RefundStatus())
	require.NoError(t, p.RecordRefund(ctx, newID(), "ref_1", usd("10.00"), "r1", t0))
	assert.Equal(t, payment.StatusPartiallyCaptured, p.Status)
	assert.Equal(t, payment.RefundPartial, p.RefundStatus())
	assert.True(t, p.Capturable().Equal(usd("50")))
	assert.True(t, p.Refundable().Equal(usd("40")))
	require.NoError(t, p.CheckCapture(usd("1")))

	require.NoError(t, p.RecordRefund(ctx, newID(), "ref_2", usd("15.00"), "r2", t0))
	assert.Equal(t, payment.RefundPartial, p.RefundStatus())
	require.NoError(t, p.RecordRefund(ctx, newID(), "ref_3", usd("25.00"), "r3", t0))
	assert.Equal(t, payment.StatusPartiallyCaptured, p.Status)
	assert.Equal(t, payment.RefundFull, p.RefundStatus())
	assert.True(t, p.Refunded.Equal(usd("50")))
	assert.True(t, p.Refundable().IsZero())
	assert.Len(t, p.Transactions, 6)

	// Everything captured so far is refunded; the rest still captures.
	require.NoError(t, p.RecordCapture(ctx, newID(), "cap_3", usd("50.00"), "c3", t0))
	assert.Equal(t, payment.StatusCaptured, p.Status)
	assert.Equal(t, payment.RefundPartial, p.RefundStatus())
	assert.True(t, p.Refundable().Equal(usd("50")))
	assert.True(t, p.Capturable().IsZero())
}

func TestPartialCaptureThenRest(t *testing.T) {
	t.Parallel()
	p := authorized(t, "10.00")
	require.NoError(t, p.RecordCapture(ctx, newID(), "c1", usd("4.00"), "c1", t0))
	require.NoError(t, p.RecordCapture(ctx, newID(), "c2", usd("6.00"), "c2", t0))
	assert.Equal(t, payment.StatusCaptured, p.Status)
}

func TestFullRefundFromPartiallyCaptured(t *testing.T) {
	t.Parallel()
	p := authorized(t, "10.00")
	require.NoError(t, p.RecordCapture(ctx, newID(), "c1", usd("4.00"), "c1", t0))
	require.NoError(t, p.RecordRefund(ctx, newID(), "r1", usd("4.00"), "r1", t0))
	assert.Equal(t, payment.StatusPartiallyCaptured, p.Status)
	assert.Equal(t, payment.RefundFull, p.RefundStatus())
	assert.True(t, p.Capturable().Equal(usd("6")))
}

func TestPartialAuthorization(t *testing.T) {
	t.Parallel()
	p := newPayment(t, "10.00")
	require.NoError(t, p.RecordAuthorization(ctx, newID(), "a", usd("8.00"), "k", t0))
	assert.True(t, p.Capturable().Equal(usd("8")))
	err := p.CheckCapture(usd("8.01"))
	var ae *payment.AmountError
	require.ErrorAs(t, err, &ae)
	assert.True(t, ae.Limit.Equal(usd("8")))
	require.NoError(t, p.RecordCapture(ctx, newID(), "c", usd("8.00"), "k2", t0))
	assert.Equal(t, payment.StatusCaptured, p.Status)
}

func TestVoidAndFailure(t *testing.T) {
	t.Parallel()
	p := authorized(t, "10.00")
	require.NoError(t, p.CheckVoid())
	require.NoError(t, p.RecordVoid(ctx, newID(), "void_1", "v1", t0.Add(time.Hour)))
	assert.Equal(t, payment.StatusVoided, p.Status)
	assert.True(t, p.Capturable().IsZero())
	assert.Equal(t, payment.KindVoid, p.Transactions[1].Kind)
	assert.True(t, p.Transactions[1].Amount.Equal(usd("10")))
	assert.Equal(t, t0.Add(time.Hour), p.UpdatedAt)

	f := newPayment(t, "10.00")
	require.NoError(t, f.RecordFailure(ctx, "card_declined", t0.Add(time.Hour)))
	assert.Equal(t, payment.StatusFailed, f.Status)
	assert.Equal(t, "card_declined", f.FailureReason)
	assert.Empty(t, f.AllowedEvents())
}

func TestVoidAfterCaptureRefused(t *testing.T) {
	t.Parallel()
	p := authorized(t, "10.00")
	require.NoError(t, p.RecordCapture(ctx, newID(), "c", usd("1.00"), "c", t0))
	err := p.CheckVoid()
	require.ErrorIs(t, err, payment.ErrInvalidTransition)
	var te *payment.TransitionError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, payment.StatusPartiallyCaptured, te.From)
	assert.Equal(t, payment.EventVoid, te.Event)
	assert.Equal(t, []payment.Event{payment.EventCapture, payment.EventCapturePartial, payment.EventRefund, payment.EventRefundPartial}, te.Allowed)
}

// TestRefusedLeavesUnchanged checks that every refused call leaves the
// payment exactly as it was.
func TestRefusedLeavesUnchanged(t *testing.T) {
	t.Parallel()
	partially := func(t *testing.T) *payment.Payment {
		p := authorized(t, "10.00")
		require.NoError(t, p.RecordCapture(ctx, newID(), "c1", usd("4.00"), "c1", t0))
		return p
	}
	tests := []struct {
		name  string
		setup func(*testing.T) *payment.Payment
		call  func(*payment.Payment) error
		want  error
	}{
		{"authorize twice", authorized2, func(p *payment.Payment) error {
			return p.RecordAuthorization(ctx, newID(), "a2", usd("10"), "other", t0)
		}, payment.ErrInvalidTransition},
		{"authorize more than requested", pending, func(p *payment.Payment) error {
			return p.RecordAuthorization(ctx, newID(), "a", usd("10.01"), "k", t0)
		}, payment.ErrInvalidAmount},
		{"authorize other currency", pending, func(p *payment.Payment) error {
			return p.RecordAuthorization(ctx, newID(), "a", money.MustParse("10", "EUR"), "k", t0)
		}, payment.ErrInvalidAmount},
		{"authorize without ref", pending, func(p *payment.Payment) error {
			return p.RecordAuthorization(ctx, newID(), "", usd("10"), "k", t0)
		}, payment.ErrInvalidInput},
		{"authorize without tx id", pending, func(p *payment.Payment) error {
			return p.RecordAuthorization(ctx, uuid.Nil, "a", usd("10"), "k", t0)
		}, payment.ErrInvalidInput},
		{"fail without reason", pending, func(p *payment.Payment) error {
			return p.RecordFailure(ctx, "", t0)
		}, payment.ErrInvalidInput},
		{"fail after authorize", authorized2, func(p *payment.Payment) error {
			return p.RecordFailure(ctx, "x", t0)
		}, payment.ErrInvalidTransition},
		{"capture pending", pending, func(p *payment.Payment) error {
			return p.RecordCapture(ctx, newID(), "c", usd("1"), "k", t0)
		}, payment.ErrInvalidTransition},
		{"capture over", partially, func(p *payment.Payment) error {
			return p.RecordCapture(ctx, newID(), "c", usd("6.01"), "k", t0)
		}, payment.ErrExceedsAuthorized},
		{"capture zero", partially, func(p *payment.Payment) error {
			return p.RecordCapture(ctx, newID(), "c", usd("0"), "k", t0)
		}, payment.ErrInvalidAmount},
		{"capture negative", partially, func(p *payment.Payment) error {
			return p.RecordCapture(ctx, newID(), "c", usd("-1"), "k", t0)
		}, payment.ErrInvalidAmount},
		{"capture unrounded", partially, func(p *payment.Payment) error {
			return p.RecordCapture(ctx, newID(), "c", usd("0.001"), "k", t0)
		}, payment.ErrInvalidAmount},
		{"capture without ref", partially, func(p *payment.Payment) error {
			return p.RecordCapture(ctx, newID(), "", usd("1"), "k", t0)
		}, payment.ErrInvalidInput},
		{"capture zero time", partially, func(p *payment.Payment) error {
			return p.RecordCapture(ctx, newID(), "c", usd("1"), "k", time.Time{})
		}, payment.ErrInvalidInput},
		{"capture key reused for other amount", partially, func(p *payment.Payment) error {
			return p.RecordCapture(ctx, newID(), "c1", usd("1.00"), "c1", t0)
		}, payment.ErrIdempotencyConflict},
		{"capture key reused for refund", partially, func(p *payment.Payment) error {
			return p.RecordRefund(ctx, newID(), "c1", usd("4.00"), "c1", t0)
		}, payment.ErrIdempotencyConflict},
		{"void partially captured", partially, func(p *payment.Payment) error {
			return p.RecordVoid(ctx, newID(), "v", "k", t0)
		}, payment.ErrInvalidTransition},
		{"void without ref", authorized2, func(p *payment.Payment) error {
			return p.RecordVoid(ctx, newID(), "", "k", t0)
		}, payment.ErrInvalidInput},
		{"refund authorized", authorized2, func(p *payment.Payment) error {
			return p.RecordRefund(ctx, newID(), "r", usd("1"), "k", t0)
		}, payment.ErrInvalidTransition},
		{"refund over", partially, func(p *payment.Payment) error {
			return p.RecordRefund(ctx, newID(), "r", usd("4.01"), "k", t0)
		}, payment.ErrExceedsCaptured},
		{"refund other currency", partially, func(p *payment.Payment) error {
			return p.RecordRefund(ctx, newID(), "r", money.MustParse("1", "EUR"), "k", t0)
		}, payment.ErrInvalidAmount},
		{"capture ref with a NUL", partially, func(p *payment.Payment) error {
			return p.RecordCapture(ctx, newID(), "c\x00", usd("1"), "k", t0)
		}, payment.ErrInvalidInput},
		{"capture key not UTF-8", partially, func(p *payment.Payment) error {
			return p.RecordCapture(ctx, newID(), "c", usd("1"), "k\xff", t0)
		}, payment.ErrInvalidInput},
		{"authorize ref not UTF-8", pending, func(p *payment.Payment) error {
			return p.RecordAuthorization(ctx, newID(), "a\xc3", usd("10"), "k", t0)
		}, payment.ErrInvalidInput},
		{"fail with a NUL in the reason", pending, func(p *payment.Payment) error {
			return p.RecordFailure(ctx, "declined\x00", t0)
		}, payment.ErrInvalidInput},
		{"void key with a NUL", authorized2, func(p *payment.Payment) error {
			return p.RecordVoid(ctx, newID(), "v", "k\x00", t0)
		}, payment.ErrInvalidInput},
		{"refund ref with a NUL", partially, func(p *payment.Payment) error {
			return p.RecordRefund(ctx, newID(), "r\x00", usd("1"), "k", t0)
		}, payment.ErrInvalidInput},
		{"refund without tx id", partially, func(p *payment.Payment) error {
			return p.RecordRefund(ctx, uuid.Nil, "r", usd("1"), "k", t0)
		}, payment.ErrInvalidInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := tt.setup(t)
			before := p.Clone()
			err := tt.call(p)
			require.ErrorIs(t, err, tt.want)
			assert.Equal(t, before, p, "a refused call changes nothing")
		})
	}
}

func pending(t *testing.T) *payment.Payment     { return newPayment(t, "10.00") }
func authorized2(t *testing.T) *payment.Payment { return authorized(t, "10.00") }

func TestAmountErrorDetail(t *testing.T) {
	t.Parallel()
	p := authorized(t, "10.00")
	require.NoError(t, p.RecordCapture(ctx, newID(), "c", usd("3.00"), "c", t0))

	err := p.CheckCapture(usd("7.50"))
	var ae *payment.AmountError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "capture", ae.Op)
	assert.True(t, ae.Requested.Equal(usd("7.50")))
	assert.True(t, ae.Limit.Equal(usd("7.00")))
	assert.ErrorIs(t, err, payment.ErrExceedsAuthorized)
	assert.NotErrorIs(t, err, payment.ErrExceedsCaptured)
	assert.Contains(t, err.Error(), "7.50 USD")

	err = p.CheckRefund(usd("3.01"))
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "refund", ae.Op)
	assert.True(t, ae.Limit.Equal(usd("3.00")))
	assert.ErrorIs(t, err, payment.ErrExceedsCaptured)
	assert.NoError(t, p.CheckRefund(usd("3.00")))
	assert.NoError(t, p.CheckCapture(usd("7.00")))
}

func TestRecordIdempotent(t *testing.T) {
	t.Parallel()
	p := newPayment(t, "10.00")
	authTx := newID()
	require.NoError(t, p.RecordAuthorization(ctx, authTx, "a", usd("10.00"), "ka", t0))
	require.NoError(t, p.RecordAuthorization(ctx, newID(), "a", usd("10.00"), "ka", t0), "same result again")
	require.NoError(t, p.RecordCapture(ctx, newID(), "c", usd("4.00"), "kc", t0))
	require.NoError(t, p.RecordCapture(ctx, newID(), "c", usd("4.00"), "kc", t0.Add(time.Hour)), "same capture again")
	assert.True(t, p.Captured.Equal(usd("4")), "captured once")
	assert.Len(t, p.Transactions, 2)
	assert.Equal(t, t0, p.UpdatedAt)

	// Without a key nothing is de-duplicated.
	require.NoError(t, p.RecordCapture(ctx, newID(), "c2", usd("1.00"), "", t0))
	require.NoError(t, p.RecordCapture(ctx, newID(), "c3", usd("1.00"), "", t0))
	assert.True(t, p.Captured.Equal(usd("6")))
}

func TestClone(t *testing.T) {
	t.Parallel()
	p := authorized(t, "10.00")
	require.NoError(t, p.RecordCapture(ctx, newID(), "c", usd("4.00"), "c", t0))
	c := p.Clone()
	require.Equal(t, p, c)

	c.Transactions[0].GatewayRef = "changed"
	c.Transactions = append(c.Transactions, payment.Transaction{Kind: payment.KindRefund})
	require.NoError(t, c.RecordCapture(ctx, newID(), "c9", usd("1.00"), "c9", t0))
	c.Status = payment.StatusVoided
	c.Captured = usd("9")

	assert.Equal(t, "auth_1", p.Transactions[0].GatewayRef)
	assert.Len(t, p.Transactions, 2)
	assert.Equal(t, payment.StatusPartiallyCaptured, p.Status)
	assert.True(t, p.Captured.Equal(usd("4")))
	assert.Nil(t, (*payment.Payment)(nil).Clone())
}

func TestErrorTypes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		err          error
		declined     bool
		insufficient bool
		transient    bool
	}{
		{"card declined", &payment.DeclineError{Code: payment.CodeCardDeclined}, true, false, false},
		{"insufficient", &payment.DeclineError{Code: payment.CodeInsufficientFunds, Message: "low"}, true, true, false},
		{"wrapped insufficient", errors.Join(errors.New("ctx"), &payment.DeclineError{Code: "insufficient_funds"}), true, true, false},
		{"transient", payment.ErrTransient, false, false, true},
		{"wrapped transient", errors.Join(errors.New("timeout"), payment.ErrTransient), false, false, true},
		{"other", errors.New("boom"), false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.declined, errors.Is(tt.err, payment.ErrDeclined))
			assert.Equal(t, tt.insufficient, errors.Is(tt.err, payment.ErrInsufficientFunds))
			assert.Equal(t, tt.transient, payment.IsTransient(tt.err))
		})
	}
	assert.Equal(t, "payment: declined: insufficient_funds: low", (&payment.DeclineError{Code: "insufficient_funds", Message: "low"}).Error())
	assert.Equal(t, "payment: declined: card_declined", (&payment.DeclineError{Code: "card_declined"}).Error())
	_, ve := payment.NewSandbox().Authorize(ctx, payment.AuthorizeRequest{Amount: usd("1.00"), Token: payment.TokenApprove})
	require.Error(t, ve)
	assert.Equal(t, "payment: invalid input: idempotency_key: required", ve.Error())
	assert.ErrorIs(t, ve, payment.ErrInvalidInput)
	assert.NotErrorIs(t, ve, payment.ErrInvalidAmount)
}

// The authorization token is stored with the payment, so a recovery can
// repeat the authorization request; payments stored without it still load.
func TestAuthorizationTokenIsStored(t *testing.T) {
	t.Parallel()
	p := newPayment(t, "10.00")
	p.AuthorizationToken = payment.TokenTransientOnce
	b, err := json.Marshal(p)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"authorization_token":"tok_transient_once"`)
	var back payment.Payment
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, payment.TokenTransientOnce, back.AuthorizationToken)
	assert.Equal(t, p.AuthorizationToken, p.Clone().AuthorizationToken)

	p.AuthorizationToken = ""
	b, err = json.Marshal(p)
	require.NoError(t, err)
	assert.NotContains(t, string(b), "authorization_token")
}

// A goodwill refund after a partial shipment must not stop the remaining
// parcels from being captured: captures stay possible while Authorized −
// Captured is positive, whatever was refunded.
func TestCaptureAfterRefund(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		refund  string
		capture []string
	}{
		{"after a partial refund", "10.00", []string{"20.00", "50.00"}},
		{"after refunding everything captured", "30.00", []string{"70.00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := authorized(t, "100.00")
			require.NoError(t, p.RecordCapture(ctx, newID(), "cap_1", usd("30.00"), "c1", t0))
			require.NoError(t, p.CheckRefund(usd(tt.refund)))
			require.NoError(t, p.RecordRefund(ctx, newID(), "ref_1", usd(tt.refund), "r1", t0))
			assert.True(t, p.Can(payment.EventCapturePartial))
			assert.True(t, p.Can(payment.EventCapture))
			assert.False(t, p.Can(payment.EventVoid))
			assert.True(t, p.Capturable().Equal(usd("70")), "%s", p.Capturable())
			for i, c := range tt.capture {
				require.NoError(t, p.CheckCapture(usd(c)))
				require.NoError(t, p.RecordCapture(ctx, newID(), fmt.Sprintf("cap_%d", i+2), usd(c), fmt.Sprintf("c%d", i+2), t0))
			}
			assert.Equal(t, payment.StatusCaptured, p.Status)
			assert.True(t, p.Captured.Equal(usd("100")))
			assert.True(t, p.Capturable().IsZero())
			rest := usd("100.00")
			rest, _ = rest.Sub(usd(tt.refund))
			assert.True(t, p.Refundable().Equal(rest))
			require.NoError(t, p.RecordRefund(ctx, newID(), "ref_2", rest, "r2", t0))
			assert.Equal(t, payment.RefundFull, p.RefundStatus())
			assert.Empty(t, slices.DeleteFunc(p.AllowedEvents(), func(e payment.Event) bool {
				return e == payment.EventRefund || e == payment.EventRefundPartial
			}), "only refunds are allowed once everything is captured")
		})
	}
}

// Payments stored with the legacy statuses partially_refunded and refunded
// load as their capture status and behave as current ones.
func TestLegacyRefundStatusesLoad(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, status, authorized, captured, refunded string
		want                                         payment.Status
		capturable                                   string
		refund                                       payment.RefundStatus
	}{
		{"partially refunded, partly captured", "partially_refunded", "100.00", "30.00", "10.00", payment.StatusPartiallyCaptured, "70", payment.RefundPartial},
		{"refunded, partly captured", "refunded", "100.00", "30.00", "30.00", payment.StatusPartiallyCaptured, "70", payment.RefundFull},
		{"partially refunded, fully captured", "partially_refunded", "100.00", "100.00", "10.00", payment.StatusCaptured, "0", payment.RefundPartial},
		{"refunded, fully captured", "refunded", "100.00", "100.00", "100.00", payment.StatusCaptured, "0", payment.RefundFull},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := authorized(t, "100.00")
			p.Captured, p.Refunded = usd(tt.captured), usd(tt.refunded)
			p.Status = payment.Status(tt.status)

			// In memory, as a store that does not decode JSON would hold it.
			assert.True(t, p.Capturable().Equal(usd(tt.capturable)), "%s", p.Capturable())
			assert.Equal(t, tt.want != payment.StatusCaptured, p.Can(payment.EventCapturePartial))
			assert.True(t, p.Can(payment.EventRefundPartial))
			assert.Equal(t, tt.refund, p.RefundStatus())

			// As stored JSON, the form the SQL stores keep.
			b, err := json.Marshal(p)
			require.NoError(t, err)
			require.Contains(t, string(b), `"status":"`+tt.status+`"`)
			var back payment.Payment
			require.NoError(t, json.Unmarshal(b, &back))
			assert.Equal(t, tt.want, back.Status)
			assert.True(t, back.Capturable().Equal(usd(tt.capturable)))
			assert.Equal(t, tt.refund, back.RefundStatus())
			if tt.want == payment.StatusPartiallyCaptured {
				require.NoError(t, back.RecordCapture(ctx, newID(), "cap_9", usd("70.00"), "c9", t0))
				assert.Equal(t, payment.StatusCaptured, back.Status)
				require.NoError(t, p.RecordCapture(ctx, newID(), "cap_9", usd("70.00"), "c9", t0))
				assert.Equal(t, payment.StatusCaptured, p.Status, "a recorded event rewrites a legacy status")
			}
		})
	}
}
