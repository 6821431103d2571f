package opspage_test

import (
	"context"
	"errors"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/omshttp/opspage"
	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/memory"
)

func TestNewRefusesBadOptions(t *testing.T) {
	t.Parallel()
	s := newShop(t, nil)
	tests := []struct {
		name   string
		eng    *oms.Engine
		tenant func(*http.Request) (string, error)
		base   string
	}{
		{"nil engine", nil, headerTenant, ""},
		{"nil tenant", s.eng, nil, ""},
		{"relative base", s.eng, headerTenant, "ops"},
		{"trailing slash", s.eng, headerTenant, "/ops/"},
	}
	for _, tc := range tests {
		_, err := opspage.New(tc.eng, tc.tenant, opspage.Options{BasePath: tc.base})
		require.Error(t, err, tc.name)
		assert.Contains(t, err.Error(), "opspage: New", tc.name)
	}
}

// hrefs returns the links of a body, unescaped.
func hrefs(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`href="([^"]*)"`).FindAllStringSubmatch(body, -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out
}

func TestOrdersView(t *testing.T) {
	t.Parallel()
	s := newShop(t, nil)
	a := s.place(t, "A-1", "cus_a", 1)
	b := s.place(t, "B-1", "cus_b", 2)
	_, err := s.eng.CancelOrder(context.Background(), "", oms.OrderRequest{OrderID: b.ID, Reason: "test"})
	require.NoError(t, err)
	h := s.page(t, opspage.Options{BasePath: "/ops"})

	tests := []struct {
		name       string
		target     string
		status     int
		want, not  []string
		wantNotice bool
	}{
		{"all", "/ops/", 200, []string{a.ID.String(), b.ID.String()}, nil, false},
		{"by status", "/ops/?status=cancelled", 200, []string{b.ID.String()}, []string{a.ID.String()}, false},
		{"by order ID", "/ops/?q=" + a.ID.String(), 200, []string{a.ID.String()}, []string{b.ID.String()}, false},
		{"by order ID, padded", "/ops/?q=+" + a.ID.String() + "+", 200, []string{a.ID.String()}, nil, false},
		{"unknown order ID", "/ops/?q=" + uuid.NewString(), 200, nil, []string{a.ID.String(), b.ID.String()}, true},
		{"by customer ID", "/ops/?q=cus_b", 200, []string{b.ID.String()}, []string{a.ID.String()}, false},
		{"by channel order reference", "/ops/?q=A-1", 200, []string{a.ID.String()}, []string{b.ID.String()}, false},
		{"by reference only", "/ops/?q=cus_b&by=ref", 200, nil, []string{a.ID.String(), b.ID.String()}, true},
		{"by customer only", "/ops/?q=A-1&by=customer", 200, nil, []string{a.ID.String(), b.ID.String()}, true},
		{"unknown search kind", "/ops/?q=A-1&by=email", 400, []string{"by: &#34;email&#34; is neither"}, nil, false},
		{"by channel", "/ops/?channel=elsewhere", 200, nil, []string{a.ID.String()}, true},
		{"unknown status", "/ops/?status=lost", 400, []string{"status: &#34;lost&#34; is not an order status"}, nil, false},
		{"long query", "/ops/?q=" + strings.Repeat("x", 201), 400, []string{"q: at most 200 characters"}, nil, false},
		{"bad cursor", "/ops/?cursor=nonsense", 400, []string{"invalid cursor"}, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, body := get(t, h, tc.target, "")
			require.Equal(t, tc.status, code, body)
			for _, w := range tc.want {
				assert.Contains(t, body, w)
			}
			for _, n := range tc.not {
				assert.NotContains(t, body, n)
			}
			assert.Equal(t, tc.wantNotice, strings.Contains(body, `id="notice"`), "notice")
			for _, l := range hrefs(body) {
				assert.True(t, strings.HasPrefix(l, "/ops/"), "link %q under the base path", l)
			}
		})
	}
}

func TestOrdersPaging(t *testing.T) {
	t.Parallel()
	s := newShop(t, nil)
	want := map[string]bool{}
	for i := range 5 {
		want[s.place(t, "P-"+string(rune('a'+i)), "cus_p", 1).ID.String()] = true
	}
	h := s.page(t, opspage.Options{PageSize: 2})
	idRE := regexp.MustCompile(`class="order" href="/orders/([0-9a-f-]{36})"`)
	seen := map[string]bool{}
	target, pages := "/", 0
	for target != "" {
		code, body := get(t, h, target, "")
		require.Equal(t, 200, code, body)
		pages++
		rows := idRE.FindAllStringSubmatch(body, -1)
		require.LessOrEqual(t, len(rows), 2, "page size")
		for _, m := range rows {
			require.False(t, seen[m[1]], "order %s listed twice", m[1])
			seen[m[1]] = true
		}
		target = ""
		if m := regexp.MustCompile(`id="next" href="([^"]*)"`).FindStringSubmatch(body); m != nil {
			target = html.UnescapeString(m[1])
		}
		require.Less(t, pages, 10)
	}
	assert.Equal(t, want, seen, "every order once")
	assert.Equal(t, 3, pages)
}

func TestOrderView(t *testing.T) {
	t.Parallel()
	s := newShop(t, nil)
	o := s.place(t, `<script>alert("x")</script>`, "cus_x", 3)
	h := s.page(t, opspage.Options{})
	code, body := get(t, h, "/orders/"+o.ID.String(), "")
	require.Equal(t, 200, code, body)
	for _, w := range []string{"order.placed", "payment.authorized", "order.confirmed", `id="timeline"`,
		"MUG", o.Totals.Total.String(), "confirmed", "BER (Berlin)", "grace@example.com",
		// Payloads are shown indented, escaped.
		"&#34;order_id&#34;: &#34;" + o.ID.String() + "&#34;"} {
		assert.Contains(t, body, w)
	}
	assert.NotContains(t, body, "<script>alert", "the external reference is escaped")
	assert.Contains(t, body, "&lt;script&gt;alert")
	title := regexp.MustCompile(`<title>(.*)</title>`).FindStringSubmatch(body)
	require.NotNil(t, title)
	assert.Equal(t, "Order "+o.ID.String()+" · Operations", title[1], "no customer data in the title")
	assert.Equal(t, 3, strings.Count(body, `<tr class="event">`), "three events")

	code, _ = get(t, h, "/orders/"+uuid.NewString(), "")
	assert.Equal(t, 404, code, "unknown order")
	code, _ = get(t, h, "/orders/not-an-id", "")
	assert.Equal(t, 400, code, "bad ID")
	code, _ = get(t, h, "/orders/"+o.ID.String(), "other")
	assert.Equal(t, 404, code, "another tenant's order")
}

func TestTenants(t *testing.T) {
	t.Parallel()
	s := newShop(t, nil)
	o := s.place(t, "T-1", "cus_t", 1)
	h := s.page(t, opspage.Options{})
	for _, target := range []string{"/", "/orders/" + o.ID.String(), "/stock", "/outbox"} {
		code, body := get(t, h, target, "refuse")
		assert.Equal(t, http.StatusUnauthorized, code, target)
		assert.NotContains(t, body, o.ID.String(), target)
	}
	code, body := get(t, h, "/", "other")
	require.Equal(t, 200, code)
	assert.NotContains(t, body, o.ID.String(), "another tenant sees none of the default tenant's orders")
	code, _ = get(t, h, "/nowhere", "")
	assert.Equal(t, http.StatusNotFound, code)
}

func TestStockView(t *testing.T) {
	t.Parallel()
	s := newShop(t, nil)
	o := s.place(t, "S-1", "cus_s", 4)
	h := s.page(t, opspage.Options{})
	code, body := get(t, h, "/stock", "")
	require.Equal(t, 200, code, body)
	row := regexp.MustCompile(`(?s)<tr><td><a href="/stock\?sku=MUG"><code>MUG</code></a></td><td>BER \(Berlin\)</td>` +
		`<td class="n">(\d+)</td><td class="n">(\d+)</td><td class="n">(\d+)</td>`).FindStringSubmatch(body)
	require.NotNil(t, row, body)
	assert.Equal(t, []string{"20", "4", "16"}, row[1:], "on hand, reserved, available")
	assert.Contains(t, body, "/orders/"+o.ID.String(), "the open reservation links its order")
	assert.Contains(t, body, "TEE")

	code, body = get(t, h, "/stock?sku=TEE", "")
	require.Equal(t, 200, code)
	assert.NotContains(t, body, "<code>MUG</code>")
	assert.Contains(t, body, "No open reservations.")
}

func TestOutboxView(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newShop(t, nil)
	dl := opspage.NewDeadLetters(10, nil)
	h := s.page(t, opspage.Options{DeadLetters: dl})

	code, body := get(t, h, "/outbox", "")
	require.Equal(t, 200, code, body)
	assert.Regexp(t, `id="undelivered">[1-9]\d*<`, body, "the stock events are undelivered")
	assert.Contains(t, body, "No dead letters for this tenant.")

	o := s.place(t, "D-1", "cus_d", 1)
	relay := s.eng.NewRelay(oms.RelayOptions{MaxAttempts: 1, DeadLetter: dl.Record})
	relay.Subscribe(func(_ context.Context, e storage.Event) error {
		if e.Type == oms.EventOrderPlaced {
			return errors.New("subscriber <down>")
		}
		return nil
	})
	_, err := relay.Drain(ctx)
	require.NoError(t, err)

	code, body = get(t, h, "/outbox", "")
	require.Equal(t, 200, code, body)
	assert.Contains(t, body, `id="undelivered">0<`)
	assert.Contains(t, body, "subscriber &lt;down&gt;", "the cause, escaped")
	assert.Contains(t, body, `href="/orders/`+o.ID.String()+`"`)
	assert.Equal(t, 1, strings.Count(body, "<code>order.placed</code>"))

	_, body = get(t, h, "/outbox", "other")
	assert.NotContains(t, body, o.ID.String(), "another tenant's dead letters are not listed")

	_, body = get(t, s.page(t, opspage.Options{}), "/outbox", "")
	assert.Contains(t, body, "No dead-letter recorder is configured")
}

// plainStore hides the optional abilities of a store's transactions and
// relay.
type plainStore struct{ storage.Store }

func (s plainStore) Tx(ctx context.Context, tenant string, fn func(storage.Tx) error) error {
	return s.Store.Tx(ctx, tenant, func(tx storage.Tx) error { return fn(struct{ storage.Tx }{tx}) })
}

func (s plainStore) Outbox() storage.OutboxRelay {
	return struct{ storage.OutboxRelay }{s.Store.Outbox()}
}

func TestStoreWithoutHistory(t *testing.T) {
	t.Parallel()
	s := newShop(t, plainStore{memory.New()})
	o := s.place(t, "N-1", "cus_n", 1)
	h := s.page(t, opspage.Options{})
	code, body := get(t, h, "/orders/"+o.ID.String(), "")
	require.Equal(t, 200, code, body)
	assert.Contains(t, body, "keeps no event history")
	code, body = get(t, h, "/outbox", "")
	require.Equal(t, 200, code, body)
	assert.Contains(t, body, "reports no status")
}
