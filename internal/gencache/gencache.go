// Package gencache is a bounded cache of two generations: values are put
// into the newer generation until its weight would pass the limit, then
// the older generation is dropped and the newer takes its place. A get
// looks in both. It needs no bookkeeping per entry (no recency list), at
// the price of dropping half of what it holds at once.
package gencache

import "sync"

// Cache maps keys to values, holding at most limit weight in each of its
// two generations. It is safe for concurrent use.
type Cache[K comparable, V any] struct {
	limit  int
	weight func(V) int

	mu       sync.Mutex
	cur, old map[K]V
	size     int // the weight of cur
}

// New returns an empty cache whose generations each hold at most limit
// weight, a value's weight being weight(v) (at least 1 is counted).
func New[K comparable, V any](limit int, weight func(V) int) *Cache[K, V] {
	return &Cache[K, V]{limit: limit, weight: weight}
}

// Get returns the value put for k, if the cache still holds it.
func (c *Cache[K, V]) Get(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.cur[k]; ok {
		return v, true
	}
	v, ok := c.old[k]
	return v, ok
}

// Put remembers v for k, in place of any value put for k before. A value
// heavier than a whole generation is not kept.
func (c *Cache[K, V]) Put(k K, v V) {
	w := c.weightOf(v)
	if w > c.limit {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if was, ok := c.cur[k]; ok {
		c.size -= c.weightOf(was)
	}
	if c.cur == nil || c.size+w > c.limit {
		c.old, c.cur, c.size = c.cur, make(map[K]V), 0
	}
	c.cur[k] = v
	c.size += w
}

// weightOf returns v's weight, at least 1.
func (c *Cache[K, V]) weightOf(v V) int {
	return max(c.weight(v), 1)
}
