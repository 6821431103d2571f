package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/memory"
)

// claimLog is a store whose relays' claims are copied into a log.
type claimLog struct {
	storage.Store
	log *eventLog
}

func (s claimLog) Outbox() storage.OutboxRelay { return claimedOutbox{s.Store.Outbox(), s.log} }

type claimedOutbox struct {
	storage.OutboxRelay
	log *eventLog
}

func (o claimedOutbox) Claim(ctx context.Context, owner string, limit int, now time.Time, lease time.Duration) ([]storage.Event, error) {
	evs, err := o.OutboxRelay.Claim(ctx, owner, limit, now, lease)
	o.log.add(evs)
	return evs, err
}

type eventLog struct {
	mu     sync.Mutex
	seen   map[string]bool
	events []storage.Event
}

func (l *eventLog) add(evs []storage.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, ev := range evs {
		if !l.seen[ev.ID.String()] {
			l.seen[ev.ID.String()] = true
			l.events = append(l.events, ev)
		}
	}
}

// Every event the quickstart's lifecycle appends becomes a CloudEvent whose
// data decodes into the event type's documented payload type, with no
// field left over.
func TestQuickstartEventsAreCloudEvents(t *testing.T) {
	log := &eventLog{seen: map[string]bool{}}
	require.NoError(t, run(context.Background(), io.Discard, claimLog{memory.New(), log}))
	require.NotEmpty(t, log.events)
	types := map[string]bool{}
	for _, ev := range log.events {
		raw, err := json.Marshal(oms.Envelope(ev, ""))
		require.NoError(t, err)
		var ce struct {
			SpecVersion     string          `json:"specversion"`
			ID              string          `json:"id"`
			Source          string          `json:"source"`
			Type            string          `json:"type"`
			DataContentType string          `json:"datacontenttype"`
			Data            json.RawMessage `json:"data"`
		}
		require.NoError(t, json.Unmarshal(raw, &ce))
		assert.Equal(t, "1.0", ce.SpecVersion)
		assert.Equal(t, ev.ID.String(), ce.ID)
		assert.Equal(t, "ordersmith", ce.Source)
		assert.Equal(t, ev.Type, ce.Type)
		assert.Equal(t, "application/json", ce.DataContentType)
		payload, ok := oms.NewPayload(ce.Type)
		require.True(t, ok, "no documented payload for %s", ce.Type)
		dec := json.NewDecoder(bytes.NewReader(ce.Data))
		dec.DisallowUnknownFields()
		require.NoError(t, dec.Decode(payload), "%s data %s into %T", ce.Type, ce.Data, payload)
		types[ce.Type] = true
	}
	for _, typ := range []string{oms.EventOrderPlaced, oms.EventOrderDelivered, oms.EventOrderFeedbackLeft,
		oms.EventReturnRefunded, oms.EventStockReceived} {
		assert.True(t, types[typ], "the quickstart appends %s", typ)
	}
}
