package inventory

// counts maps keys to quantities for the handful of keys one allocation
// has (its SKUs, its stock levels): a list of pairs in the order the keys
// were first set, searched in order while short, with a map index once
// it is not. The zero value is empty and ready to use.
type counts[K comparable] struct {
	pairs []countPair[K]
	index map[K]int // position in pairs, once there are more than countsIndexFrom
}

// countPair is one key of a counts and its quantity.
type countPair[K comparable] struct {
	key K
	n   int64
}

// countsIndexFrom is the number of keys up to which a counts is searched
// without an index.
const countsIndexFrom = 16

// makeCounts returns an empty counts with room for n keys.
func makeCounts[K comparable](n int) counts[K] {
	return counts[K]{pairs: make([]countPair[K], 0, n)}
}

// find returns the position of k in c.pairs, or -1.
func (c *counts[K]) find(k K) int {
	if c.index != nil {
		if i, ok := c.index[k]; ok {
			return i
		}
		return -1
	}
	for i := range c.pairs {
		if c.pairs[i].key == k {
			return i
		}
	}
	return -1
}

// has reports whether k was set.
func (c *counts[K]) has(k K) bool { return c.find(k) >= 0 }

// get returns k's quantity, 0 when k was never set.
func (c *counts[K]) get(k K) int64 {
	if i := c.find(k); i >= 0 {
		return c.pairs[i].n
	}
	return 0
}

// set gives k the quantity n.
func (c *counts[K]) set(k K, n int64) {
	if i := c.find(k); i >= 0 {
		c.pairs[i].n = n
		return
	}
	c.pairs = append(c.pairs, countPair[K]{k, n})
	switch l := len(c.pairs); {
	case l == countsIndexFrom+1:
		// Room for every key makeCounts was told of, so that the index
		// does not grow key by key.
		c.index = make(map[K]int, max(2*l, cap(c.pairs)))
		for i, p := range c.pairs {
			c.index[p.key] = i
		}
	case l > countsIndexFrom+1:
		c.index[k] = l - 1
	}
}

// add adds d to k's quantity.
func (c *counts[K]) add(k K, d int64) { c.set(k, c.get(k)+d) }

// len returns the number of keys set.
func (c *counts[K]) len() int { return len(c.pairs) }
