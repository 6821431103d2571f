package main_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/omshttp/apitest"
)

// logBuffer collects the process's log; the process writes it while the
// test reads it.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// service is a running httpservice process.
type service struct {
	t   *testing.T
	url string
	doc *apitest.Document
}

// start builds the example and runs it on a free port with a fresh SQLite
// file, waiting until it prints the address it listens on.
func start(t *testing.T, ctx context.Context, args ...string) (*exec.Cmd, *service, *logBuffer) {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "httpservice")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)
	cmd := exec.CommandContext(ctx, bin, append([]string{"-addr", "127.0.0.1:0", "-db", filepath.Join(dir, "oms.db")}, args...)...)
	logs := &logBuffer{}
	cmd.Stderr = logs
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	sc := bufio.NewScanner(stdout)
	var url string
	for sc.Scan() {
		if u, ok := strings.CutPrefix(sc.Text(), "httpservice: listening on "); ok {
			url = u
			break
		}
	}
	require.NotEmpty(t, url, "the service did not start: %s", logs.String())
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	doc, err := apitest.Fetch(ctx, nil, url+"/openapi.json")
	require.NoError(t, err)
	return cmd, &service{t: t, url: url, doc: doc}, logs
}

// call sends one request, checks the response against the served document
// and its status, and returns the body as a JSON object.
func (s *service) call(method, path, key string, body any, status int) map[string]any {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(s.t, err)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.url+path, rd)
	require.NoError(s.t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(s.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(s.t, err)
	require.NoError(s.t, s.doc.CheckResponse(resp, b), "%s %s: %s", method, path, b)
	require.Equal(s.t, status, resp.StatusCode, "%s %s: %s", method, path, b)
	var out map[string]any
	require.NoError(s.t, json.Unmarshal(b, &out))
	return out
}

// TestWholeLife drives one order through its whole life over real HTTP
// against the running example, every response checked against the
// document it serves, then stops it with SIGTERM.
func TestWholeLife(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	// 100000x: the sandbox's two-day express delivery takes about 3 s.
	cmd, s, logs := start(t, ctx, "-time-scale", "100000", "-recover-every", "1s")

	o := s.call(http.MethodPost, "/orders", "http-1", map[string]any{
		"channel":          map[string]any{"kind": "web", "name": "webshop"},
		"customer":         map[string]any{"id": "cus_42", "email": "ada@example.com"},
		"shipping_address": map[string]any{"name": "Ada Lovelace", "line1": "Jungfernstieg 1", "city": "Hamburg", "postal_code": "20354", "country": "DE"},
		"currency":         "EUR",
		"lines":            []any{map[string]any{"sku": "MUG-BLK", "quantity": 2, "unit_price": map[string]any{"amount": "12.90", "currency": "EUR"}}},
		"tax_rate":         "0.19",
		"payment":          map[string]any{"token": "tok_approve"},
	}, http.StatusCreated)
	id := o["id"].(string)
	require.Equal(t, "confirmed", o["status"])
	line := o["lines"].([]any)[0].(map[string]any)["id"].(string)

	fs := s.call(http.MethodPost, "/orders/"+id+"/fulfillments", "", nil, http.StatusCreated)["fulfillments"].([]any)
	require.Len(t, fs, 1)
	fid := fs[0].(map[string]any)["id"].(string)
	s.call(http.MethodGet, "/fulfillments/"+fid+"/pick-list", "", nil, http.StatusOK)
	s.call(http.MethodPost, "/fulfillments/"+fid+"/pick", "pick-1", map[string]any{"picks": []any{map[string]any{"order_line_id": line, "quantity": 2}}}, http.StatusOK)
	s.call(http.MethodPost, "/fulfillments/"+fid+"/pack", "pack-1", map[string]any{"packages": []any{
		map[string]any{"weight_grams": 900, "lines": []any{map[string]any{"order_line_id": line, "quantity": 2}}},
	}}, http.StatusOK)
	sh := s.call(http.MethodPost, "/fulfillments/"+fid+"/ship", "", map[string]any{"fastest": true}, http.StatusCreated)
	for sh["status"] != "delivered" {
		require.NoError(t, ctx.Err(), "not delivered: %v", sh["status"])
		time.Sleep(200 * time.Millisecond)
		sh = s.call(http.MethodPost, "/shipments/"+sh["id"].(string)+"/sync-tracking", "", nil, http.StatusOK)
	}
	assert.Equal(t, "delivered", s.call(http.MethodGet, "/orders/"+id, "", nil, http.StatusOK)["status"])
	s.call(http.MethodPost, "/orders/"+id+"/feedback", "fb-1", map[string]any{"rating": 5}, http.StatusOK)

	r := s.call(http.MethodPost, "/orders/"+id+"/returns", "ret-1", map[string]any{
		"reason": "no_longer_needed", "lines": []any{map[string]any{"order_line_id": line, "quantity": 1}},
	}, http.StatusCreated)
	rid := r["id"].(string)
	s.call(http.MethodPost, "/returns/"+rid+"/approve", "", nil, http.StatusOK)
	r = s.call(http.MethodPost, "/returns/"+rid+"/receive", "recv-1", map[string]any{"receipts": []any{
		map[string]any{"order_line_id": line, "quantity": 1, "resellable": 1},
	}}, http.StatusOK)
	assert.Equal(t, "refunded", r["status"])
	s.call(http.MethodPost, "/returns/"+rid+"/refund", "", nil, http.StatusOK)
	d := s.call(http.MethodGet, "/orders/"+id+"/details", "", nil, http.StatusOK)
	assert.Equal(t, map[string]any{"amount": "15.35", "currency": "EUR"}, d["order"].(map[string]any)["payment"].(map[string]any)["refunded"])
	// An error response is checked against the document too.
	s.call(http.MethodGet, "/orders/0190d6a2-7c4e-7b7c-9d4f-3a1e2b4c5d6e", "", nil, http.StatusNotFound)
	lv := s.call(http.MethodGet, "/stock?sku=MUG-BLK", "", nil, http.StatusOK)["levels"].([]any)
	assert.EqualValues(t, 99, lv[0].(map[string]any)["on_hand"])

	// The operations page is mounted.
	resp, err := http.Get(s.url + "/ops/")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, cmd.Wait(), "%s", logs.String())
	assert.Contains(t, logs.String(), "shutting down")
	assert.Contains(t, logs.String(), "type=order.placed")
}
