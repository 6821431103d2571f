package omshttp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/omshttp"
	"github.com/ordersmith/oms/omshttp/apitest"
	"github.com/ordersmith/oms/omstest"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/shipping"
	"github.com/ordersmith/oms/storage/memory"
)

// api is a test client of a Handler served by httptest, checking every
// response against the document the server serves.
type api struct {
	t     *testing.T
	srv   *httptest.Server
	doc   *apitest.Document
	clock *omstest.Clock
	base  string
	// tenant is sent as X-Tenant, which the test's tenant function reads.
	tenant string
}

func newAPI(t *testing.T, base string) *api {
	t.Helper()
	ctx := context.Background()
	clk := omstest.NewClock(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	eng, err := oms.New(
		oms.WithStore(memory.New()),
		oms.WithClock(clk.Now),
		oms.WithGateway("sandbox", payment.NewSandbox()),
		oms.WithCarrier(shipping.NewSandbox(clk.Now)),
	)
	require.NoError(t, err)
	h, err := omshttp.New(eng, omshttp.Options{
		BasePath: base,
		Tenant: func(r *http.Request) (string, error) {
			t := r.Header.Get("X-Tenant")
			if t == "" {
				return "", errors.New("no X-Tenant header")
			}
			return t, nil
		},
	})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	doc, err := apitest.Fetch(ctx, srv.Client(), srv.URL+base+"/openapi.json")
	require.NoError(t, err)
	a := &api{t: t, srv: srv, doc: doc, clock: clk, base: base, tenant: "shop-1"}
	for _, tn := range []string{"shop-1", "shop-2"} {
		a.tenant = tn
		a.call(http.MethodPut, "/items/MUG", "", map[string]any{"name": "Mug"}, http.StatusOK)
		a.call(http.MethodPut, "/items/TEE", "", map[string]any{"name": "T-shirt"}, http.StatusOK)
	}
	a.tenant = "shop-1"
	loc := a.call(http.MethodPost, "/locations", "", map[string]any{
		"code": "BER", "name": "Berlin", "coordinates": map[string]any{"lat": 52.52, "lon": 13.405},
	}, http.StatusOK)
	for _, s := range []struct {
		sku string
		qty int
	}{{"MUG", 10}, {"TEE", 5}} {
		a.call(http.MethodPost, "/stock/receive", "delivery-"+s.sku, map[string]any{
			"sku": s.sku, "location_id": loc["id"], "quantity": s.qty, "reason": "opening stock",
		}, http.StatusOK)
	}
	return a
}

// send makes one request and returns the response with its body, after
// checking it against the served document.
func (a *api) send(method, path, key string, body any) (*http.Response, []byte) {
	a.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		require.NoError(a.t, err)
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, a.srv.URL+a.base+path, rd)
	require.NoError(a.t, err)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	if a.tenant != "" {
		req.Header.Set("X-Tenant", a.tenant)
	}
	resp, err := a.srv.Client().Do(req)
	require.NoError(a.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(a.t, err)
	require.NoError(a.t, a.doc.CheckResponse(resp, b), "%s %s: %s", method, path, b)
	return resp, b
}

// call is send expecting status, returning the body as a JSON object.
func (a *api) call(method, path, key string, body any, status int) map[string]any {
	a.t.Helper()
	resp, b := a.send(method, path, key, body)
	require.Equal(a.t, status, resp.StatusCode, "%s %s: %s", method, path, b)
	var out map[string]any
	require.NoError(a.t, json.Unmarshal(b, &out))
	return out
}

// problem is call for an error, checking the problem's shape.
func (a *api) problem(method, path, key string, body any, status int, code string) map[string]any {
	a.t.Helper()
	resp, b := a.send(method, path, key, body)
	require.Equal(a.t, status, resp.StatusCode, "%s %s: %s", method, path, b)
	require.Equal(a.t, "application/problem+json", resp.Header.Get("Content-Type"))
	var p map[string]any
	require.NoError(a.t, json.Unmarshal(b, &p))
	assert.Equal(a.t, code, p["code"], "%s", b)
	assert.Equal(a.t, "urn:ordersmith:problem:"+code, p["type"])
	assert.EqualValues(a.t, status, p["status"])
	assert.NotEmpty(a.t, p["title"])
	return p
}

func draft(ref string, qty int) map[string]any {
	return map[string]any{
		"channel":      map[string]any{"kind": "web", "name": "webshop"},
		"external_ref": ref,
		"customer":     map[string]any{"id": "cus_1", "name": "Ada Lovelace", "email": "ada@example.com"},
		"shipping_address": map[string]any{
			"name": "Ada Lovelace", "line1": "Jungfernstieg 1", "city": "Hamburg", "postal_code": "20354", "country": "DE",
		},
		"currency":        "EUR",
		"lines":           []any{map[string]any{"sku": "MUG", "quantity": qty, "unit_price": map[string]any{"amount": "12.90", "currency": "EUR"}}},
		"shipping_charge": map[string]any{"amount": "4.95", "currency": "EUR"},
		"tax_rate":        "0.19",
		"payment":         map[string]any{"token": payment.TokenApprove},
	}
}

func fieldPaths(p map[string]any) []string {
	var out []string
	errs, _ := p["errors"].([]any)
	for _, e := range errs {
		m := e.(map[string]any)
		out = append(out, fmt.Sprintf("%s %s", m["location"], m["path"]))
	}
	return out
}

func TestWholeLife(t *testing.T) {
	t.Parallel()
	for _, base := range []string{"", "/api"} {
		t.Run("base="+base, func(t *testing.T) {
			t.Parallel()
			wholeLife(t, newAPI(t, base))
		})
	}
}

func wholeLife(t *testing.T, a *api) {
	// Place, replay, and the same key with another body.
	resp, b := a.send(http.MethodPost, "/orders", "order-1", draft("WEB-1", 2))
	require.Equal(t, http.StatusCreated, resp.StatusCode, "%s", b)
	assert.Equal(t, "false", resp.Header.Get("Idempotent-Replayed"))
	var o map[string]any
	require.NoError(t, json.Unmarshal(b, &o))
	id := o["id"].(string)
	assert.Equal(t, a.base+"/orders/"+id, resp.Header.Get("Location"))
	assert.Equal(t, "confirmed", o["status"])
	assert.Equal(t, map[string]any{"amount": "36.59", "currency": "EUR"}, o["totals"].(map[string]any)["total"])

	resp, b = a.send(http.MethodPost, "/orders", "order-1", draft("WEB-1", 2))
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", b)
	assert.Equal(t, "true", resp.Header.Get("Idempotent-Replayed"))
	var again map[string]any
	require.NoError(t, json.Unmarshal(b, &again))
	assert.Equal(t, id, again["id"])
	p := a.problem(http.MethodPost, "/orders", "order-1", draft("WEB-1B", 3), http.StatusUnprocessableEntity, "invalid")
	assert.Contains(t, p["detail"], "order-1")

	// Reads.
	assert.Equal(t, id, a.call(http.MethodGet, "/orders/"+id, "", nil, http.StatusOK)["id"])
	d := a.call(http.MethodGet, "/orders/"+id+"/details", "", nil, http.StatusOK)
	assert.Len(t, d["payments"], 1)
	assert.Len(t, d["reservations"], 1)
	second := a.call(http.MethodPost, "/orders", "order-2", draft("WEB-2", 1), http.StatusCreated)
	page := a.call(http.MethodGet, "/orders?limit=1", "", nil, http.StatusOK)
	require.Len(t, page["orders"], 1)
	require.NotEmpty(t, page["next"])
	page2 := a.call(http.MethodGet, "/orders?limit=1&cursor="+page["next"].(string), "", nil, http.StatusOK)
	require.Len(t, page2["orders"], 1)
	assert.Equal(t, second["id"], page2["orders"].([]any)[0].(map[string]any)["id"])
	filtered := a.call(http.MethodGet, "/orders?status=confirmed,cancelled&channel=webshop&customer_id=cus_1", "", nil, http.StatusOK)
	assert.Len(t, filtered["orders"], 2)
	none := a.call(http.MethodGet, "/orders?status=delivered", "", nil, http.StatusOK)
	assert.Empty(t, none["orders"])
	byRef := a.call(http.MethodGet, "/orders?external_ref=WEB-1", "", nil, http.StatusOK)["orders"].([]any)
	require.Len(t, byRef, 1)
	assert.Equal(t, id, byRef[0].(map[string]any)["id"])
	p = a.problem(http.MethodGet, "/orders?status=lost", "", nil, http.StatusUnprocessableEntity, "invalid")
	assert.Equal(t, []string{"query status"}, fieldPaths(p))
	a.problem(http.MethodGet, "/orders?cursor=nonsense", "", nil, http.StatusUnprocessableEntity, "invalid")

	// Hold, release, cancel the second order.
	sid := second["id"].(string)
	held := a.call(http.MethodPost, "/orders/"+sid+"/hold", "hold-1", map[string]any{"reason": "fraud check"}, http.StatusOK)
	assert.Equal(t, "on_hold", held["status"])
	assert.Equal(t, "confirmed", a.call(http.MethodPost, "/orders/"+sid+"/release", "release-1", nil, http.StatusOK)["status"])
	assert.Equal(t, "cancelled", a.call(http.MethodPost, "/orders/"+sid+"/cancel", "", map[string]any{"reason": "customer asked"}, http.StatusOK)["status"])

	// Fulfil the first.
	fs := a.call(http.MethodPost, "/orders/"+id+"/fulfillments", "", nil, http.StatusCreated)["fulfillments"].([]any)
	require.Len(t, fs, 1)
	fid := fs[0].(map[string]any)["id"].(string)
	pl := a.call(http.MethodGet, "/fulfillments/"+fid+"/pick-list", "", nil, http.StatusOK)
	items := pl["items"].([]any)
	require.Len(t, items, 1)
	line := items[0].(map[string]any)["order_line_id"].(string)
	a.problem(http.MethodPost, "/fulfillments/"+fid+"/pack", "", map[string]any{"packages": []any{
		map[string]any{"weight_grams": 900, "lines": []any{map[string]any{"order_line_id": line, "quantity": 2}}},
	}}, http.StatusConflict, "conflict")
	a.problem(http.MethodPost, "/fulfillments/"+fid+"/pick", "", map[string]any{"picks": []any{
		map[string]any{"order_line_id": line, "quantity": 3},
	}}, http.StatusUnprocessableEntity, "invalid")
	assert.Equal(t, "picking", a.call(http.MethodPost, "/fulfillments/"+fid+"/pick", "pick-1", map[string]any{"picks": []any{
		map[string]any{"order_line_id": line, "quantity": 2},
	}}, http.StatusOK)["status"])
	assert.Equal(t, "packed", a.call(http.MethodPost, "/fulfillments/"+fid+"/pack", "pack-1", map[string]any{"packages": []any{
		map[string]any{"weight_grams": 900, "length_cm": 30, "width_cm": 20, "height_cm": 15, "lines": []any{map[string]any{"order_line_id": line, "quantity": 2}}},
	}}, http.StatusOK)["status"])
	sh := a.call(http.MethodPost, "/fulfillments/"+fid+"/ship", "", map[string]any{"fastest": true}, http.StatusCreated)
	assert.Equal(t, "express", sh["service"])
	shipID := sh["id"].(string)
	for day := 0; day < 5 && sh["status"] != "delivered"; day++ {
		a.clock.Advance(24 * time.Hour)
		sh = a.call(http.MethodPost, "/shipments/"+shipID+"/sync-tracking", "", nil, http.StatusOK)
	}
	require.Equal(t, "delivered", sh["status"])
	o = a.call(http.MethodGet, "/orders/"+id, "", nil, http.StatusOK)
	require.Equal(t, "delivered", o["status"])

	// Feedback, then a return of one mug, and a goodwill refund.
	p = a.problem(http.MethodPost, "/orders/"+id+"/feedback", "", map[string]any{"rating": 9}, http.StatusUnprocessableEntity, "invalid")
	assert.Equal(t, []string{"body rating"}, fieldPaths(p))
	assert.EqualValues(t, 5, a.call(http.MethodPost, "/orders/"+id+"/feedback", "fb-1", map[string]any{"rating": 5, "comment": "Lovely"}, http.StatusOK)["feedback"].(map[string]any)["rating"])
	r := a.call(http.MethodPost, "/orders/"+id+"/returns", "ret-1", map[string]any{
		"reason": "no_longer_needed", "lines": []any{map[string]any{"order_line_id": line, "quantity": 1}},
	}, http.StatusCreated)
	rid := r["id"].(string)
	assert.Equal(t, "requested", r["status"])
	assert.Equal(t, "approved", a.call(http.MethodPost, "/returns/"+rid+"/approve", "", nil, http.StatusOK)["status"])
	r = a.call(http.MethodPost, "/returns/"+rid+"/receive", "recv-1", map[string]any{"receipts": []any{
		map[string]any{"order_line_id": line, "quantity": 1, "resellable": 1},
	}}, http.StatusOK)
	assert.Equal(t, "refunded", r["status"])
	assert.Equal(t, map[string]any{"amount": "18.29", "currency": "EUR"}, r["refund_total"])
	a.call(http.MethodPost, "/returns/"+rid+"/refund", "", nil, http.StatusOK)
	assert.Equal(t, "closed", a.call(http.MethodPost, "/returns/"+rid+"/close", "", nil, http.StatusOK)["status"])
	a.problem(http.MethodPost, "/returns/"+rid+"/reject", "", map[string]any{"reason": "late"}, http.StatusConflict, "conflict")

	p = a.problem(http.MethodPost, "/orders/"+id+"/refunds", "", map[string]any{"amount": map[string]any{"amount": "1.00", "currency": "EUR"}}, http.StatusUnprocessableEntity, "invalid")
	assert.Equal(t, []string{"header Idempotency-Key"}, fieldPaths(p))
	pay := a.call(http.MethodPost, "/orders/"+id+"/refunds", "goodwill-1", map[string]any{"amount": map[string]any{"amount": "1.00", "currency": "EUR"}, "reason": "goodwill"}, http.StatusOK)
	assert.Equal(t, map[string]any{"amount": "19.29", "currency": "EUR"}, pay["refunded"])
	a.problem(http.MethodPost, "/orders/"+id+"/refunds", "goodwill-2", map[string]any{"amount": map[string]any{"amount": "100.00", "currency": "EUR"}}, http.StatusUnprocessableEntity, "invalid")
	assert.Equal(t, "completed", a.call(http.MethodPost, "/orders/"+id+"/complete", "", nil, http.StatusOK)["status"])

	// Stock after it all: 2 shipped, 1 restocked.
	lv := a.call(http.MethodGet, "/stock?sku=MUG", "", nil, http.StatusOK)["levels"].([]any)
	require.Len(t, lv, 1)
	assert.EqualValues(t, 9, lv[0].(map[string]any)["on_hand"])
	assert.EqualValues(t, 9, a.call(http.MethodGet, "/stock/available?sku=MUG,TEE", "", nil, http.StatusOK)["available"].(map[string]any)["MUG"])
	adj := a.call(http.MethodPost, "/stock/adjust", "count-1", map[string]any{"sku": "TEE", "location_id": lv[0].(map[string]any)["location_id"], "quantity": -1, "reason": "damaged"}, http.StatusOK)
	assert.EqualValues(t, 4, adj["on_hand"])
	mv := a.call(http.MethodGet, "/stock/movements?sku=MUG&order_id="+id, "", nil, http.StatusOK)["movements"].([]any)
	assert.NotEmpty(t, mv)
	locs := a.call(http.MethodGet, "/locations", "", nil, http.StatusOK)["locations"].([]any)
	require.Len(t, locs, 1)
	assert.Equal(t, "BER", a.call(http.MethodGet, "/locations/BER", "", nil, http.StatusOK)["code"])
	a.problem(http.MethodGet, "/locations/XXX", "", nil, http.StatusNotFound, "not_found")

	// A batch: one new, one replay, one short of stock.
	batch := a.call(http.MethodPost, "/orders/batch", "", map[string]any{"orders": []any{
		mergeKey(draft("WEB-3", 1), "batch-1"),
		mergeKey(draft("WEB-1", 2), ""),
		mergeKey(draft("WEB-4", 500), "batch-3"),
	}}, http.StatusOK)["outcomes"].([]any)
	require.Len(t, batch, 3)
	var statuses []any
	for _, o := range batch {
		statuses = append(statuses, o.(map[string]any)["status"])
	}
	assert.EqualValues(t, []any{201.0, 200.0, 424.0}, statuses)
	assert.Equal(t, "unavailable", batch[2].(map[string]any)["problem"].(map[string]any)["code"])

	// A declined payment: 424 naming the cancelled order.
	dec := draft("WEB-5", 1)
	dec["payment"] = map[string]any{"token": payment.TokenDecline}
	p = a.problem(http.MethodPost, "/orders", "", dec, http.StatusFailedDependency, "unavailable")
	require.NotEmpty(t, p["order_id"])
	assert.Equal(t, "cancelled", a.call(http.MethodGet, "/orders/"+p["order_id"].(string), "", nil, http.StatusOK)["status"])

	// A gateway that fails transiently: 503 with Retry-After, the order
	// left for the recovery sweep.
	tr := draft("WEB-6", 1)
	tr["payment"] = map[string]any{"token": payment.TokenTransient}
	resp, b = a.send(http.MethodPost, "/orders", "", tr)
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, "%s", b)
	assert.Equal(t, "1", resp.Header.Get("Retry-After"))
	assert.Contains(t, string(b), `"code":"transient"`)

	// Not found, a bad path ID, another tenant, no tenant.
	a.problem(http.MethodGet, "/orders/0190d6a2-7c4e-7b7c-9d4f-3a1e2b4c5d6e", "", nil, http.StatusNotFound, "not_found")
	p = a.problem(http.MethodPost, "/orders/not-a-uuid/cancel", "", nil, http.StatusUnprocessableEntity, "invalid")
	assert.Equal(t, []string{"path id"}, fieldPaths(p))
	a.tenant = "shop-2"
	a.problem(http.MethodGet, "/orders/"+id, "", nil, http.StatusNotFound, "not_found")
	assert.Empty(t, a.call(http.MethodGet, "/orders", "", nil, http.StatusOK)["orders"])
	a.tenant = ""
	p = a.problem(http.MethodGet, "/orders/"+id, "", nil, http.StatusUnauthorized, "unauthenticated")
	assert.Equal(t, "no X-Tenant header", p["detail"])
}

func mergeKey(d map[string]any, key string) map[string]any {
	if key != "" {
		d["idempotency_key"] = key
	}
	return d
}

func TestBadFields(t *testing.T) {
	t.Parallel()
	a := newAPI(t, "")
	for _, tt := range []struct {
		name   string
		body   any
		status int
		code   string
		want   []string
	}{
		{
			// The engine's validation: every bad field of the draft at once.
			name: "engine",
			body: func() map[string]any {
				d := draft("WEB-9", 0)
				d["shipping_address"].(map[string]any)["city"] = ""
				d["channel"].(map[string]any)["name"] = ""
				return d
			}(),
			status: http.StatusUnprocessableEntity,
			code:   "invalid",
			want:   []string{"body channel.name", "body shipping_address.city", "body lines[0].quantity"},
		},
		{
			// The schema's validation, before the engine sees the body.
			name: "schema",
			body: func() map[string]any {
				d := draft("WEB-9", 1)
				d["lines"] = []any{map[string]any{"quantity": "two", "unit_price": map[string]any{"amount": 12.9, "currency": "EUR"}}}
				return d
			}(),
			status: http.StatusUnprocessableEntity,
			code:   "invalid",
			want:   []string{"body lines[0].sku", "body lines[0].quantity", "body lines[0].unit_price.amount"},
		},
		{
			name:   "not JSON",
			body:   `{"channel":`,
			status: http.StatusBadRequest,
			code:   omshttp.CodeMalformed,
			want:   []string{"body "},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := a.problem(http.MethodPost, "/orders", "", tt.body, tt.status, tt.code)
			assert.ElementsMatch(t, tt.want, fieldPaths(p), "%v", p)
			for _, e := range p["errors"].([]any) {
				assert.NotEmpty(t, e.(map[string]any)["message"])
			}
		})
	}
	// Nothing was placed.
	assert.Empty(t, a.call(http.MethodGet, "/orders", "", nil, http.StatusOK)["orders"])
}

func TestStatus(t *testing.T) {
	t.Parallel()
	want := map[oms.ErrorCode]int{
		oms.CodeOK:          http.StatusOK,
		oms.CodeNotFound:    http.StatusNotFound,
		oms.CodeInvalid:     http.StatusUnprocessableEntity,
		oms.CodeConflict:    http.StatusConflict,
		oms.CodeUnavailable: http.StatusFailedDependency,
		oms.CodeTransient:   http.StatusServiceUnavailable,
		oms.CodeInternal:    http.StatusInternalServerError,
	}
	seen := map[int]oms.ErrorCode{}
	for code, status := range want {
		t.Run(string(code), func(t *testing.T) {
			assert.Equal(t, status, omshttp.Status(code))
		})
		prior, dup := seen[status]
		assert.False(t, dup, "%s and %s share status %d", prior, code, status)
		seen[status] = code
	}
	assert.Equal(t, http.StatusInternalServerError, omshttp.Status("no such code"))
}

func TestProblemOf(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		err    error
		status int
		code   string
		fields int
		retry  string
	}{
		{fmt.Errorf("oms: x: %w", inventory.ErrUnknownSKU), 404, "not_found", 0, ""},
		{&inventory.ShortageError{}, 424, "unavailable", 0, ""},
		{fmt.Errorf("oms: x: %w", oms.ErrIdempotencyKeyReused), 422, "invalid", 0, ""},
		{fmt.Errorf("oms: x: %w", oms.ErrShippingInProgress), 409, "conflict", 0, ""},
		{fmt.Errorf("oms: x: %w", oms.ErrPlacementInProgress), 503, "transient", 0, "1"},
		{errors.New("disk on fire"), 500, "internal", 0, ""},
	} {
		t.Run(tt.code, func(t *testing.T) {
			p := omshttp.ProblemOf(tt.err)
			assert.Equal(t, tt.status, p.Status)
			assert.Equal(t, tt.code, p.Code)
			assert.Len(t, p.Errors, tt.fields)
			assert.Equal(t, tt.retry, p.GetHeaders().Get("Retry-After"))
			if tt.code == "internal" {
				assert.NotContains(t, p.Detail, "disk on fire")
			}
		})
	}
}

func TestDocumentCoversEveryOperation(t *testing.T) {
	t.Parallel()
	a := newAPI(t, "")
	ops := a.doc.Operations()
	assert.Len(t, ops, 32, "%v", ops)
	for _, op := range []string{"POST /orders", "GET /orders/{id}", "POST /returns/{id}/receive", "GET /stock/available"} {
		assert.Contains(t, ops, op)
	}
	resp, err := a.srv.Client().Get(a.srv.URL + "/openapi.yaml")
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(b), "openapi: 3.1.0")
}

// The document states the engine's batch limit, so that a client knows it
// before sending a batch.
func TestDocumentStatesTheBatchLimit(t *testing.T) {
	t.Parallel()
	eng, err := oms.New()
	require.NoError(t, err)
	h, err := omshttp.New(eng, omshttp.Options{})
	require.NoError(t, err)
	schema := h.OpenAPI().Components.Schemas.Map()["PlaceBatchBody"]
	require.NotNil(t, schema)
	orders := schema.Properties["orders"]
	require.NotNil(t, orders)
	require.NotNil(t, orders.MaxItems)
	assert.Equal(t, oms.MaxPlaceBatch, *orders.MaxItems)
	assert.Contains(t, orders.Description, fmt.Sprint(oms.MaxPlaceBatch))
	body := h.OpenAPI().Paths["/orders/batch"].Post.RequestBody
	require.NotNil(t, body)
	require.NotNil(t, body.Content["application/json"])
	assert.Equal(t, "#/components/schemas/PlaceBatchBody", body.Content["application/json"].Schema.Ref, "the batch is documented as the batch it is")
	assert.True(t, body.Required)
}

// A batch's orders are validated each on its own: one missing a field,
// holding an unknown one, a value of the wrong type or one the engine
// refuses fails its own outcome, with field paths under orders[i], and
// the others are placed. A body that is no batch at all, or one larger
// than the engine takes, is refused whole.
func TestBatchValidatesEachOrderOnItsOwn(t *testing.T) {
	t.Parallel()
	a := newAPI(t, "")
	noAddress := mergeKey(draft("BV-2", 1), "bv-2")
	delete(noAddress, "shipping_address")
	badKind := mergeKey(draft("BV-3", 1), "bv-3")
	badKind["channel"] = map[string]any{"kind": "carrier-pigeon", "name": "webshop"}
	typo := mergeKey(draft("BV-5", 1), "bv-5")
	typo["discont"] = map[string]any{"amount": "5.00", "currency": "EUR"}
	wrongType := mergeKey(draft("BV-6", 1), "bv-6")
	wrongType["lines"] = "many"
	out := a.call(http.MethodPost, "/orders/batch", "", map[string]any{"orders": []any{
		mergeKey(draft("BV-1", 1), "bv-1"), noAddress, badKind, mergeKey(draft("BV-4", 1), "bv-4"), typo, wrongType,
	}}, http.StatusOK)["outcomes"].([]any)
	require.Len(t, out, 6)
	for _, i := range []int{0, 3} {
		o := out[i].(map[string]any)
		assert.EqualValues(t, http.StatusCreated, o["status"], "order %d: %v", i, o)
		assert.Equal(t, "confirmed", o["order"].(map[string]any)["status"], "order %d", i)
	}
	for i, want := range map[int]string{
		1: "body orders[1].shipping_address", 2: "body orders[2].channel.kind",
		4: "body orders[4].discont", 5: "body orders[5].lines",
	} {
		o := out[i].(map[string]any)
		assert.EqualValues(t, http.StatusUnprocessableEntity, o["status"], "order %d: %v", i, o)
		p := o["problem"].(map[string]any)
		assert.Equal(t, "invalid", p["code"], "order %d", i)
		assert.Contains(t, fieldPaths(p), want, "order %d", i)
		assert.Nil(t, o["order"], "order %d", i)
	}

	// No batch at all, or too large a one: refused whole.
	p := a.problem(http.MethodPost, "/orders/batch", "", map[string]any{}, http.StatusUnprocessableEntity, "invalid")
	assert.Equal(t, []string{"body orders"}, fieldPaths(p))
	a.problem(http.MethodPost, "/orders/batch", "", `{"orders": "all"}`, http.StatusUnprocessableEntity, "invalid")
	a.problem(http.MethodPost, "/orders/batch", "", `[]`, http.StatusUnprocessableEntity, "invalid")
	p = a.problem(http.MethodPost, "/orders/batch", "", `{"orders": [], "order": []}`, http.StatusUnprocessableEntity, "invalid")
	assert.Equal(t, []string{"body order"}, fieldPaths(p))
	a.problem(http.MethodPost, "/orders/batch", "", `{"orders": [`, http.StatusBadRequest, "malformed")
	big := make([]any, oms.MaxPlaceBatch+1)
	for i := range big {
		big[i] = mergeKey(draft(fmt.Sprint("BIG-", i), 1), "")
	}
	p = a.problem(http.MethodPost, "/orders/batch", "", map[string]any{"orders": big}, http.StatusUnprocessableEntity, "invalid")
	assert.Equal(t, []string{"body orders"}, fieldPaths(p))
	avail := a.call(http.MethodGet, "/stock/available?sku=MUG", "", nil, http.StatusOK)["available"].(map[string]any)
	assert.EqualValues(t, 10-2, avail["MUG"], "only the two valid orders reserved")
}
