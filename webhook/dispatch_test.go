package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/webhook"
)

// newRelay returns a relay over w's engine with rec subscribed first and
// d's handler after it.
func newRelay(w *world, d *webhook.Dispatcher) (*oms.Relay, *recorded) {
	relay := w.eng.NewRelay(oms.RelayOptions{})
	rec := record(relay)
	relay.Subscribe(d.Handler())
	return relay, rec
}

// A receiver using a Verifier accepts every delivery of a real relay, and
// refuses a forged, a stale and a replayed one; an endpoint filtered to
// one event type gets only those.
func TestDeliveriesVerify(t *testing.T) {
	w := newWorld(t)
	sec := webhook.NewSecret()
	all := newReceiver(t, w.clock.Now, nil, sec)
	placedOnly := newReceiver(t, w.clock.Now, nil, sec)
	d, err := webhook.NewDispatcher(all.srv.Client(), []webhook.Endpoint{
		{Name: "all", URL: all.srv.URL, Secrets: []webhook.Secret{sec}},
		{Name: "placed", URL: placedOnly.srv.URL, Secrets: []webhook.Secret{sec}, EventTypes: []string{oms.EventOrderPlaced}},
	}, webhook.Options{Clock: w.clock.Now, Source: "https://shop.example/oms"})
	require.NoError(t, err)
	relay, rec := newRelay(w, d)
	w.place(t, "WEB-1")
	w.place(t, "WEB-2")
	w.pump(t, relay, time.Second, 10)

	want := rec.ids()
	require.NotEmpty(t, want)
	assert.Empty(t, all.refused)
	got := map[string]bool{}
	for _, dl := range all.raw {
		got[dl.event.ID] = true
		assert.Equal(t, dl.event.ID, dl.header.Get(webhook.HeaderID), "webhook-id is the event ID")
		e := rec.events[uuid.MustParse(dl.event.ID)]
		env, err := json.Marshal(oms.Envelope(e, "https://shop.example/oms"))
		require.NoError(t, err)
		assert.JSONEq(t, string(env), string(dl.body), "the body is the event's CloudEvent")
	}
	assert.Equal(t, want, got, "every event reached the endpoint")
	assert.Len(t, all.raw, len(want), "each exactly once")
	placed := map[string]bool{}
	for _, dl := range placedOnly.raw {
		placed[dl.event.ID] = true
		assert.Equal(t, oms.EventOrderPlaced, dl.event.Type)
	}
	assert.Equal(t, rec.ids(oms.EventOrderPlaced), placed)
	assert.Len(t, placed, 2)
	assert.Zero(t, d.Tracked(), "fully delivered events are dropped")

	// Now an attacker re-sends a captured delivery, changes one, and sends
	// one signed long ago.
	captured := all.raw[0]
	post := func(h http.Header, body []byte) int {
		req, err := http.NewRequest(http.MethodPost, all.srv.URL, bytes.NewReader(body))
		require.NoError(t, err)
		req.Header = h.Clone()
		resp, err := all.srv.Client().Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	forged := bytes.Replace(captured.body, []byte(`"specversion"`), []byte(`"specversion" `), 1)
	stale := http.Header{}
	stale.Set("Content-Type", webhook.ContentTypeCloudEvents)
	require.NoError(t, webhook.SetHeaders(stale, uuid.NewString(), w.clock.Now().Add(-6*time.Minute), captured.body, sec))
	for _, tc := range []struct {
		name string
		h    http.Header
		body []byte
		want error
	}{
		{"replayed", captured.header, captured.body, webhook.ErrReplayed},
		{"forged", captured.header, forged, webhook.ErrInvalidSignature},
		{"stale", stale, captured.body, webhook.ErrTimestampTooOld},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := len(all.refused)
			assert.Equal(t, http.StatusUnauthorized, post(tc.h, tc.body))
			require.Len(t, all.refused, n+1)
			assert.ErrorIs(t, all.refused[n], tc.want)
		})
	}
	assert.Len(t, all.raw, len(want), "nothing refused was taken")
}

// A receiver that fails each event 3 times and then accepts it gets each
// event exactly once after de-duplication by ID (and 4 times without it),
// on the default backoff schedule; a healthy endpoint beside it gets each
// event exactly once, although the relay redelivers them.
func TestRetriesUntilAccepted(t *testing.T) {
	w := newWorld(t)
	sec := webhook.NewSecret()
	flaky := newReceiver(t, w.clock.Now, func(try int) int {
		if try <= 3 {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	}, sec)
	healthy := newReceiver(t, w.clock.Now, nil, sec)
	var dead []webhook.DeadLetter
	d, err := webhook.NewDispatcher(nil, []webhook.Endpoint{
		{URL: flaky.srv.URL, Secrets: []webhook.Secret{sec}},
		{URL: healthy.srv.URL, Secrets: []webhook.Secret{sec}},
	}, webhook.Options{Clock: w.clock.Now, MaxAttempts: 5, DeadLetterFunc: func(_ context.Context, dl webhook.DeadLetter) error {
		dead = append(dead, dl)
		return nil
	}})
	require.NoError(t, err)
	relay, rec := newRelay(w, d)
	w.place(t, "WEB-1")
	// Each relay pass moves the clock by a second: the third failure
	// waits 4 s, so some passes find the endpoint still waiting.
	w.pump(t, relay, time.Second, 500)

	want := rec.ids()
	require.NotEmpty(t, want)
	assert.Empty(t, dead)
	for id := range want {
		assert.Equal(t, 4, flaky.tries[id], "flaky endpoint, event %s: 3 failures and 1 success", id)
		assert.Equal(t, 1, flaky.accepted[id], "flaky endpoint, event %s: accepted once", id)
		assert.Equal(t, 1, healthy.tries[id], "healthy endpoint, event %s: posted once", id)
	}
	assert.Len(t, flaky.accepted, len(want), "after de-duplication by ID: each event once")
	assert.Len(t, flaky.raw, 4*len(want), "without it: at least once (here 4 times)")
	assert.Len(t, healthy.raw, len(want))
	assert.Empty(t, flaky.refused, "retries carry fresh timestamps and signatures")
	assert.Zero(t, d.Tracked())
}

// Rotation: the endpoint lists the new and the old secret; a receiver that
// holds only the old one, one that holds only the new one and one that
// holds both all verify every delivery.
func TestRotation(t *testing.T) {
	w := newWorld(t)
	oldSec, newSec := webhook.NewSecret(), webhook.NewSecret()
	receivers := map[string]*receiver{
		"old":  newReceiver(t, w.clock.Now, nil, oldSec),
		"new":  newReceiver(t, w.clock.Now, nil, newSec),
		"both": newReceiver(t, w.clock.Now, nil, newSec, oldSec),
	}
	var eps []webhook.Endpoint
	for name, r := range receivers {
		eps = append(eps, webhook.Endpoint{Name: name, URL: r.srv.URL, Secrets: []webhook.Secret{newSec, oldSec}})
	}
	d, err := webhook.NewDispatcher(nil, eps, webhook.Options{Clock: w.clock.Now})
	require.NoError(t, err)
	relay, rec := newRelay(w, d)
	w.place(t, "WEB-1")
	w.pump(t, relay, time.Second, 10)
	for name, r := range receivers {
		assert.Empty(t, r.refused, name)
		assert.Len(t, r.accepted, len(rec.ids()), name)
		for _, dl := range r.raw {
			assert.Len(t, bytes.Fields([]byte(dl.header.Get(webhook.HeaderSignature))), 2, "one signature per secret")
		}
	}
}

// An endpoint that keeps failing has each event dead-lettered after
// MaxAttempts failures (410 Gone: after the first), is not posted it
// again, and the other endpoint still gets every event once.
func TestDeadLetter(t *testing.T) {
	for _, tc := range []struct {
		name        string
		status      int
		maxAttempts int
		attempts    int // failed posts before the dead letter
		dlFails     int // the dead letter fails this many times first
	}{
		{"server error", http.StatusInternalServerError, 3, 3, 0},
		{"gone", http.StatusGone, 3, 1, 0},
		{"dead letter fails twice", http.StatusBadGateway, 2, 2, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			sec := webhook.NewSecret()
			broken := newReceiver(t, w.clock.Now, func(int) int { return tc.status }, sec)
			healthy := newReceiver(t, w.clock.Now, nil, sec)
			var (
				mu      sync.Mutex
				dead    = map[uuid.UUID]webhook.DeadLetter{}
				dlCalls int
			)
			d, err := webhook.NewDispatcher(nil, []webhook.Endpoint{
				{Name: "broken", URL: broken.srv.URL, Secrets: []webhook.Secret{sec}},
				{Name: "healthy", URL: healthy.srv.URL, Secrets: []webhook.Secret{sec}},
			}, webhook.Options{
				Clock: w.clock.Now, MaxAttempts: tc.maxAttempts,
				Backoff: func(int) time.Duration { return 0 },
				DeadLetterFunc: func(_ context.Context, dl webhook.DeadLetter) error {
					mu.Lock()
					defer mu.Unlock()
					dlCalls++
					if dlCalls <= tc.dlFails {
						return assert.AnError
					}
					_, dup := dead[dl.Event.ID]
					assert.False(t, dup, "dead-lettered twice")
					dead[dl.Event.ID] = dl
					return nil
				},
			})
			require.NoError(t, err)
			relay, rec := newRelay(w, d)
			w.place(t, "WEB-1")
			w.pump(t, relay, time.Second, 200)

			want := rec.ids()
			require.Len(t, dead, len(want), "every event dead-lettered once")
			for id := range want {
				dl := dead[uuid.MustParse(id)]
				assert.Equal(t, "broken", dl.Endpoint.Name)
				assert.Equal(t, tc.attempts, dl.Attempts)
				require.ErrorIs(t, dl.Err, webhook.ErrDeliveryFailed)
				if tc.status == http.StatusGone {
					assert.ErrorIs(t, dl.Err, webhook.ErrGone)
				}
				assert.Equal(t, tc.attempts, broken.tries[id], "no post after the last attempt")
				assert.Equal(t, 1, healthy.tries[id])
			}
			assert.Equal(t, len(want)+tc.dlFails, dlCalls)
			assert.Zero(t, d.Tracked())
		})
	}
}

// A receiver that does not answer in time counts as failed.
func TestTimeoutIsAFailure(t *testing.T) {
	w := newWorld(t)
	sec := webhook.NewSecret()
	release := make(chan struct{})
	slow := newReceiver(t, w.clock.Now, func(try int) int {
		if try == 1 {
			<-release
		}
		return http.StatusOK
	}, sec)
	t.Cleanup(func() { close(release) })
	client := slow.srv.Client()
	client.Timeout = 50 * time.Millisecond
	d, err := webhook.NewDispatcher(client, []webhook.Endpoint{{URL: slow.srv.URL, Secrets: []webhook.Secret{sec}}}, webhook.Options{Clock: w.clock.Now})
	require.NoError(t, err)
	e := storage.Event{ID: uuid.Must(uuid.NewV7()), Tenant: oms.DefaultTenant, Type: oms.EventOrderPlaced, AggregateType: oms.AggregateOrder,
		AggregateID: uuid.Must(uuid.NewV7()), Sequence: 1, Payload: json.RawMessage(`{}`), OccurredAt: w.clock.Now()}
	err = d.Handler()(context.Background(), e)
	require.ErrorIs(t, err, webhook.ErrDeliveryFailed)
	assert.Equal(t, 1, d.Tracked())
	require.ErrorIs(t, d.Handler()(context.Background(), e), webhook.ErrPending, "the backoff has not passed")
}

func TestNewDispatcherRefusesBadEndpoints(t *testing.T) {
	sec := webhook.NewSecret()
	for _, tc := range []struct {
		name string
		eps  []webhook.Endpoint
		want error
		text string
	}{
		{"no url", []webhook.Endpoint{{Secrets: []webhook.Secret{sec}}}, webhook.ErrInvalidEndpoint, "endpoints[0].url"},
		{"relative url", []webhook.Endpoint{{URL: "/hook", Secrets: []webhook.Secret{sec}}}, webhook.ErrInvalidEndpoint, "endpoints[0].url"},
		{"ftp url", []webhook.Endpoint{{URL: "ftp://x/hook", Secrets: []webhook.Secret{sec}}}, webhook.ErrInvalidEndpoint, "endpoints[0].url"},
		{"no secret", []webhook.Endpoint{{URL: "https://x/hook"}}, webhook.ErrInvalidEndpoint, "endpoints[0].secrets"},
		{"zero secret", []webhook.Endpoint{{URL: "https://x/hook", Secrets: []webhook.Secret{sec, {}}}}, webhook.ErrInvalidSecret, "endpoints[0].secrets[1]"},
		{"name twice", []webhook.Endpoint{{URL: "https://x/a", Secrets: []webhook.Secret{sec}}, {URL: "https://x/a", Secrets: []webhook.Secret{sec}}}, webhook.ErrInvalidEndpoint, "endpoints[1].name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := webhook.NewDispatcher(nil, tc.eps, webhook.Options{})
			require.ErrorIs(t, err, tc.want)
			assert.ErrorContains(t, err, tc.text)
		})
	}
}

func TestBackoff(t *testing.T) {
	for _, tc := range []struct {
		failed int
		want   time.Duration
	}{
		{0, 0}, {1, time.Second}, {2, 2 * time.Second}, {3, 4 * time.Second}, {10, 512 * time.Second},
		{11, 10 * time.Minute}, {63, 10 * time.Minute}, {1 << 40, 10 * time.Minute}, {-5, 0},
	} {
		assert.Equal(t, tc.want, webhook.Backoff(tc.failed, time.Second, 10*time.Minute), "failed=%d", tc.failed)
	}
}

// The memory of tracked events is bounded: past MaxTracked the oldest
// drops out, and its next delivery goes to every endpoint again.
func TestTrackedIsBounded(t *testing.T) {
	w := newWorld(t)
	sec := webhook.NewSecret()
	down := newReceiver(t, w.clock.Now, func(int) int { return http.StatusServiceUnavailable }, sec)
	d, err := webhook.NewDispatcher(nil, []webhook.Endpoint{{URL: down.srv.URL, Secrets: []webhook.Secret{sec}}},
		webhook.Options{Clock: w.clock.Now, MaxTracked: 2, Backoff: func(int) time.Duration { return time.Hour }})
	require.NoError(t, err)
	events := make([]storage.Event, 3)
	for i := range events {
		events[i] = storage.Event{ID: uuid.Must(uuid.NewV7()), Tenant: oms.DefaultTenant, Type: oms.EventOrderPlaced, AggregateType: oms.AggregateOrder,
			AggregateID: uuid.Must(uuid.NewV7()), Sequence: int64(i + 1), Payload: json.RawMessage(`{}`), OccurredAt: w.clock.Now()}
		require.ErrorIs(t, d.Handler()(context.Background(), events[i]), webhook.ErrDeliveryFailed)
	}
	assert.Equal(t, 2, d.Tracked())
	require.ErrorIs(t, d.Handler()(context.Background(), events[2]), webhook.ErrPending, "still tracked: waits for its backoff")
	require.ErrorIs(t, d.Handler()(context.Background(), events[0]), webhook.ErrDeliveryFailed, "dropped: posted again at once")
	assert.Equal(t, 2, down.tries[events[0].ID.String()])
}

func testEvent(at time.Time) storage.Event {
	return storage.Event{ID: uuid.Must(uuid.NewV7()), Tenant: oms.DefaultTenant, Type: oms.EventOrderPlaced, AggregateType: oms.AggregateOrder,
		AggregateID: uuid.Must(uuid.NewV7()), Sequence: 1, Payload: json.RawMessage(`{}`), OccurredAt: at}
}

// While a delivery to an endpoint is under way (say one the relay
// abandoned at its deadline), a second delivery of the event does not post
// it again.
func TestNoOverlappingPosts(t *testing.T) {
	w := newWorld(t)
	sec := webhook.NewSecret()
	arrived, release := make(chan struct{}), make(chan struct{})
	slow := newReceiver(t, w.clock.Now, func(try int) int {
		if try == 1 {
			close(arrived)
			<-release
		}
		return http.StatusOK
	}, sec)
	d, err := webhook.NewDispatcher(nil, []webhook.Endpoint{{URL: slow.srv.URL, Secrets: []webhook.Secret{sec}}}, webhook.Options{Clock: w.clock.Now})
	require.NoError(t, err)
	e := testEvent(w.clock.Now())
	first := make(chan error, 1)
	go func() { first <- d.Handler()(context.Background(), e) }()
	<-arrived
	require.ErrorIs(t, d.Handler()(context.Background(), e), webhook.ErrPending)
	close(release)
	require.NoError(t, <-first)
	assert.Equal(t, 1, slow.tries[e.ID.String()])
	assert.Zero(t, d.Tracked(), "delivered: dropped")
}

// A delivery cut short because the relay is shutting down is not counted
// against the endpoint: the next delivery posts at once.
func TestShutdownIsNotAFailure(t *testing.T) {
	w := newWorld(t)
	sec := webhook.NewSecret()
	r := newReceiver(t, w.clock.Now, nil, sec)
	var dead int
	d, err := webhook.NewDispatcher(nil, []webhook.Endpoint{{URL: r.srv.URL, Secrets: []webhook.Secret{sec}}},
		webhook.Options{Clock: w.clock.Now, MaxAttempts: 1, DeadLetterFunc: func(context.Context, webhook.DeadLetter) error { dead++; return nil }})
	require.NoError(t, err)
	e := testEvent(w.clock.Now())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, d.Handler()(ctx, e), context.Canceled)
	assert.Zero(t, dead, "not dead-lettered, although MaxAttempts is 1")
	require.NoError(t, d.Handler()(context.Background(), e), "posted again at once, no backoff")
	assert.Equal(t, 1, r.tries[e.ID.String()])
}
