package storagetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/fulfillment"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/returns"
	"github.com/ordersmith/oms/shipping"
	"github.com/ordersmith/oms/storage"
)

// t0 is the suite's reference time; every time is microsecond-aligned UTC.
var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// at returns t0 plus d, truncated to the microsecond.
func at(d time.Duration) time.Time { return t0.Add(d).Truncate(time.Microsecond) }

func usd(s string) money.Money { return money.MustParse(s, "USD") }

// The SKUs of the fixture catalogue.
const (
	skuTee  = "TEE-M"
	skuMug  = "MUG"
	skuCap  = "CAP"
	skuSock = "SOCK"
)

var (
	chanWeb    = order.Channel{Kind: order.ChannelWeb, Name: "shop"}
	chanAmazon = order.Channel{Kind: order.ChannelMarketplace, Name: "amazon-us"}
	chanStore  = order.Channel{Kind: order.ChannelRetail, Name: "store-berlin"}
)

// buildOrder returns a pending order of three lines with a discount, a
// shipping charge and tax, created at when.
func buildOrder(t *testing.T, tenant string, when time.Time, ch order.Channel, customerID string) *order.Order {
	t.Helper()
	d := order.Draft{
		Channel:     ch,
		ExternalRef: "ext-" + uuid.NewString()[:13],
		Customer:    order.Customer{ID: customerID, Name: "Ada Lovelace", Email: "ada@example.com", Phone: "+1 555 0100"},
		ShippingAddress: order.Address{
			Name: "Ada Lovelace", Line1: "1 Main St", Line2: "Apt 2", City: "Springfield", Region: "IL",
			PostalCode: "62701", Country: "US", Geo: &order.GeoPoint{Lat: 39.8, Lon: -89.6},
		},
		Currency: "USD",
		Lines: []order.DraftLine{
			{SKU: skuTee, Quantity: 2, UnitPrice: usd("19.99")},
			{SKU: skuMug, Quantity: 1, UnitPrice: usd("12.50")},
			{SKU: skuCap, Quantity: 3, UnitPrice: usd("7.333")},
		},
		Discount:       usd("5.00"),
		ShippingCharge: usd("4.99"),
		TaxRate:        decimal.RequireFromString("0.0825"),
	}
	o, err := order.New(newID(), tenant, newID, d, when)
	require.NoError(t, err)
	return o
}

// buildConfirmedOrder returns a confirmed order created at when.
func buildConfirmedOrder(t *testing.T, tenant string, when time.Time) *order.Order {
	t.Helper()
	o := buildOrder(t, tenant, when, chanWeb, "c-1")
	require.NoError(t, o.Confirm(context.Background(), when))
	return o
}

// mutateOrder starts processing a confirmed order and ships one unit.
func mutateOrder(t *testing.T, o *order.Order, when time.Time) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, o.StartProcessing(ctx, when))
	require.NoError(t, o.RecordShipment(ctx, map[uuid.UUID]int64{o.Lines[0].ID: 1}, when))
}

// buildLocation returns an active location with this code.
func buildLocation(tenant, code string, when time.Time) *inventory.Location {
	return &inventory.Location{
		ID:          newID(),
		Tenant:      tenant,
		Code:        code,
		Name:        "Warehouse " + code,
		Coordinates: inventory.Coordinates{Lat: 40.7128, Lon: -74.006},
		Priority:    2,
		Active:      true,
		CreatedAt:   when,
		UpdatedAt:   when,
	}
}

// buildPayment returns a payment of o's total, authorized.
func buildPayment(t *testing.T, tenant string, o *order.Order, when time.Time) *payment.Payment {
	t.Helper()
	p, err := payment.New(newID(), tenant, o.ID, "sandbox", o.Totals.Total, when)
	require.NoError(t, err)
	require.NoError(t, p.RecordAuthorization(context.Background(), newID(), "auth-"+uuid.NewString()[:8],
		o.Totals.Total, "key-auth-"+p.ID.String(), when))
	return p
}

// mutatePayment captures part of the authorization.
func mutatePayment(t *testing.T, p *payment.Payment, when time.Time) {
	t.Helper()
	require.NoError(t, p.RecordCapture(context.Background(), newID(), "cap-1", usd("10.00"), "key-cap-"+p.ID.String(), when))
	p.UpdatedAt = when
}

// buildFulfillment returns a fulfillment of every line of o at loc, fully
// picked.
func buildFulfillment(t *testing.T, tenant string, o *order.Order, loc uuid.UUID, when time.Time) *fulfillment.FulfillmentOrder {
	t.Helper()
	var lines []fulfillment.Line
	var picks []fulfillment.Pick
	for _, l := range o.Lines {
		lines = append(lines, fulfillment.Line{OrderLineID: l.ID, SKU: l.SKU, Quantity: l.Quantity})
		picks = append(picks, fulfillment.Pick{OrderLineID: l.ID, Quantity: l.Quantity})
	}
	f, err := fulfillment.New(newID(), tenant, o.ID, loc, lines, when)
	require.NoError(t, err)
	require.NoError(t, f.Pick(context.Background(), picks, when))
	return f
}

// mutateFulfillment packs everything into two packages.
func mutateFulfillment(t *testing.T, f *fulfillment.FulfillmentOrder, when time.Time) {
	t.Helper()
	first := fulfillment.PackageDraft{WeightGrams: 850, LengthCm: 30, WidthCm: 20, HeightCm: 10}
	second := fulfillment.PackageDraft{WeightGrams: 400}
	for i, l := range f.Lines {
		pl := fulfillment.PackageLine{OrderLineID: l.OrderLineID, Quantity: l.Quantity}
		if i == 0 {
			first.Lines = append(first.Lines, pl)
		} else {
			second.Lines = append(second.Lines, pl)
		}
	}
	require.NoError(t, f.Pack(context.Background(), newID, []fulfillment.PackageDraft{first, second}, when))
}

// buildShipment returns a shipment for a bought label.
func buildShipment(t *testing.T, tenant string, o *order.Order, f *fulfillment.FulfillmentOrder, when time.Time) *shipping.Shipment {
	t.Helper()
	label := shipping.Label{
		Carrier:           "sandbox",
		Service:           "ground",
		TrackingNumber:    "1Z" + uuid.NewString()[:12],
		Cost:              usd("7.25"),
		Data:              []byte("^XA^FO50,50^FDlabel^FS^XZ"),
		EstimatedDelivery: when.Add(72 * time.Hour),
	}
	s, err := shipping.New(newID(), tenant, o.ID, f.ID, label, when)
	require.NoError(t, err)
	return s
}

// mutateShipment applies a tracking report: in transit.
func mutateShipment(t *testing.T, s *shipping.Shipment, when time.Time) {
	t.Helper()
	changed, err := s.ApplyTracking(context.Background(), shipping.TrackingInfo{
		TrackingNumber: s.TrackingNumber,
		Status:         shipping.TrackingInTransit,
		Events: []shipping.TrackingEvent{
			{Status: shipping.TrackingLabelCreated, Description: "label created", Location: "Newark, NJ", At: when.Add(-time.Hour)},
			{Status: shipping.TrackingInTransit, Description: "departed facility", Location: "Newark, NJ", At: when},
		},
		EstimatedDelivery: when.Add(48 * time.Hour),
	}, when)
	require.NoError(t, err)
	require.True(t, changed)
}

// buildReturn returns an approved return of one unit of o's first line.
func buildReturn(t *testing.T, tenant string, o *order.Order, when time.Time) *returns.Return {
	t.Helper()
	l := o.Lines[0]
	r, err := returns.New(newID(), tenant, o.ID, returns.ReasonNotAsDescribed, "colour differs from the photo",
		[]returns.RequestLine{{OrderLineID: l.ID, SKU: l.SKU, Quantity: 1}}, when)
	require.NoError(t, err)
	require.NoError(t, r.Approve(context.Background(), when))
	return r
}

// mutateReturn records the unit's arrival.
func mutateReturn(t *testing.T, r *returns.Return, when time.Time) {
	t.Helper()
	require.NoError(t, r.Receive(context.Background(), []returns.Receipt{{OrderLineID: r.Lines[0].OrderLineID, Quantity: 1, Resellable: 1}}, when))
}

// buildReservation returns an open reservation of qty units of o's line at
// index line, at loc.
func buildReservation(t *testing.T, tenant string, o *order.Order, line int, loc uuid.UUID, qty int64, when time.Time) *inventory.Reservation {
	t.Helper()
	l := o.Lines[line]
	r, err := inventory.NewReservation(newID(), tenant, o.ID, l.ID, l.SKU, loc, qty, when)
	require.NoError(t, err)
	return r
}

// movement builds a ledger entry with NewMovement.
func movement(t *testing.T, tenant, sku string, loc uuid.UUID, kind inventory.MovementKind, qty int64, orderID uuid.UUID, when time.Time) inventory.Movement {
	t.Helper()
	m, err := inventory.NewMovement(newID(), tenant, sku, loc, kind, qty, orderID, fmt.Sprintf("%s %d", kind, qty), when)
	require.NoError(t, err)
	return m
}

// world is the rows most tests need: a location with stock-free items, an
// order, and a fulfillment of it, all committed.
type world struct {
	tenant      string
	loc         *inventory.Location
	order       *order.Order
	other       *order.Order // a second order, to check ListByOrder filters
	fulfillment *fulfillment.FulfillmentOrder
}

// seed stores a world for tenant.
func seed(t *testing.T, ctx context.Context, st storage.Store, tenant string) *world {
	t.Helper()
	w := &world{tenant: tenant}
	w.loc = buildLocation(tenant, "WH-EAST", at(0))
	w.order = buildConfirmedOrder(t, tenant, at(time.Minute))
	w.other = buildConfirmedOrder(t, tenant, at(2*time.Minute))
	w.fulfillment = buildFulfillment(t, tenant, w.order, w.loc.ID, at(3*time.Minute))
	inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
		inv := tx.Inventory()
		for _, sku := range []string{skuTee, skuMug, skuCap, skuSock} {
			if err := inv.PutItem(ctx, inventory.Item{Tenant: tenant, SKU: sku, Name: "Item " + sku, CreatedAt: at(0)}); err != nil {
				return err
			}
		}
		if err := inv.CreateLocation(ctx, w.loc); err != nil {
			return err
		}
		if err := storage.Orders(tx).Create(ctx, w.order); err != nil {
			return err
		}
		if err := storage.Orders(tx).Create(ctx, w.other); err != nil {
			return err
		}
		return storage.Fulfillments(tx).Create(ctx, w.fulfillment)
	})
	return w
}
