package storage_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/memory"
)

func TestEventFilterPageSize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		limit, want int
	}{
		{-5, storage.DefaultPageSize},
		{0, storage.DefaultPageSize},
		{1, 1},
		{storage.MaxPageSize, storage.MaxPageSize},
		{storage.MaxPageSize + 1, storage.MaxPageSize},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, storage.EventFilter{Limit: tc.limit}.PageSize(), "Limit %d", tc.limit)
	}
}

func TestEventFilterMatch(t *testing.T) {
	t.Parallel()
	a, b := newID(), newID()
	ev := storage.Event{AggregateID: a, Sequence: 7}
	tests := []struct {
		name string
		f    storage.EventFilter
		want bool
	}{
		{"its aggregate", storage.EventFilter{AggregateIDs: []uuid.UUID{b, a}}, true},
		{"another aggregate", storage.EventFilter{AggregateIDs: []uuid.UUID{b}}, false},
		{"no aggregates select none", storage.EventFilter{}, false},
		{"after an earlier sequence", storage.EventFilter{AggregateIDs: []uuid.UUID{a}, AfterSequence: 6}, true},
		{"after its own sequence", storage.EventFilter{AggregateIDs: []uuid.UUID{a}, AfterSequence: 7}, false},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, tc.f.Match(ev), tc.name)
	}
}

func TestOutboxStatusLag(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		s    storage.OutboxStatus
		now  time.Time
		want time.Duration
	}{
		{"nothing undelivered", storage.OutboxStatus{}, t0, 0},
		{"waiting", storage.OutboxStatus{Undelivered: 1, OldestUndelivered: t0}, t0.Add(90 * time.Second), 90 * time.Second},
		{"clock behind", storage.OutboxStatus{Undelivered: 1, OldestUndelivered: t0}, t0.Add(-time.Second), 0},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, tc.s.Lag(tc.now), tc.name)
	}
}

// plainTx hides every optional ability of the Tx it embeds.
type plainTx struct{ storage.Tx }

// plainRelay hides every optional ability of the relay it embeds.
type plainRelay struct{ storage.OutboxRelay }

func TestEventFallbacks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := memory.New()
	agg := newID()
	require.NoError(t, store.Tx(ctx, "t", func(tx storage.Tx) error {
		return tx.Outbox().Append(ctx, storage.Event{ID: newID(), Type: "order.placed", AggregateType: "order",
			AggregateID: agg, Payload: json.RawMessage(`{}`), OccurredAt: time.Now()})
	}))
	f := storage.EventFilter{AggregateIDs: []uuid.UUID{agg}}
	require.NoError(t, store.Tx(ctx, "t", func(tx storage.Tx) error {
		got, err := storage.ReadEvents(ctx, tx, f)
		require.NoError(t, err, "memory has the ability")
		require.Len(t, got, 1)
		_, err = storage.ReadEvents(ctx, plainTx{tx}, f)
		require.ErrorIs(t, err, errors.ErrUnsupported, "the fallback")
		return nil
	}))
	st, err := storage.InspectOutbox(ctx, store.Outbox(), time.Now())
	require.NoError(t, err)
	assert.Equal(t, int64(1), st.Undelivered)
	_, err = storage.InspectOutbox(ctx, plainRelay{store.Outbox()}, time.Now())
	require.ErrorIs(t, err, errors.ErrUnsupported, "the fallback")
}
