package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/storage"
)

// benchDocuments returns a confirmed 3-line order and its captured payment.
func benchDocuments(b *testing.B) (*order.Order, *payment.Payment) {
	b.Helper()
	ctx := context.Background()
	now := time.Date(2025, 3, 1, 12, 0, 0, 123456789, time.UTC)
	usd := func(s string) money.Money { return money.New(decimal.RequireFromString(s), "USD") }
	d := order.Draft{
		Channel:         order.Channel{Kind: order.ChannelKind("web"), Name: "shop"},
		Customer:        order.Customer{ID: "c1", Name: "Ada Lovelace", Email: "ada@example.com"},
		ShippingAddress: order.Address{Name: "Ada Lovelace", Line1: "1 Main St", City: "Springfield", PostalCode: "12345", Country: "US"},
		Currency:        "USD",
		Lines: []order.DraftLine{{SKU: "MUG", Quantity: 2, UnitPrice: usd("9.99")},
			{SKU: "CAP", Quantity: 1, UnitPrice: usd("15.00")}, {SKU: "TEE", Quantity: 3, UnitPrice: usd("7.25")}},
		ShippingCharge: usd("4.90"),
		TaxRate:        decimal.RequireFromString("0.08"),
	}
	o, err := order.New(uuid.Must(uuid.NewV7()), "acme", func() uuid.UUID { return uuid.Must(uuid.NewV7()) }, d, now)
	if err != nil {
		b.Fatal(err)
	}
	if err := o.Confirm(ctx, now); err != nil {
		b.Fatal(err)
	}
	p, err := payment.New(uuid.Must(uuid.NewV7()), "acme", o.ID, "sandbox", o.Totals.Total, now)
	if err != nil {
		b.Fatal(err)
	}
	if err := p.RecordAuthorization(ctx, uuid.Must(uuid.NewV7()), "auth_1", o.Totals.Total, "k1", now); err != nil {
		b.Fatal(err)
	}
	if err := p.RecordCapture(ctx, uuid.Must(uuid.NewV7()), "cap_1", o.Totals.Total, "k2", now); err != nil {
		b.Fatal(err)
	}
	return o, p
}

// BenchmarkEncodeDocument encodes the stored documents of an order and a
// payment, through EncodeDocument and, for comparison, through its
// json.Marshal path ("reflect").
func BenchmarkEncodeDocument(b *testing.B) {
	o, p := benchDocuments(b)
	for _, bb := range []struct {
		name   string
		v      any
		encode func(any) ([]byte, error)
	}{
		{"order", o, storage.EncodeDocument},
		{"order/reflect", o, storage.EncodeDocumentReflect},
		{"payment", p, storage.EncodeDocument},
		{"payment/reflect", p, storage.EncodeDocumentReflect},
	} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := bb.encode(bb.v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
