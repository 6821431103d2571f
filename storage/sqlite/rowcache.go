package sqlite

import (
	"sync"

	"github.com/google/uuid"
)

// rowCacheEntries bounds the rows each generation of a rowCache holds.
const rowCacheEntries = 1 << 14

// rowCache remembers, across the transactions of a Store, what committed
// transactions wrote for recently written aggregates: the reporting
// columns and child rows of an aggregate at the version written. A
// version of an aggregate is written once (an update is conditional on
// the version before it), so the stored row at that version holds
// exactly those values, and an update from that version, which succeeds
// only while the version is current, need not read the child rows to
// compare them, nor rewrite columns (and the index entries over them)
// whose values did not change: the engine's confirm step updates the
// order and payment its placement step wrote just before. Entries are
// added only once their transaction committed. It keeps two generations
// of at most rowCacheEntries rows each, dropping the older when the newer
// is full. It is safe for concurrent use.
type rowCache struct {
	mu       sync.Mutex
	cur, old map[rowKey]storedRow
}

// rowKey names an aggregate of a tenant in a table.
type rowKey struct {
	table  string
	tenant string
	id     uuid.UUID
}

// storedRow is what an aggregate's row holds at a version, doc aside:
// its reporting columns' values, in the order of its table's columns,
// and its child rows (order lines), if the table has any.
type storedRow struct {
	version int64
	values  []any
	lines   []lineRow
}

// get returns the row remembered for k.
func (c *rowCache) get(k rowKey) (storedRow, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r, ok := c.cur[k]; ok {
		return r, true
	}
	r, ok := c.old[k]
	return r, ok
}

// put remembers the rows a committed transaction wrote.
func (c *rowCache) put(rows map[rowKey]storedRow) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, r := range rows {
		if c.cur == nil || len(c.cur) >= rowCacheEntries {
			c.old, c.cur = c.cur, make(map[rowKey]storedRow, len(rows))
		}
		c.cur[k] = r
	}
}

// storedAt returns the row of k at version as the transaction wrote it,
// or else as a committed transaction of the Store wrote it.
func (t *tx) storedAt(k rowKey, version int64) (storedRow, bool) {
	r, ok := t.wrote[k]
	if !ok {
		r, ok = t.store.rows.get(k)
	}
	return r, ok && r.version == version
}

// written records the row of k the transaction just wrote, for the
// transaction itself and, once it commits, for the Store's rowCache.
func (t *tx) written(k rowKey, r storedRow) {
	if t.wrote == nil {
		t.wrote = make(map[rowKey]storedRow)
	}
	t.wrote[k] = r
}

// committed hands what the committed transaction wrote to the Store's
// rowCache.
func (t *tx) committed() {
	if len(t.wrote) > 0 {
		t.store.rows.put(t.wrote)
	}
}
