package payment_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/payment"
)

func TestToCaptureAndToRefund(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	eur := func(s string) money.Money { return money.MustParse(s, "EUR") }
	newPayment := func() *payment.Payment {
		p, err := payment.New(uuid.New(), "t", uuid.New(), "sandbox", eur("10.00"), now)
		require.NoError(t, err)
		return p
	}
	failed := newPayment()
	require.NoError(t, failed.RecordFailure(ctx, "declined", now))
	authorized := newPayment()
	require.NoError(t, authorized.RecordAuthorization(ctx, uuid.New(), "auth_1", eur("10.00"), "k1", now))
	captured := newPayment()
	require.NoError(t, captured.RecordAuthorization(ctx, uuid.New(), "auth_2", eur("10.00"), "k2", now))
	require.NoError(t, captured.RecordCapture(ctx, uuid.New(), "cap_1", eur("10.00"), "k3", now))

	for _, tc := range []struct {
		name                string
		ps                  []*payment.Payment
		toCapture, toRefund *payment.Payment
	}{
		{"none", nil, nil, nil},
		{"failed only", []*payment.Payment{failed}, nil, nil},
		{"authorized after a failure", []*payment.Payment{failed, authorized}, authorized, nil},
		{"captured in full", []*payment.Payment{captured}, nil, captured},
		{"one of each", []*payment.Payment{captured, authorized}, authorized, captured},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Same(t, tc.toCapture, payment.ToCapture(tc.ps))
			assert.Same(t, tc.toRefund, payment.ToRefund(tc.ps))
		})
	}
}
