package postgres

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The line cache answers by tenant and order, weighs an order by its
// lines, and does not keep an order of more lines than a generation holds
// (internal/gencache's test covers the generations).
func TestLineCacheBounds(t *testing.T) {
	c := newLineCache()
	lines := func(version int64, n int) storedLines {
		return storedLines{version: version, rows: make([]lineRow, n)}
	}
	first := uuid.New()
	c.Put(lineKey{"acme", first}, lines(1, 2))
	got, ok := c.Get(lineKey{"acme", first})
	require.True(t, ok)
	assert.EqualValues(t, 1, got.version)
	_, ok = c.Get(lineKey{"other", first})
	assert.False(t, ok, "another tenant's order")

	c.Put(lineKey{"acme", first}, lines(2, 2))
	got, _ = c.Get(lineKey{"acme", first})
	assert.EqualValues(t, 2, got.version, "a newer version replaces the older")

	huge := uuid.New()
	c.Put(lineKey{"acme", huge}, lines(1, linesCacheRows+1))
	_, ok = c.Get(lineKey{"acme", huge})
	assert.False(t, ok, "an order of more lines than a generation holds")

	// Two more generations of 64-line orders: first is dropped with the oldest.
	for range 2 * linesCacheRows / 64 {
		c.Put(lineKey{"acme", uuid.New()}, lines(1, 64))
	}
	_, ok = c.Get(lineKey{"acme", first})
	assert.False(t, ok, "the oldest generation is dropped")
}
