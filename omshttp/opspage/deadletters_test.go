package opspage_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/omshttp/opspage"
	"github.com/ordersmith/oms/storage"
)

func TestDeadLettersBounds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		limit, want int
	}{
		{0, opspage.DefaultDeadLetters},
		{-1, opspage.DefaultDeadLetters},
		{3, 3},
		{opspage.MaxDeadLetters + 1, opspage.MaxDeadLetters},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, opspage.NewDeadLetters(tc.limit, nil).Limit(), "limit %d", tc.limit)
	}
}

func TestDeadLettersKeepsTheNewest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	n := 0
	d := opspage.NewDeadLetters(3, func() time.Time { n++; return t0.Add(time.Duration(n) * time.Second) })
	tests := []struct {
		record int // events recorded so far
		want   []int
	}{
		{0, []int{}},
		{2, []int{2, 1}},
		{3, []int{3, 2, 1}},
		{4, []int{4, 3, 2}},
		{8, []int{8, 7, 6}},
	}
	recorded := 0
	for _, tc := range tests {
		for ; recorded < tc.record; recorded++ {
			e := storage.Event{ID: uuid.New(), Type: fmt.Sprint(recorded + 1), Payload: []byte(`{}`)}
			require.NoError(t, d.Record(ctx, e, fmt.Errorf("failure %d", recorded+1)))
		}
		got, total := d.List()
		assert.Equal(t, int64(tc.record), total, "total after %d", tc.record)
		var types []int
		for _, dl := range got {
			var i int
			_, err := fmt.Sscan(dl.Event.Type, &i)
			require.NoError(t, err)
			types = append(types, i)
			assert.Equal(t, fmt.Sprintf("failure %d", i), dl.Cause)
			assert.Equal(t, t0.Add(time.Duration(i)*time.Second), dl.At)
		}
		if types == nil {
			types = []int{}
		}
		assert.Equal(t, tc.want, types, "newest first after %d", tc.record)
	}
}

func TestDeadLettersChain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := opspage.NewDeadLetters(5, nil)
	sinkErr := errors.New("sink down")
	fail := true
	var sunk []uuid.UUID
	chained := d.Chain(func(_ context.Context, e storage.Event, _ error) error {
		if fail {
			return sinkErr
		}
		sunk = append(sunk, e.ID)
		return nil
	})
	e := storage.Event{ID: uuid.New()}
	require.ErrorIs(t, chained(ctx, e, errors.New("x")), sinkErr, "the sink's error leaves the event undelivered")
	got, total := d.List()
	assert.Empty(t, got, "not recorded while the sink fails")
	assert.Zero(t, total)
	fail = false
	require.NoError(t, chained(ctx, e, errors.New("x")))
	got, _ = d.List()
	require.Len(t, got, 1)
	assert.Equal(t, []uuid.UUID{e.ID}, sunk)
}

func TestDeadLettersConcurrent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := opspage.NewDeadLetters(50, nil)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				_ = d.Record(ctx, storage.Event{ID: uuid.New()}, nil)
				d.List()
			}
		})
	}
	wg.Wait()
	got, total := d.List()
	assert.Len(t, got, 50)
	assert.Equal(t, int64(800), total)
}
