package storagetest

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/address"
	"github.com/ordersmith/oms/fulfillment"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/returns"
	"github.com/ordersmith/oms/shipping"
	"github.com/ordersmith/oms/storage"
)

// goldenFiles holds the golden stored documents, embedded because the suite
// runs from other packages' tests, whose working directory is not this one.
//
//go:embed testdata/golden/*.json
var goldenFiles embed.FS

// updateGoldenEnv names the environment variable that, set to 1, makes the
// golden test write the documents it gets into this package's source tree
// instead of comparing them: for a deliberate change of format, made with a
// bump of storage.DocumentVersion and an upgrade in storage.DecodeDocument.
const updateGoldenEnv = "OMS_UPDATE_GOLDEN"

// goldenTenant is the tenant of the golden aggregates.
const goldenTenant = "golden"

// goldenIDs hands out fixed, distinct UUIDs in sequence.
type goldenIDs struct{ n int }

func (g *goldenIDs) next() uuid.UUID {
	g.n++
	return uuid.MustParse(fmt.Sprintf("0195522a-0000-7000-8000-%012d", g.n))
}

// goldenAggregates builds one fixed, fully populated aggregate of each
// stored type: same IDs, times and values on every run.
type goldenAggregates struct {
	item        inventory.Item
	location    *inventory.Location
	order       *order.Order
	payment     *payment.Payment
	fulfillment *fulfillment.FulfillmentOrder
	shipment    *shipping.Shipment
	ret         *returns.Return
}

func buildGolden(t *testing.T) goldenAggregates {
	t.Helper()
	ctx := context.Background()
	ids := &goldenIDs{}
	tm := func(minutes int) time.Time { return t0.Add(time.Duration(minutes) * time.Minute) }
	var g goldenAggregates

	g.item = inventory.Item{Tenant: goldenTenant, SKU: skuTee, Name: "T-shirt, medium", CreatedAt: tm(0)}
	g.location = &inventory.Location{
		ID: ids.next(), Tenant: goldenTenant, Code: "WH-EAST", Name: "East warehouse",
		Address: address.Address{
			Name: "Ordersmith East", Company: "Ordersmith Inc.", Line1: "10 Dock Rd", Line2: "Bay 4",
			City: "Newark", Region: "NJ", PostalCode: "07105", Country: "US", Phone: "+1 555 0199",
		},
		TimeZone:    "America/New_York",
		Coordinates: inventory.Coordinates{Lat: 40.7357, Lon: -74.1724},
		Priority:    2, Active: true, CreatedAt: tm(0), UpdatedAt: tm(1),
	}

	o, err := order.New(ids.next(), goldenTenant, ids.next, order.Draft{
		Channel:     chanWeb,
		ExternalRef: "ext-1001",
		Customer:    order.Customer{ID: "c-1", Name: "Ada Lovelace", Email: "ada@example.com", Phone: "+1 555 0100"},
		ShippingAddress: order.Address{
			Name: "Ada Lovelace", Line1: "1 Main St", Line2: "Apt 2", City: "Springfield", Region: "IL",
			PostalCode: "62701", Country: "US", Geo: &order.GeoPoint{Lat: 39.8, Lon: -89.6},
		},
		Currency: "USD",
		Lines: []order.DraftLine{
			{SKU: skuTee, Quantity: 2, UnitPrice: usd("19.99")},
			{SKU: skuMug, Quantity: 1, UnitPrice: usd("12.50")},
		},
		Discount:       usd("5.00"),
		ShippingCharge: usd("4.99"),
		TaxRate:        decimal.RequireFromString("0.0825"),
	}, tm(2))
	require.NoError(t, err)
	o.PlacementKey = "place-1001"
	require.NoError(t, o.Confirm(ctx, tm(3)))
	require.NoError(t, o.StartProcessing(ctx, tm(4)))
	all := map[uuid.UUID]int64{}
	for _, l := range o.Lines {
		all[l.ID] = l.Quantity
	}
	require.NoError(t, o.RecordShipment(ctx, all, tm(5)))
	require.NoError(t, o.MarkDelivered(ctx, tm(6)))
	require.NoError(t, o.RecordReturn(ctx, map[uuid.UUID]int64{o.Lines[0].ID: 1}, tm(7)))
	require.NoError(t, o.LeaveFeedback(4, "arrived quickly", tm(8)))
	g.order = o

	p, err := payment.New(ids.next(), goldenTenant, o.ID, "sandbox", o.Totals.Total, tm(2))
	require.NoError(t, err)
	p.AuthorizationToken = "tok_visa"
	require.NoError(t, p.RecordAuthorization(ctx, ids.next(), "auth_1", o.Totals.Total, "key-auth", tm(3)))
	require.NoError(t, p.RecordCapture(ctx, ids.next(), "cap_1", o.Totals.Total, "key-cap", tm(5)))
	require.NoError(t, p.RequestRefund("key-refund", "req-refund", usd("10.00"), "customer return", tm(9)))
	g.payment = p
	o.SyncPayment(order.PaymentFacts{Authorized: p.Authorized, Captured: p.Captured, Refunded: p.Refunded,
		RefundPending: p.Pending()}, tm(9))

	var lines []fulfillment.Line
	var picks []fulfillment.Pick
	for _, l := range o.Lines {
		lines = append(lines, fulfillment.Line{OrderLineID: l.ID, SKU: l.SKU, Quantity: l.Quantity})
		picks = append(picks, fulfillment.Pick{OrderLineID: l.ID, Quantity: l.Quantity})
	}
	f, err := fulfillment.New(ids.next(), goldenTenant, o.ID, g.location.ID, lines, tm(3))
	require.NoError(t, err)
	require.NoError(t, f.Pick(ctx, picks, tm(4)))
	require.NoError(t, f.Pack(ctx, ids.next, []fulfillment.PackageDraft{
		{WeightGrams: 850, LengthCm: 30, WidthCm: 20, HeightCm: 10,
			Lines: []fulfillment.PackageLine{{OrderLineID: o.Lines[0].ID, Quantity: 2}}},
		{WeightGrams: 400, Lines: []fulfillment.PackageLine{{OrderLineID: o.Lines[1].ID, Quantity: 1}}},
	}, tm(4)))
	require.NoError(t, f.BeginShipping(ctx, tm(5)))

	s, err := shipping.New(ids.next(), goldenTenant, o.ID, f.ID, shipping.Label{
		Carrier: "sandbox", Service: "ground", TrackingNumber: "1Z999AA10123456784",
		Cost: usd("7.25"), Data: []byte("^XA^XZ"), EstimatedDelivery: tm(3 * 24 * 60),
	}, tm(5))
	require.NoError(t, err)
	require.NoError(t, f.MarkShipped(ctx, s.ID, tm(5)))
	g.fulfillment = f
	_, err = s.ApplyTracking(ctx, shipping.TrackingInfo{
		TrackingNumber: s.TrackingNumber,
		Status:         shipping.TrackingDelivered,
		Events: []shipping.TrackingEvent{
			{Status: shipping.TrackingLabelCreated, Description: "label created", Location: "Newark, NJ", At: tm(5)},
			{Status: shipping.TrackingInTransit, Description: "departed facility", Location: "Newark, NJ", At: tm(5).Add(30 * time.Second)},
			{Status: shipping.TrackingDelivered, Description: "left at front door", Location: "Springfield, IL", At: tm(6)},
		},
		EstimatedDelivery: tm(2 * 24 * 60),
	}, tm(6))
	require.NoError(t, err)
	g.shipment = s

	r, err := returns.New(ids.next(), goldenTenant, o.ID, returns.ReasonNotAsDescribed, "colour differs from the photo",
		[]returns.RequestLine{{OrderLineID: o.Lines[0].ID, SKU: o.Lines[0].SKU, Quantity: 1}}, tm(7))
	require.NoError(t, err)
	require.NoError(t, r.Approve(ctx, tm(7)))
	require.NoError(t, r.Receive(ctx, []returns.Receipt{{OrderLineID: o.Lines[0].ID, Quantity: 1, Resellable: 1}}, tm(8)))
	require.NoError(t, r.RecordRefund(ctx, map[uuid.UUID]money.Money{o.Lines[0].ID: usd("10.00")}, "ref_1", tm(9)))
	g.ret = r
	return g
}

// golden checks the stored format: it stores one fixed aggregate of each
// stored type, reads it back, and requires its stored document (what
// storage.EncodeDocument writes, indented) to equal, byte for byte, the
// golden file testdata/golden/<type>.json. Items and locations are kept in
// columns, not documents, by the SQL adapters; their golden files fix the
// JSON of what the store gives back. A failure means the stored
// format changed: if on purpose, bump storage.DocumentVersion, add the
// upgrade to storage.DecodeDocument and regenerate the files with
// OMS_UPDATE_GOLDEN=1.
func (s suite) golden(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	st := s.store(t)
	g := buildGolden(t)
	inTx(t, ctx, st, goldenTenant, func(tx storage.Tx) error {
		inv := tx.Inventory()
		require.NoError(t, inv.PutItem(ctx, g.item))
		require.NoError(t, inv.CreateLocation(ctx, g.location))
		require.NoError(t, storage.Orders(tx).Create(ctx, g.order))
		require.NoError(t, storage.Payments(tx).Create(ctx, g.payment))
		require.NoError(t, storage.Fulfillments(tx).Create(ctx, g.fulfillment))
		require.NoError(t, storage.Shipments(tx).Create(ctx, g.shipment))
		require.NoError(t, storage.Returns(tx).Create(ctx, g.ret))
		return nil
	})
	read := map[string]any{}
	inTx(t, ctx, st, goldenTenant, func(tx storage.Tx) error {
		var err error
		inv := tx.Inventory()
		read["item"], err = inv.GetItem(ctx, g.item.SKU)
		require.NoError(t, err)
		read["location"], err = inv.GetLocation(ctx, g.location.ID)
		require.NoError(t, err)
		read["order"], err = storage.Orders(tx).Get(ctx, g.order.ID)
		require.NoError(t, err)
		read["payment"], err = storage.Payments(tx).Get(ctx, g.payment.ID)
		require.NoError(t, err)
		read["fulfillment"], err = storage.Fulfillments(tx).Get(ctx, g.fulfillment.ID)
		require.NoError(t, err)
		read["shipment"], err = storage.Shipments(tx).Get(ctx, g.shipment.ID)
		require.NoError(t, err)
		read["return"], err = storage.Returns(tx).Get(ctx, g.ret.ID)
		require.NoError(t, err)
		return nil
	})
	for _, name := range []string{"item", "location", "order", "payment", "fulfillment", "shipment", "return"} {
		t.Run(name, func(t *testing.T) {
			doc, err := storage.EncodeDocument(read[name])
			require.NoError(t, err)
			var got bytes.Buffer
			require.NoError(t, json.Indent(&got, doc, "", "  "))
			got.WriteByte('\n')
			file := "testdata/golden/" + name + ".json"
			if os.Getenv(updateGoldenEnv) == "1" {
				writeGolden(t, file, got.Bytes())
				return
			}
			want, err := goldenFiles.ReadFile(file)
			require.NoError(t, err, "no golden file; generate it with %s=1", updateGoldenEnv)
			require.Equal(t, string(want), got.String(),
				"the stored %s document differs from %s: a change of stored format needs a new storage.DocumentVersion, "+
					"an upgrade in storage.DecodeDocument and regenerated golden files (%s=1)", name, file, updateGoldenEnv)
		})
	}
}

// writeGolden writes b to file, relative to this package's source directory.
func writeGolden(t *testing.T, file string, b []byte) {
	t.Helper()
	_, self, _, ok := runtime.Caller(0)
	require.True(t, ok, "no source path to write golden files to")
	path := filepath.Join(filepath.Dir(self), filepath.FromSlash(file))
	require.NoError(t, os.WriteFile(path, b, 0o644))
	t.Logf("wrote %s", path)
}
