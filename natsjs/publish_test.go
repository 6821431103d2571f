package natsjs_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms"
	"github.com/ordersmith/oms/fielderr"
	"github.com/ordersmith/oms/natsjs"
	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/memory"
)

func TestPublishStoresCloudEventOnce(t *testing.T) {
	t.Parallel()
	_, js := connect(t, natsURL(t))
	s, so := testStream(t, js)
	p, err := natsjs.New(js, natsjs.Options{Prefix: so.Prefix, Source: "urn:test", Stream: so.Name})
	require.NoError(t, err)
	ctx := context.Background()

	e := event("acme.eu *>", oms.EventOrderPlaced, uuid.Must(uuid.NewV7()), 7)
	e.Sequence = 42
	first, err := p.Publish(ctx, e)
	require.NoError(t, err)
	assert.False(t, first.Duplicate)
	assert.Equal(t, so.Name, first.Stream)

	// A redelivery of the same event: the stream reports a duplicate and
	// keeps the first copy only, also through the relay handler.
	again, err := p.Publish(ctx, e)
	require.NoError(t, err)
	assert.True(t, again.Duplicate)
	assert.Equal(t, first.Sequence, again.Sequence)
	require.NoError(t, p.Handler()(ctx, e))

	msgs := readAll(t, s)
	require.Len(t, msgs, 1)
	m := msgs[0]
	assert.Equal(t, so.Prefix+".acme%2Eeu%20%2A%3E.order.placed", m.Subject)
	assert.Equal(t, e.ID.String(), m.MsgID)
	assert.Equal(t, natsjs.ContentType, m.ContentType)
	assert.Equal(t, e.ID.String(), m.Event.ID)
	assert.Equal(t, oms.EventOrderPlaced, m.Event.Type)
	assert.Equal(t, "urn:test", m.Event.Source)
	assert.Equal(t, e.Tenant, m.Event.Tenant)
	assert.Equal(t, "0000000000000000042", m.Event.Sequence)
	assert.Equal(t, e.AggregateID.String(), m.Event.AggregateID)
	assert.JSONEq(t, `{"n":7}`, string(m.Event.Data))

	// The body is exactly the envelope's JSON.
	want, err := json.Marshal(oms.Envelope(e, "urn:test"))
	require.NoError(t, err)
	raw, err := s.GetMsg(ctx, first.Sequence)
	require.NoError(t, err)
	assert.JSONEq(t, string(want), string(raw.Data))
}

func TestPublishFails(t *testing.T) {
	t.Parallel()
	url := natsURL(t)
	_, js := connect(t, url)
	_, so := testStream(t, js)
	e := event("acme", oms.EventOrderPlaced, uuid.Must(uuid.NewV7()), 1)

	closed, closedJS := connect(t, url)
	closed.Close()

	tests := []struct {
		name  string
		js    jetstream.JetStream
		opts  natsjs.Options
		check func(t *testing.T, err error)
	}{
		{
			name: "no stream captures the subject",
			js:   js,
			opts: natsjs.Options{Prefix: so.Prefix + "x"},
			check: func(t *testing.T, err error) {
				assert.ErrorIs(t, err, jetstream.ErrNoStreamResponse)
			},
		},
		{
			name: "another stream than expected",
			js:   js,
			opts: natsjs.Options{Prefix: so.Prefix, Stream: so.Name + "_OTHER"},
			check: func(t *testing.T, err error) {
				var apiErr *jetstream.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Contains(t, apiErr.Description, "stream")
			},
		},
		{
			name: "connection closed",
			js:   closedJS,
			opts: natsjs.Options{Prefix: so.Prefix},
			check: func(t *testing.T, err error) {
				assert.ErrorIs(t, err, nats.ErrConnectionClosed)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := natsjs.New(tt.js, tt.opts)
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err = p.Handler()(ctx, e)
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), "natsjs: publish event "+e.ID.String()), err.Error())
			tt.check(t, err)
		})
	}
}

// TestRelayKeepsUnacknowledgedEvents shows that the outbox is acknowledged
// only after the stream acknowledged: while no stream captures the
// subjects the relay delivers nothing, and once the stream exists the
// same events are delivered, each once.
func TestRelayKeepsUnacknowledgedEvents(t *testing.T) {
	t.Parallel()
	_, js := connect(t, natsURL(t))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	store := memory.New()
	engine, err := oms.New(oms.WithStore(store))
	require.NoError(t, err)
	agg := uuid.Must(uuid.NewV7())
	var ids []string
	for i := range 3 {
		e := event("acme", oms.EventOrderPlaced, agg, i)
		ids = append(ids, e.ID.String())
		require.NoError(t, store.Tx(ctx, "acme", func(tx storage.Tx) error { return tx.Outbox().Append(ctx, e) }))
	}

	// The stream is made under a prefix no stream captures yet.
	id := uniqueID(t)
	so := natsjs.StreamOptions{Name: "OMSTEST_" + id, Prefix: "omstest." + id, Storage: jetstream.MemoryStorage}
	p, err := natsjs.New(js, natsjs.Options{Prefix: so.Prefix})
	require.NoError(t, err)
	relay := engine.NewRelay(oms.RelayOptions{DeliveryTimeout: 2 * time.Second})
	relay.Subscribe(p.Handler())

	n, err := relay.DeliverOnce(ctx)
	require.Error(t, err)
	assert.ErrorIs(t, err, jetstream.ErrNoStreamResponse)
	assert.Zero(t, n)

	s, err := natsjs.EnsureStream(ctx, js, so)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, js.DeleteStream(context.Background(), so.Name)) })
	n, err = relay.Drain(ctx)
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	var got []string
	for _, m := range readAll(t, s) {
		got = append(got, m.MsgID)
	}
	assert.Equal(t, ids, got)
}

func TestEnsureStream(t *testing.T) {
	t.Parallel()
	_, js := connect(t, natsURL(t))
	s, so := testStream(t, js)
	ctx := context.Background()
	info, err := s.Info(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{so.Prefix + ".>"}, info.Config.Subjects)
	assert.Equal(t, so.Duplicates, info.Config.Duplicates)

	// Updating the window of the existing stream.
	so.Duplicates = time.Minute
	s, err = natsjs.EnsureStream(ctx, js, so)
	require.NoError(t, err)
	info, err = s.Info(ctx)
	require.NoError(t, err)
	assert.Equal(t, time.Minute, info.Config.Duplicates)

	// A second stream over the same subjects is refused by the server.
	other := so
	other.Name += "_DUP"
	_, err = natsjs.EnsureStream(ctx, js, other)
	require.Error(t, err)
	assert.NotErrorIs(t, err, natsjs.ErrInvalidOptions)
}

func TestEnsureStreamRefusesOptions(t *testing.T) {
	t.Parallel()
	_, js := jetstreamWithoutServer(t)
	tests := []struct {
		name   string
		opts   natsjs.StreamOptions
		fields []string
	}{
		{"no name", natsjs.StreamOptions{}, []string{"name"}},
		{"dot in name", natsjs.StreamOptions{Name: "a.b"}, []string{"name"}},
		{"space in name", natsjs.StreamOptions{Name: "a b"}, []string{"name"}},
		{"wildcard in name", natsjs.StreamOptions{Name: "a*"}, []string{"name"}},
		{"long name", natsjs.StreamOptions{Name: strings.Repeat("A", 256)}, []string{"name"}},
		{"bad prefix", natsjs.StreamOptions{Name: "S", Prefix: "oms.>"}, []string{"prefix"}},
		{"negative window", natsjs.StreamOptions{Name: "S", Duplicates: -time.Second}, []string{"duplicates"}},
		{"window beyond max age", natsjs.StreamOptions{Name: "S", Duplicates: time.Hour, MaxAge: time.Minute}, []string{"duplicates"}},
		{"negative max age", natsjs.StreamOptions{Name: "S", MaxAge: -time.Second}, []string{"max_age"}},
		{"negative replicas", natsjs.StreamOptions{Name: "S", Replicas: -1}, []string{"replicas"}},
		{"several", natsjs.StreamOptions{Prefix: "a..b", Replicas: -1}, []string{"name", "prefix", "replicas"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := natsjs.EnsureStream(context.Background(), js, tt.opts)
			require.ErrorIs(t, err, natsjs.ErrInvalidOptions)
			var got []string
			for _, f := range fielderr.As(err).Fields {
				got = append(got, f.Path)
			}
			assert.Equal(t, tt.fields, got)
		})
	}
}
