package order_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/fielderr"
	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/order"
)

var (
	t0     = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	ctx    = context.Background()
	tenant = "acme"
)

// testingT is what the helpers need; both *testing.T and *rapid.T have it.
type testingT interface {
	require.TestingT
	Helper()
}

// ids returns a deterministic line ID source.
func ids() func() uuid.UUID {
	var n byte
	return func() uuid.UUID {
		n++
		var u uuid.UUID
		u[6], u[8], u[15] = 0x70, 0x80, n
		return u
	}
}

func orderID(n byte) uuid.UUID {
	var u uuid.UUID
	u[0], u[6], u[8] = n, 0x70, 0x80
	return u
}

func usd(s string) money.Money { return money.MustParse(s, "USD") }

func validDraft() order.Draft {
	return order.Draft{
		Channel:     order.Channel{Kind: order.ChannelMarketplace, Name: "amazon-us"},
		ExternalRef: "113-1234567-1234567",
		Customer:    order.Customer{ID: "c-1", Name: "Ada Lovelace", Email: "ada@example.com", Phone: "+1 555 0100"},
		ShippingAddress: order.Address{
			Name: "Ada Lovelace", Line1: "1 Main St", City: "Springfield", Region: "IL",
			PostalCode: "62701", Country: "US", Geo: &order.GeoPoint{Lat: 39.8, Lon: -89.6},
		},
		Currency: "USD",
		Lines: []order.DraftLine{
			{SKU: "TEE-M", Quantity: 2, UnitPrice: usd("19.99")},
			{SKU: "MUG", Quantity: 1, UnitPrice: usd("12.50")},
		},
		Discount:       usd("5.00"),
		ShippingCharge: usd("4.99"),
		TaxRate:        decimal.RequireFromString("0.08"),
	}
}

func newOrder(t testingT) *order.Order {
	t.Helper()
	o, err := order.New(orderID(1), tenant, ids(), validDraft(), t0)
	require.NoError(t, err)
	return o
}

// all returns a map shipping or returning every remaining unit of o.
func all(o *order.Order, returned bool) map[uuid.UUID]int64 {
	m := map[uuid.UUID]int64{}
	for _, l := range o.Lines {
		if returned {
			m[l.ID] = l.Shipped - l.Returned
		} else {
			m[l.ID] = l.Quantity - l.Shipped
		}
	}
	return m
}

// orderIn returns an order brought to status s through the public methods.
func orderIn(t testing.TB, s order.Status) *order.Order {
	t.Helper()
	o := newOrder(t)
	step := func(err error) { t.Helper(); require.NoError(t, err) }
	now := t0.Add(time.Hour)
	partial := func() map[uuid.UUID]int64 { return map[uuid.UUID]int64{o.Lines[0].ID: 1} }
	switch s {
	case order.StatusPending:
	case order.StatusConfirmed:
		step(o.Confirm(ctx, now))
	case order.StatusOnHold:
		step(o.Confirm(ctx, now))
		step(o.Hold(ctx, "fraud check", now))
	case order.StatusProcessing:
		step(o.Confirm(ctx, now))
		step(o.StartProcessing(ctx, now))
	case order.StatusPartiallyShipped:
		step(o.Confirm(ctx, now))
		step(o.RecordShipment(ctx, partial(), now))
	case order.StatusShipped, order.StatusDelivered, order.StatusCompleted,
		order.StatusPartiallyReturned, order.StatusReturned:
		step(o.Confirm(ctx, now))
		step(o.RecordShipment(ctx, all(o, false), now))
		if s == order.StatusShipped {
			break
		}
		step(o.MarkDelivered(ctx, now))
		switch s {
		case order.StatusCompleted:
			step(o.Complete(ctx, now))
		case order.StatusPartiallyReturned:
			step(o.RecordReturn(ctx, partial(), now))
		case order.StatusReturned:
			step(o.RecordReturn(ctx, all(o, true), now))
		}
	case order.StatusCancelled:
		step(o.Cancel(ctx, "customer request", now))
	default:
		t.Fatalf("no path to %s", s)
	}
	require.Equal(t, s, o.Status)
	return o
}

// requireUnchanged runs f, which must fail, and checks o did not change.
func requireUnchanged(t *testing.T, o *order.Order, f func() error) error {
	t.Helper()
	before := o.Clone()
	err := f()
	require.Error(t, err)
	require.Equal(t, before, o, "a failed call must leave the order unchanged")
	return err
}

// requireFields checks err is a *fielderr.Error naming exactly fields.
func requireFields(t *testing.T, err error, fields ...string) *fielderr.Error {
	t.Helper()
	require.ErrorIs(t, err, order.ErrInvalidOrder)
	var ve *fielderr.Error
	require.ErrorAs(t, err, &ve)
	got := make([]string, len(ve.Fields))
	for i, f := range ve.Fields {
		got[i] = f.Path
	}
	require.ElementsMatch(t, fields, got, "problems: %v", ve.Fields)
	return ve
}
