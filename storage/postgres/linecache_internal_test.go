package postgres

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The line cache answers by tenant and order, and keeps two generations
// of at most linesCacheRows lines: the older is dropped when the newer
// fills up, and an order of more lines than that is not kept.
func TestLineCacheBounds(t *testing.T) {
	var c lineCache
	lines := func(version int64, n int) storedLines {
		return storedLines{version: version, rows: make([]lineRow, n)}
	}
	first := uuid.New()
	c.put("acme", map[uuid.UUID]storedLines{first: lines(1, 2)})
	got, ok := c.get(lineKey{"acme", first})
	require.True(t, ok)
	assert.EqualValues(t, 1, got.version)
	_, ok = c.get(lineKey{"other", first})
	assert.False(t, ok, "another tenant's order")

	c.put("acme", map[uuid.UUID]storedLines{first: lines(2, 2)})
	got, _ = c.get(lineKey{"acme", first})
	assert.EqualValues(t, 2, got.version, "a newer version replaces the older")
	assert.Equal(t, 2, c.rows, "a replaced entry's lines are not counted twice")

	huge := uuid.New()
	c.put("acme", map[uuid.UUID]storedLines{huge: lines(1, linesCacheRows+1)})
	_, ok = c.get(lineKey{"acme", huge})
	assert.False(t, ok, "an order of more lines than a generation holds")

	// Fill two more generations: first is dropped with the oldest.
	for range 2 * linesCacheRows / 64 {
		c.put("acme", map[uuid.UUID]storedLines{uuid.New(): lines(1, 64)})
	}
	assert.LessOrEqual(t, c.rows, linesCacheRows)
	assert.LessOrEqual(t, len(c.cur)+len(c.old), 2*linesCacheRows/64+1)
	_, ok = c.get(lineKey{"acme", first})
	assert.False(t, ok, "the oldest generation is dropped")
}
