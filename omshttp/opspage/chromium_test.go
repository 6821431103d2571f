package opspage_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/omshttp"
	"github.com/ordersmith/oms/omshttp/opspage"
)

// chromiumPath returns Debian's chromium, skipping the test when it is not
// installed, or failing it under CI (CI=true), where .ci/run installs it.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed (CI=true: .ci/run installs Debian's chromium package)")
	}
	t.Skip("chromium is not on PATH: install Debian's chromium package to run the browser test")
	return ""
}

// TestChromium places an order through the HTTP API, then, in headless
// Chromium, searches for it on the operations page, opens it and reads
// its timeline.
func TestChromium(t *testing.T) {
	exe := chromiumPath(t)
	s := newShop(t, nil)
	tenant := func(*http.Request) (string, error) { return oms.DefaultTenant, nil }
	api, err := omshttp.New(s.eng, omshttp.Options{Tenant: tenant, BasePath: "/api"})
	require.NoError(t, err)
	ops, err := opspage.New(s.eng, tenant, opspage.Options{BasePath: "/ops"})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/api/", api)
	mux.Handle("/ops/", ops)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	// Two orders, so that finding one is a search, not the only row.
	ids := make([]string, 2)
	for i := range ids {
		ids[i] = placeOverHTTP(t, srv.URL+"/api/orders", "WEB-"+uuid.NewString()[:8])
	}
	want := ids[1]

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	t.Cleanup(cancelAlloc)
	browser, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelBrowser)

	// The orders view lists both.
	require.NoError(t, chromedp.Do(browser, chromedp.Navigate(srv.URL+"/ops/")))
	listed, err := chromedp.Run(browser, chromedp.Nodes(chromedp.CSSAll("#orders a.order")))
	require.NoError(t, err)
	require.Len(t, listed, 2, "both orders listed")

	// Search for one by its ID.
	require.NoError(t, chromedp.Do(browser, chromedp.SendKeys(chromedp.ID("q"), want)))
	resp, err := chromedp.RunResponse(browser, chromedp.Click(chromedp.ID("search")))
	require.NoError(t, err)
	require.EqualValues(t, http.StatusOK, resp.Status)
	loc, err := chromedp.Run(browser, chromedp.Location())
	require.NoError(t, err)
	assert.Contains(t, loc, "q="+want, "the search is in the URL")
	found, err := chromedp.Run(browser, chromedp.Nodes(chromedp.CSSAll("#orders a.order")))
	require.NoError(t, err)
	require.Len(t, found, 1, "the search finds the one order")
	link, err := chromedp.Run(browser, chromedp.Text(chromedp.CSS("#orders a.order")))
	require.NoError(t, err)
	assert.Equal(t, want, strings.TrimSpace(link))

	// Open it and read the timeline.
	resp, err = chromedp.RunResponse(browser, chromedp.Click(chromedp.CSS("#orders a.order")))
	require.NoError(t, err)
	require.EqualValues(t, http.StatusOK, resp.Status)
	title, err := chromedp.Run(browser, chromedp.Title())
	require.NoError(t, err)
	assert.Equal(t, "Order "+want+" · Operations", title)
	require.NoError(t, chromedp.Do(browser, chromedp.WaitVisible(chromedp.ID("timeline"))))
	timeline, err := chromedp.Run(browser, chromedp.Text(chromedp.ID("timeline")))
	require.NoError(t, err)
	for _, typ := range []string{oms.EventOrderPlaced, oms.EventPaymentAuthorized, oms.EventOrderConfirmed} {
		assert.Contains(t, timeline, typ)
	}
	assert.Contains(t, timeline, `"order_id": "`+want+`"`, "the payloads, pretty-printed")
	status, err := chromedp.Run(browser, chromedp.Text(chromedp.ID("status")))
	require.NoError(t, err)
	assert.Equal(t, "confirmed", strings.TrimSpace(status))
}

// placeOverHTTP places an order of one MUG with POST and returns its ID.
func placeOverHTTP(t *testing.T, url, ref string) string {
	t.Helper()
	body, err := json.Marshal(map[string]any{
		"channel":      map[string]string{"kind": "web", "name": "webshop"},
		"external_ref": ref,
		"customer":     map[string]string{"id": "cus_web", "name": "Ada Lovelace", "email": "ada@example.com"},
		"shipping_address": map[string]string{"name": "Ada Lovelace", "line1": "1 Main St", "city": "Berlin",
			"postal_code": "10115", "country": "DE"},
		"currency": "EUR",
		"lines":    []map[string]any{{"sku": "MUG", "quantity": 1, "unit_price": map[string]string{"amount": "9.50", "currency": "EUR"}}},
		"payment":  map[string]string{"token": "tok_approve"},
	})
	require.NoError(t, err)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", "place-"+ref)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, res.StatusCode, "%s", raw)
	var out struct {
		ID string `json:"id"`
	}
	require.NoError(t, json.Unmarshal(raw, &out))
	require.NotEmpty(t, out.ID)
	return out.ID
}
