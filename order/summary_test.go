package order_test

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/order"
)

func TestSyncPayment(t *testing.T) {
	t.Parallel()
	// The order's total is 56.67 USD.
	none := money.Money{}
	tests := []struct {
		name                           string
		authorized, captured, refunded money.Money
		voided, failed                 bool
		want                           order.PaymentStatus
	}{
		{"nothing yet", none, none, none, false, false, order.PaymentPending},
		{"zeros in currency", usd("0"), usd("0"), usd("0"), false, false, order.PaymentPending},
		{"authorized", usd("56.67"), none, none, false, false, order.PaymentAuthorized},
		{"failed", none, none, none, false, true, order.PaymentFailed},
		{"failed retry after authorization", usd("56.67"), none, none, false, true, order.PaymentAuthorized},
		{"voided", usd("56.67"), none, none, true, false, order.PaymentVoided},
		{"partially paid", usd("56.67"), usd("20.00"), none, false, false, order.PaymentPartiallyPaid},
		{"partially paid then voided", usd("56.67"), usd("20.00"), none, true, false, order.PaymentPartiallyPaid},
		{"paid", usd("56.67"), usd("56.67"), none, false, false, order.PaymentPaid},
		{"overpaid", usd("60"), usd("60"), none, false, false, order.PaymentPaid},
		{"partially refunded", usd("56.67"), usd("56.67"), usd("10"), false, false, order.PaymentPartiallyRefunded},
		{"refunded", usd("56.67"), usd("56.67"), usd("56.67"), false, false, order.PaymentRefunded},
		{"refunded a partial capture", usd("56.67"), usd("20"), usd("20"), false, false, order.PaymentRefunded},
		{"partial refund of partial capture", usd("56.67"), usd("20"), usd("5"), false, false, order.PaymentPartiallyRefunded},
		{"other currency counts as zero", money.MustParse("56.67", "EUR"), none, none, false, false, order.PaymentPending},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := newOrder(t)
			at := t0.Add(time.Minute)
			o.SyncPayment(order.PaymentFacts{
				Authorized: tt.authorized, Captured: tt.captured, Refunded: tt.refunded,
				Voided: tt.voided, Failed: tt.failed,
			}, at)
			assert.Equal(t, tt.want, o.Payment.Status)
			assert.Equal(t, at, o.UpdatedAt)
			for _, m := range []money.Money{o.Payment.Authorized, o.Payment.Captured, o.Payment.Refunded} {
				assert.Equal(t, money.Currency("USD"), m.Currency())
			}
			if tt.captured.Currency() == "USD" {
				assert.True(t, tt.captured.Equal(o.Payment.Captured))
			}
		})
	}
}

func TestZeroTotalOrderIsPaid(t *testing.T) {
	t.Parallel()
	d := validDraft()
	d.Lines = []order.DraftLine{{SKU: "FREE", Quantity: 1, UnitPrice: usd("0")}}
	d.Discount, d.ShippingCharge, d.TaxRate = money.Money{}, money.Money{}, decimal.Zero
	o, err := order.New(orderID(3), tenant, ids(), d, t0)
	require.NoError(t, err)
	assert.True(t, o.Totals.Total.IsZero())
	assert.Equal(t, order.PaymentPaid, o.Payment.Status)
}

func TestPaymentFactsValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		facts  order.PaymentFacts
		fields []string
	}{
		{"empty", order.PaymentFacts{}, nil},
		{"consistent", order.PaymentFacts{Authorized: usd("10"), Captured: usd("10"), Refunded: usd("10")}, nil},
		{"currency mismatch", order.PaymentFacts{Captured: money.MustParse("1", "EUR")}, []string{"captured"}},
		{"negative", order.PaymentFacts{Authorized: usd("-1")}, []string{"authorized"}},
		{"refund over capture", order.PaymentFacts{Captured: usd("5"), Refunded: usd("6")}, []string{"refunded"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.facts.Validate("USD")
			if tt.fields == nil {
				require.NoError(t, err)
				return
			}
			requireFields(t, err, tt.fields...)
		})
	}
}
