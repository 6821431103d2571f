package opspage_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/omshttp/opspage"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/shipping"
	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/memory"
)

// tenantHeader names the tenant in the tests' requests; a real host
// derives it from the authenticated operator.
const tenantHeader = "X-Test-Tenant"

// headerTenant is the tests' tenant function: the header's value, and an
// error when it is "refuse".
func headerTenant(r *http.Request) (string, error) {
	t := r.Header.Get(tenantHeader)
	if t == "refuse" {
		return "", errors.New("not signed in")
	}
	return t, nil
}

// shop is an engine with one location and stock of MUG and TEE.
type shop struct {
	eng *oms.Engine
	loc *inventory.Location
}

func newShop(t *testing.T, store storage.Store) *shop {
	t.Helper()
	if store == nil {
		store = memory.New()
	}
	eng, err := oms.New(oms.WithStore(store), oms.WithGateway("sandbox", payment.NewSandbox()),
		oms.WithCarrier(shipping.NewSandbox(time.Now)))
	require.NoError(t, err)
	ctx := context.Background()
	loc, err := eng.AddLocation(ctx, "", oms.AddLocationRequest{Code: "BER", Name: "Berlin",
		Coordinates: inventory.Coordinates{Lat: 52.52, Lon: 13.405}})
	require.NoError(t, err)
	for _, sku := range []string{"MUG", "TEE"} {
		require.NoError(t, eng.AddItem(ctx, "", oms.AddItemRequest{SKU: sku, Name: sku}))
		_, err = eng.ReceiveStock(ctx, "", oms.StockChangeRequest{SKU: sku, LocationID: loc.ID, Quantity: 20})
		require.NoError(t, err)
	}
	return &shop{eng: eng, loc: loc}
}

// place places an order of qty MUGs for the customer.
func (s *shop) place(t *testing.T, ref, customer string, qty int64) *order.Order {
	t.Helper()
	o, err := s.eng.PlaceOrder(context.Background(), "", oms.PlaceOrderRequest{
		Order: order.Draft{
			Channel:     order.Channel{Kind: order.ChannelWeb, Name: "webshop"},
			ExternalRef: ref,
			Customer:    order.Customer{ID: customer, Name: "Grace Hopper", Email: "grace@example.com"},
			ShippingAddress: order.Address{Name: "Grace Hopper", Line1: "Unter den Linden 1", City: "Berlin",
				PostalCode: "10117", Country: "DE"},
			Currency:       "EUR",
			Lines:          []order.DraftLine{{SKU: "MUG", Quantity: qty, UnitPrice: money.MustParse("9.50", "EUR")}},
			ShippingCharge: money.MustParse("4.95", "EUR"),
			TaxRate:        decimal.RequireFromString("0.19"),
		},
		Payment: oms.PaymentMethod{Token: payment.TokenApprove},
	})
	require.NoError(t, err)
	return o
}

// page builds the handler.
func (s *shop) page(t *testing.T, opts opspage.Options) http.Handler {
	t.Helper()
	h, err := opspage.New(s.eng, headerTenant, opts)
	require.NoError(t, err)
	return h
}

// get serves one GET and returns the status and body.
func get(t *testing.T, h http.Handler, target, tenant string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	if tenant != "" {
		req.Header.Set(tenantHeader, tenant)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body, err := io.ReadAll(rec.Result().Body)
	require.NoError(t, err)
	if rec.Code == http.StatusOK {
		require.Equal(t, "text/html; charset=utf-8", rec.Header().Get("Content-Type"))
	}
	return rec.Code, string(body)
}
