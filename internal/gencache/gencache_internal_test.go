package gencache

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// key names an entry of a tenant, as the SQL adapters' caches do.
type key struct {
	tenant string
	id     uuid.UUID
}

// entry is a value of some weight at a version.
type entry struct {
	version int64
	rows    int
}

// The cache answers by key, and keeps two generations of at most limit
// weight: the older is dropped when the newer fills up, and a value
// heavier than a generation is not kept.
func TestBounds(t *testing.T) {
	const limit = 1 << 14
	c := New[key, entry](limit, func(e entry) int { return e.rows })
	first := uuid.New()
	c.Put(key{"acme", first}, entry{1, 2})
	got, ok := c.Get(key{"acme", first})
	require.True(t, ok)
	assert.EqualValues(t, 1, got.version)
	_, ok = c.Get(key{"other", first})
	assert.False(t, ok, "another tenant's entry")

	c.Put(key{"acme", first}, entry{2, 2})
	got, _ = c.Get(key{"acme", first})
	assert.EqualValues(t, 2, got.version, "a newer version replaces the older")
	assert.Equal(t, 2, c.size, "a replaced entry's weight is not counted twice")

	huge := uuid.New()
	c.Put(key{"acme", huge}, entry{1, limit + 1})
	_, ok = c.Get(key{"acme", huge})
	assert.False(t, ok, "a value heavier than a generation")

	// Fill two more generations: first is dropped with the oldest.
	for range 2 * limit / 64 {
		c.Put(key{"acme", uuid.New()}, entry{1, 64})
	}
	assert.LessOrEqual(t, c.size, limit)
	assert.LessOrEqual(t, len(c.cur)+len(c.old), 2*limit/64+1)
	_, ok = c.Get(key{"acme", first})
	assert.False(t, ok, "the oldest generation is dropped")

	// A weight of zero counts as one.
	z := New[int, entry](2, func(entry) int { return 0 })
	for i := range 5 {
		z.Put(i, entry{})
	}
	assert.LessOrEqual(t, len(z.cur), 2)
}
