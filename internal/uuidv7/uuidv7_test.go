package uuidv7

import (
	"bytes"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewIsVersion7(t *testing.T) {
	t.Parallel()
	var g Generator
	before := time.Now().UnixMilli()
	id := g.New()
	after := time.Now().UnixMilli()
	require.Equal(t, uuid.Version(7), id.Version())
	require.Equal(t, uuid.RFC4122, id.Variant())
	sec, nsec := id.Time().UnixTime()
	ms := sec*1000 + nsec/1e6
	assert.GreaterOrEqual(t, ms, before)
	assert.LessOrEqual(t, ms, after)
}

// TestNewIsStrictlyIncreasing makes more IDs than a millisecond's counter
// holds, so the counter and the borrowed milliseconds are both taken.
func TestNewIsStrictlyIncreasing(t *testing.T) {
	t.Parallel()
	var g Generator
	prev := g.New()
	seen := map[uuid.UUID]bool{prev: true}
	for i := range 20000 {
		id := g.New()
		require.Equal(t, 1, bytes.Compare(id[:], prev[:]), "ID %d (%s) after %s", i, id, prev)
		require.False(t, seen[id])
		seen[id] = true
		prev = id
	}
}

func TestNewConcurrently(t *testing.T) {
	t.Parallel()
	var (
		g   Generator
		mu  sync.Mutex
		all = map[uuid.UUID]bool{}
		wg  sync.WaitGroup
	)
	for range 4 {
		wg.Go(func() {
			mine := make([]uuid.UUID, 0, 2000)
			for range 2000 {
				mine = append(mine, g.New())
			}
			mu.Lock()
			defer mu.Unlock()
			for _, id := range mine {
				require.False(t, all[id], "duplicate %s", id)
				all[id] = true
			}
		})
	}
	wg.Wait()
	assert.Len(t, all, 8000)
}

func TestNewDoesNotAllocate(t *testing.T) {
	var g Generator
	assert.Zero(t, testing.AllocsPerRun(1000, func() { _ = g.New() }))
}

func BenchmarkNew(b *testing.B) {
	var g Generator
	b.ReportAllocs()
	for b.Loop() {
		_ = g.New()
	}
}

func BenchmarkGoogleNewV7(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = uuid.Must(uuid.NewV7())
	}
}
