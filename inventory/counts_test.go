package inventory

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCountsAgreesWithAMap sets, adds to and reads keys of a counts, past
// the size where it builds its index, against a map doing the same.
func TestCountsAgreesWithAMap(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(8, 13))
	for _, keys := range []int{1, 5, countsIndexFrom, countsIndexFrom + 1, 100} {
		var c counts[int]
		want := map[int]int64{}
		var order []int
		for range 20 * keys {
			k, n := r.IntN(keys), r.Int64N(100)-50
			if _, ok := want[k]; !ok {
				order = append(order, k)
			}
			if r.IntN(2) == 0 {
				c.set(k, n)
				want[k] = n
			} else {
				c.add(k, n)
				want[k] += n
			}
			q := r.IntN(keys + 2)
			_, ok := want[q]
			require.Equal(t, ok, c.has(q))
			require.Equal(t, want[q], c.get(q))
		}
		require.Equal(t, len(want), c.len())
		for i, p := range c.pairs {
			require.Equal(t, order[i], p.key, "keys in the order first set")
			require.Equal(t, want[p.key], p.n)
		}
	}
}
