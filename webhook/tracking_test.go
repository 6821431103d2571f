package webhook_test

import (
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

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/shipping"
	"github.com/ordersmith/oms/webhook"
)

// intake serves a tracking intake for w's engine; the tenant comes from
// the X-Tenant header, and an empty one fails.
func intake(t testing.TB, w *world, secrets ...webhook.Secret) *httptest.Server {
	t.Helper()
	v, err := webhook.NewVerifier(webhook.VerifierOptions{Clock: w.clock.Now}, secrets...)
	require.NoError(t, err)
	in, err := webhook.NewTrackingIntake(webhook.TrackingConfig{
		Engine: w.eng, Verifier: v, MaxBody: 1024,
		Tenant: func(r *http.Request) (string, error) {
			if tn := r.Header.Get("X-Tenant"); tn != "" {
				return tn, nil
			}
			return "", errors.New("no X-Tenant header")
		},
	})
	require.NoError(t, err)
	srv := httptest.NewServer(in)
	t.Cleanup(srv.Close)
	return srv
}

type push struct {
	method string
	id     string
	body   string
	at     time.Time
	secret webhook.Secret
	tenant string
	header http.Header // sent as is when set
}

type answer struct {
	status  int
	problem struct {
		Type   string `json:"type"`
		Title  string `json:"title"`
		Status int    `json:"status"`
		Detail string `json:"detail"`
		Errors []struct {
			Path    string `json:"path"`
			Problem string `json:"problem"`
		} `json:"errors"`
	}
	header http.Header
}

func send(t testing.TB, srv *httptest.Server, p push) (answer, http.Header) {
	t.Helper()
	if p.method == "" {
		p.method = http.MethodPost
	}
	req, err := http.NewRequest(p.method, srv.URL, strings.NewReader(p.body))
	require.NoError(t, err)
	if p.header != nil {
		req.Header = p.header.Clone()
	} else {
		require.NoError(t, webhook.SetHeaders(req.Header, p.id, p.at, []byte(p.body), p.secret))
	}
	req.Header.Set("Content-Type", "application/json")
	if p.tenant != "" {
		req.Header.Set("X-Tenant", p.tenant)
	}
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	a := answer{status: resp.StatusCode, header: resp.Header}
	if resp.StatusCode != http.StatusNoContent {
		assert.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
		require.NoError(t, json.Unmarshal(raw, &a.problem), "problem body: %s", raw)
		assert.Equal(t, resp.StatusCode, a.problem.Status)
		assert.Equal(t, "about:blank", a.problem.Type)
		assert.Equal(t, http.StatusText(resp.StatusCode), a.problem.Title)
	} else {
		assert.Empty(t, raw)
	}
	return a, req.Header
}

// A carrier pushes tracking for a shipped order until it is delivered:
// each signed push syncs the shipment, and the order becomes delivered.
func TestTrackingIntakeEndToEnd(t *testing.T) {
	w := newWorld(t)
	sec := webhook.NewSecret()
	srv := intake(t, w, sec)
	o := w.place(t, "WEB-1")
	shipments := w.ship(t, o.ID)
	require.Len(t, shipments, 1)
	s := shipments[0]

	for day := 1; day <= 10; day++ {
		w.clock.Advance(24 * time.Hour)
		a, _ := send(t, srv, push{id: fmt.Sprintf("trk_%d", day), body: fmt.Sprintf(`{"shipment_id": %q}`, s.ID), at: w.clock.Now(), secret: sec, tenant: oms.DefaultTenant})
		require.Equal(t, http.StatusNoContent, a.status, "day %d: %s", day, a.problem.Detail)
	}
	got, err := w.eng.GetOrder(context.Background(), oms.DefaultTenant, o.ID)
	require.NoError(t, err)
	assert.Equal(t, order.StatusDelivered, got.Status)
	d, err := w.eng.OrderDetails(context.Background(), oms.DefaultTenant, o.ID)
	require.NoError(t, err)
	require.Len(t, d.Shipments, 1)
	assert.Equal(t, shipping.StatusDelivered, d.Shipments[0].Status)
}

func TestTrackingIntakeAnswers(t *testing.T) {
	w := newWorld(t)
	sec := webhook.NewSecret()
	srv := intake(t, w, sec)
	o := w.place(t, "WEB-1")
	s := w.ship(t, o.ID)[0]
	good := fmt.Sprintf(`{"shipment_id": %q}`, s.ID)
	now := w.clock.Now()

	// A replay of an accepted push is answered 204 and does nothing more.
	first, firstHeader := send(t, srv, push{id: "trk_replayed", body: good, at: now, secret: sec, tenant: oms.DefaultTenant})
	require.Equal(t, http.StatusNoContent, first.status)

	forgedHeader := firstHeader.Clone()
	for _, tc := range []struct {
		name   string
		p      push
		status int
		field  string
	}{
		{"replay", push{header: firstHeader, body: good}, http.StatusNoContent, ""},
		{"forged body", push{header: forgedHeader, body: fmt.Sprintf(`{"shipment_id": %q}`, uuid.Must(uuid.NewV7()))}, http.StatusUnauthorized, ""},
		{"another secret", push{id: "trk_a", body: good, at: now, secret: webhook.NewSecret(), tenant: oms.DefaultTenant}, http.StatusUnauthorized, ""},
		{"stale", push{id: "trk_b", body: good, at: now.Add(-10 * time.Minute), secret: sec, tenant: oms.DefaultTenant}, http.StatusUnauthorized, ""},
		{"unsigned", push{header: http.Header{}, body: good, tenant: oms.DefaultTenant}, http.StatusUnauthorized, ""},
		{"no tenant", push{id: "trk_c", body: good, at: now, secret: sec}, http.StatusUnauthorized, ""},
		{"not JSON", push{id: "trk_d", body: `shipment`, at: now, secret: sec, tenant: oms.DefaultTenant}, http.StatusBadRequest, ""},
		{"two objects", push{id: "trk_e", body: good + good, at: now, secret: sec, tenant: oms.DefaultTenant}, http.StatusBadRequest, ""},
		{"number id", push{id: "trk_f", body: `{"shipment_id": 7}`, at: now, secret: sec, tenant: oms.DefaultTenant}, http.StatusBadRequest, ""},
		{"missing id", push{id: "trk_g", body: `{}`, at: now, secret: sec, tenant: oms.DefaultTenant}, http.StatusUnprocessableEntity, "shipment_id"},
		{"not a UUID", push{id: "trk_h", body: `{"shipment_id": "parcel-7"}`, at: now, secret: sec, tenant: oms.DefaultTenant}, http.StatusUnprocessableEntity, "shipment_id"},
		{"unknown shipment", push{id: "trk_i", body: fmt.Sprintf(`{"shipment_id": %q}`, uuid.Must(uuid.NewV7())), at: now, secret: sec, tenant: oms.DefaultTenant}, http.StatusNotFound, ""},
		{"another tenant's shipment", push{id: "trk_j", body: good, at: now, secret: sec, tenant: "other-shop"}, http.StatusNotFound, ""},
		{"too large", push{id: "trk_k", body: `{"shipment_id": "` + strings.Repeat("x", 2000) + `"}`, at: now, secret: sec, tenant: oms.DefaultTenant}, http.StatusRequestEntityTooLarge, ""},
		{"GET", push{method: http.MethodGet, id: "trk_l", at: now, secret: sec, tenant: oms.DefaultTenant}, http.StatusMethodNotAllowed, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, _ := send(t, srv, tc.p)
			require.Equal(t, tc.status, a.status, a.problem.Detail)
			if tc.field != "" {
				require.Len(t, a.problem.Errors, 1)
				assert.Equal(t, tc.field, a.problem.Errors[0].Path)
			}
			if tc.status == http.StatusMethodNotAllowed {
				assert.Equal(t, http.MethodPost, a.header.Get("Allow"))
			}
		})
	}

	// A push answered with an error is forgotten, so the carrier's retry
	// (same ID, fresh signature) is handled.
	a, _ := send(t, srv, push{id: "trk_g", body: good, at: now.Add(time.Second), secret: sec, tenant: oms.DefaultTenant})
	assert.Equal(t, http.StatusNoContent, a.status, a.problem.Detail)
}

func TestNewTrackingIntakeNeedsItsParts(t *testing.T) {
	w := newWorld(t)
	v, err := webhook.NewVerifier(webhook.VerifierOptions{}, webhook.NewSecret())
	require.NoError(t, err)
	tenant := func(*http.Request) (string, error) { return "", nil }
	for _, tc := range []struct {
		name  string
		cfg   webhook.TrackingConfig
		field string
	}{
		{"engine", webhook.TrackingConfig{Verifier: v, Tenant: tenant}, "engine"},
		{"verifier", webhook.TrackingConfig{Engine: w.eng, Tenant: tenant}, "verifier"},
		{"tenant", webhook.TrackingConfig{Engine: w.eng, Verifier: v}, "tenant"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := webhook.NewTrackingIntake(tc.cfg)
			require.ErrorIs(t, err, webhook.ErrInvalidConfig)
			assert.ErrorContains(t, err, tc.field)
		})
	}
}
