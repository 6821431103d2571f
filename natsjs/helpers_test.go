package natsjs_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/natsjs"
	"github.com/ordersmith/oms/storage"
)

// jetstreamWithoutServer returns a JetStream over a connection that was
// never opened; any call to the server fails.
func jetstreamWithoutServer(tb testing.TB) (*nats.Conn, jetstream.JetStream) {
	tb.Helper()
	nc := &nats.Conn{}
	js, err := jetstream.New(nc)
	require.NoError(tb, err)
	return nc, js
}

// natsURL returns the URL of the NATS server the tests use; without
// OMS_TEST_NATS_URL the test is skipped, or fails under CI=true.
func natsURL(tb testing.TB) string {
	tb.Helper()
	url := os.Getenv("OMS_TEST_NATS_URL")
	if url == "" {
		msg := "OMS_TEST_NATS_URL is not set; run a NATS server with JetStream (nats-server -js) and set OMS_TEST_NATS_URL=nats://127.0.0.1:4222, or run .ci/run"
		if os.Getenv("CI") == "true" {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
	return url
}

// connect opens a connection that reconnects for ever, quickly, and is
// closed when the test ends.
func connect(tb testing.TB, url string) (*nats.Conn, jetstream.JetStream) {
	tb.Helper()
	nc, err := nats.Connect(url,
		nats.Name(tb.Name()),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(20*time.Millisecond),
		nats.ReconnectJitter(0, 0),
	)
	require.NoError(tb, err)
	tb.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	require.NoError(tb, err)
	return nc, js
}

// testStream creates a stream of its own for the test, under a prefix of
// its own, and deletes it when the test ends.
func testStream(tb testing.TB, js jetstream.JetStream) (jetstream.Stream, natsjs.StreamOptions) {
	tb.Helper()
	id := uniqueID(tb)
	opts := natsjs.StreamOptions{
		Name:       "OMSTEST_" + id,
		Prefix:     "omstest." + id,
		Duplicates: 5 * time.Minute,
		Storage:    jetstream.MemoryStorage,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := natsjs.EnsureStream(ctx, js, opts)
	require.NoError(tb, err)
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := js.DeleteStream(ctx, opts.Name); err != nil {
			tb.Errorf("delete stream %s: %v", opts.Name, err)
		}
	})
	return s, opts
}

// uniqueID returns a random token for the names of a test's stream and
// prefix.
func uniqueID(tb testing.TB) string {
	tb.Helper()
	var b [6]byte
	_, err := rand.Read(b[:])
	require.NoError(tb, err)
	return hex.EncodeToString(b[:])
}

// event returns an event of tenant and type on aggregate agg.
func event(tenant, typ string, agg uuid.UUID, n int) storage.Event {
	payload, _ := json.Marshal(map[string]int{"n": n})
	return storage.Event{
		ID:            uuid.Must(uuid.NewV7()),
		Tenant:        tenant,
		Type:          typ,
		AggregateType: "order",
		AggregateID:   agg,
		Payload:       payload,
		OccurredAt:    time.Date(2026, 12, 1, 12, 0, 0, n, time.UTC),
	}
}

// storedMsg is what the tests read back from a stream message.
type storedMsg struct {
	Subject string
	MsgID   string
	Event   struct {
		ID          string          `json:"id"`
		Type        string          `json:"type"`
		Source      string          `json:"source"`
		Tenant      string          `json:"tenant"`
		Sequence    string          `json:"sequence"`
		AggregateID string          `json:"aggregateid"`
		Data        json.RawMessage `json:"data"`
	}
	ContentType string
}

// readAll returns every message of the stream, in stream order.
func readAll(tb testing.TB, s jetstream.Stream) []storedMsg {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	info, err := s.Info(ctx)
	require.NoError(tb, err)
	var out []storedMsg
	if info.State.Msgs == 0 {
		return nil
	}
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq; seq++ {
		raw, err := s.GetMsg(ctx, seq)
		require.NoError(tb, err, "seq %d", seq)
		m := storedMsg{Subject: raw.Subject, MsgID: raw.Header.Get(jetstream.MsgIDHeader), ContentType: raw.Header.Get("Content-Type")}
		require.NoError(tb, json.Unmarshal(raw.Data, &m.Event), "seq %d", seq)
		out = append(out, m)
	}
	require.Len(tb, out, int(info.State.Msgs))
	return out
}
