package order_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/order"
)

func TestNew(t *testing.T) {
	t.Parallel()
	o := newOrder(t)
	assert.Equal(t, orderID(1), o.ID)
	assert.Equal(t, tenant, o.Tenant)
	assert.Equal(t, int64(0), o.Version)
	assert.Equal(t, order.StatusPending, o.Status)
	assert.Equal(t, t0, o.CreatedAt)
	assert.Equal(t, t0, o.UpdatedAt)
	assert.Nil(t, o.DeliveredAt)
	assert.Nil(t, o.Feedback)
	assert.Equal(t, "113-1234567-1234567", o.ExternalRef)
	assert.Equal(t, money.Currency("USD"), o.Currency)
	require.Len(t, o.Lines, 2)
	assert.NotEqual(t, o.Lines[0].ID, o.Lines[1].ID)
	assert.Equal(t, "TEE-M", o.Lines[0].SKU)
	assert.Equal(t, int64(3), o.Units())
	assert.Equal(t, order.FulfillmentSummary{Status: order.FulfillmentUnfulfilled, Ordered: 3}, o.Fulfillment)
	assert.Equal(t, order.PaymentPending, o.Payment.Status)
	assert.True(t, o.Payment.Captured.Equal(usd("0")))

	want := []struct{ sub, disc, ship, tax, total string }{
		{"39.98", "3.81", "3.80", "3.20", "43.17"},
		{"12.50", "1.19", "1.19", "1.00", "13.50"},
	}
	for i, w := range want {
		l := o.Lines[i]
		assert.Equal(t, w.sub, l.Subtotal.Amount().StringFixed(2), "line %d subtotal", i)
		assert.Equal(t, w.disc, l.Discount.Amount().StringFixed(2), "line %d discount", i)
		assert.Equal(t, w.ship, l.Shipping.Amount().StringFixed(2), "line %d shipping", i)
		assert.Equal(t, w.tax, l.Tax.Amount().StringFixed(2), "line %d tax", i)
		assert.Equal(t, w.total, l.Total.Amount().StringFixed(2), "line %d total", i)
	}
	assert.Equal(t, "52.48 USD", o.Totals.Subtotal.String())
	assert.Equal(t, "5.00 USD", o.Totals.Discount.String())
	assert.Equal(t, "4.99 USD", o.Totals.Shipping.String())
	assert.Equal(t, "4.20 USD", o.Totals.Tax.String())
	assert.Equal(t, "56.67 USD", o.Totals.Total.String())
}

func TestNewTotals(t *testing.T) {
	t.Parallel()
	line := func(sku string, q int64, p money.Money) order.DraftLine {
		return order.DraftLine{SKU: sku, Quantity: q, UnitPrice: p}
	}
	jpy := func(s string) money.Money { return money.MustParse(s, "JPY") }
	tests := []struct {
		name     string
		cur      money.Currency
		lines    []order.DraftLine
		discount money.Money
		shipping money.Money
		rate     string
		// per line: subtotal, discount, shipping, tax, total
		want  [][5]string
		total string
	}{
		{
			name: "JPY discount split by largest remainder", cur: "JPY",
			lines:    []order.DraftLine{line("A", 1, jpy("100")), line("B", 1, jpy("100")), line("C", 1, jpy("100"))},
			discount: jpy("100"), rate: "0.1",
			want:  [][5]string{{"100", "34", "0", "7", "73"}, {"100", "33", "0", "7", "74"}, {"100", "33", "0", "7", "74"}},
			total: "221 JPY",
		},
		{
			name: "free lines share shipping equally", cur: "USD",
			lines:    []order.DraftLine{line("A", 1, usd("0")), line("B", 2, usd("0"))},
			shipping: usd("5.01"), rate: "0.1",
			want:  [][5]string{{"0.00", "0.00", "2.51", "0.25", "2.76"}, {"0.00", "0.00", "2.50", "0.25", "2.75"}},
			total: "5.51 USD",
		},
		{
			name: "sub-minor unit price rounds the subtotal", cur: "USD",
			lines: []order.DraftLine{line("A", 3, usd("0.333"))}, rate: "0",
			want:  [][5]string{{"1.00", "0.00", "0.00", "0.00", "1.00"}},
			total: "1.00 USD",
		},
		{
			name: "tax rounds half away from zero", cur: "USD",
			lines: []order.DraftLine{line("A", 1, usd("2.50"))}, rate: "0.05",
			want:  [][5]string{{"2.50", "0.00", "0.00", "0.13", "2.63"}},
			total: "2.63 USD",
		},
		{
			name: "full discount leaves shipping taxed", cur: "USD",
			lines:    []order.DraftLine{line("A", 2, usd("10"))},
			discount: usd("20"), shipping: usd("5"), rate: "0.2",
			want:  [][5]string{{"20.00", "20.00", "5.00", "1.00", "6.00"}},
			total: "6.00 USD",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := validDraft()
			d.Currency, d.Lines, d.Discount, d.ShippingCharge = tt.cur, tt.lines, tt.discount, tt.shipping
			d.TaxRate = decimal.RequireFromString(tt.rate)
			o, err := order.New(orderID(2), tenant, ids(), d, t0)
			require.NoError(t, err)
			require.Len(t, o.Lines, len(tt.want))
			places := tt.cur.MinorUnits()
			for i, w := range tt.want {
				l := o.Lines[i]
				got := [5]string{}
				for j, m := range []money.Money{l.Subtotal, l.Discount, l.Shipping, l.Tax, l.Total} {
					assert.Equal(t, tt.cur, m.Currency())
					got[j] = m.Amount().StringFixed(places)
				}
				assert.Equal(t, w, got, "line %d", i)
			}
			assert.Equal(t, tt.total, o.Totals.Total.String())
			requireTotalsInvariant(t, o)
		})
	}
}

// requireTotalsInvariant checks that the lines sum exactly to the totals.
func requireTotalsInvariant(t testingT, o *order.Order) {
	t.Helper()
	get := []func(order.Line) money.Money{
		func(l order.Line) money.Money { return l.Subtotal },
		func(l order.Line) money.Money { return l.Discount },
		func(l order.Line) money.Money { return l.Shipping },
		func(l order.Line) money.Money { return l.Tax },
		func(l order.Line) money.Money { return l.Total },
	}
	want := []money.Money{o.Totals.Subtotal, o.Totals.Discount, o.Totals.Shipping, o.Totals.Tax, o.Totals.Total}
	for k, g := range get {
		parts := make([]money.Money, len(o.Lines))
		for i, l := range o.Lines {
			parts[i] = g(l)
			require.True(t, parts[i].IsRounded(), "line %d amount %d not rounded: %s", i, k, parts[i])
			require.False(t, parts[i].IsNegative(), "line %d amount %d negative: %s", i, k, parts[i])
		}
		sum, err := money.Sum(o.Currency, parts...)
		require.NoError(t, err)
		require.True(t, sum.Equal(want[k]), "amount %d: lines sum to %s, totals say %s", k, sum, want[k])
	}
	for i, l := range o.Lines {
		total := mustSum(t, l.Subtotal, l.Discount.Neg(), l.Shipping, l.Tax)
		require.True(t, total.Equal(l.Total), "line %d total %s != %s", i, l.Total, total)
	}
	total := mustSum(t, o.Totals.Subtotal, o.Totals.Discount.Neg(), o.Totals.Shipping, o.Totals.Tax)
	require.True(t, total.Equal(o.Totals.Total), "total %s != %s", o.Totals.Total, total)
}

func mustSum(t testingT, ms ...money.Money) money.Money {
	t.Helper()
	s, err := money.Sum(ms[0].Currency(), ms...)
	require.NoError(t, err)
	return s
}

func TestNewRejects(t *testing.T) {
	t.Parallel()
	repeat := func() uuid.UUID { return orderID(9) }
	nilIDs := func() uuid.UUID { return uuid.Nil }
	bad := validDraft()
	bad.Lines[0].Quantity = 0
	tests := []struct {
		name    string
		id      uuid.UUID
		tenant  string
		lineIDs func() uuid.UUID
		draft   order.Draft
		fields  []string
	}{
		{"nil id", uuid.Nil, tenant, ids(), validDraft(), []string{"id"}},
		{"empty tenant", orderID(1), "", ids(), validDraft(), []string{"tenant"}},
		{"nil line IDs", orderID(1), tenant, nil, validDraft(), []string{"line_ids"}},
		{"repeated line IDs", orderID(1), tenant, repeat, validDraft(), []string{"lines[1].id"}},
		{"nil line ID", orderID(1), tenant, nilIDs, validDraft(), []string{"lines[0].id", "lines[1].id"}},
		{"invalid draft and id", uuid.Nil, tenant, ids(), bad, []string{"id", "lines[0].quantity"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o, err := order.New(tt.id, tt.tenant, tt.lineIDs, tt.draft, t0)
			assert.Nil(t, o)
			requireFields(t, err, tt.fields...)
		})
	}
}

func TestNewDoesNotAliasDraft(t *testing.T) {
	t.Parallel()
	d := validDraft()
	o, err := order.New(orderID(1), tenant, ids(), d, t0)
	require.NoError(t, err)
	d.ShippingAddress.Geo.Lat = 0
	d.Lines[0].SKU = "CHANGED"
	assert.Equal(t, 39.8, o.ShippingAddress.Geo.Lat)
	assert.Equal(t, "TEE-M", o.Lines[0].SKU)
}

func TestClone(t *testing.T) {
	t.Parallel()
	o := orderIn(t, order.StatusDelivered)
	require.NoError(t, o.LeaveFeedback(5, "great", t0))
	c := o.Clone()
	require.Equal(t, o, c)

	c.Lines[0].Shipped = 0
	c.Lines = append(c.Lines, order.Line{SKU: "X"})
	c.ShippingAddress.Geo.Lat = 1
	c.Feedback.Rating = 1
	*c.DeliveredAt = t0.AddDate(1, 0, 0)
	c.Customer.Name = "someone else"

	assert.Equal(t, int64(2), o.Lines[0].Shipped)
	assert.Len(t, o.Lines, 2)
	assert.Equal(t, 39.8, o.ShippingAddress.Geo.Lat)
	assert.Equal(t, 5, o.Feedback.Rating)
	assert.NotEqual(t, t0.AddDate(1, 0, 0), *o.DeliveredAt)
	assert.Equal(t, "Ada Lovelace", o.Customer.Name)

	var nilOrder *order.Order
	assert.Nil(t, nilOrder.Clone())
}

func TestLineLookup(t *testing.T) {
	t.Parallel()
	o := newOrder(t)
	l, ok := o.Line(o.Lines[1].ID)
	require.True(t, ok)
	assert.Equal(t, "MUG", l.SKU)
	_, ok = o.Line(orderID(77))
	assert.False(t, ok)
}

func TestShareOf(t *testing.T) {
	t.Parallel()
	d := validDraft()
	d.Lines = []order.DraftLine{{SKU: "A", Quantity: 3, UnitPrice: usd("3.3333")}} // subtotal 10.00
	d.Discount, d.ShippingCharge, d.TaxRate = money.Money{}, money.Money{}, decimal.Zero
	o, err := order.New(orderID(1), tenant, ids(), d, t0)
	require.NoError(t, err)
	l := o.Lines[0]

	tests := []struct {
		from, n int64
		want    string
	}{
		{0, 0, "0.00 USD"},
		{0, 1, "3.33 USD"},
		{1, 1, "3.33 USD"},
		{2, 1, "3.34 USD"},
		{0, 3, "10.00 USD"},
		{1, 2, "6.67 USD"},
	}
	for _, tt := range tests {
		got, err := l.ShareOf(tt.from, tt.n)
		require.NoError(t, err)
		assert.Equal(t, tt.want, got.String(), "ShareOf(%d, %d)", tt.from, tt.n)
	}

	for _, bad := range [][2]int64{{-1, 1}, {0, -1}, {0, 4}, {3, 1}, {4, 0}, {2, 1 << 62}} {
		_, err := l.ShareOf(bad[0], bad[1])
		require.ErrorIs(t, err, order.ErrQuantityExceeded, "ShareOf(%d, %d)", bad[0], bad[1])
		var qe *order.QuantityError
		require.ErrorAs(t, err, &qe)
		assert.Equal(t, l.ID, qe.Line)
		assert.Equal(t, int64(3), qe.Available)
	}
}

func TestLogValueRedacts(t *testing.T) {
	t.Parallel()
	o := newOrder(t)
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	log.Info("placed", "order", o, "draft", validDraft(), "customer", o.Customer, "address", o.ShippingAddress)
	out := buf.String()
	for _, secret := range []string{"Ada", "Lovelace", "ada@example.com", "555", "Main St", "Springfield", "62701", "39.8"} {
		assert.NotContains(t, out, secret)
	}
	for _, public := range []string{"c-1", `"country":"US"`, "[redacted]", o.ID.String(), "amazon-us", "56.67 USD"} {
		assert.Contains(t, out, public)
	}
}

func TestOrderJSONRoundTrip(t *testing.T) {
	t.Parallel()
	o := orderIn(t, order.StatusDelivered)
	require.NoError(t, o.LeaveFeedback(4, "ok", t0))
	b, err := json.Marshal(o)
	require.NoError(t, err)
	var back order.Order
	require.NoError(t, json.Unmarshal(b, &back))
	b2, err := json.Marshal(&back)
	require.NoError(t, err)
	assert.JSONEq(t, string(b), string(b2))
	assert.True(t, back.Totals.Total.Equal(o.Totals.Total))
	assert.Equal(t, o.Lines[1].ID, back.Lines[1].ID)
	assert.Equal(t, order.StatusDelivered, back.Status)
}
