package sqlite

import (
	"github.com/google/uuid"

	"github.com/ordersmith/oms/internal/gencache"
)

// rowCacheEntries bounds the rows each generation of a Store's row
// cache holds.
const rowCacheEntries = 1 << 14

// newRowCache returns a Store's row cache. It remembers, across the
// transactions of a Store, what committed transactions wrote for recently
// written aggregates: the reporting columns and child rows of an
// aggregate at the version written. A version of an aggregate is written
// once (an update is conditional on the version before it), so the stored
// row at that version holds exactly those values, and an update from that
// version, which succeeds only while the version is current, need not
// read the child rows to compare them, nor rewrite columns (and the index
// entries over them) whose values did not change: the engine's confirm
// step updates the order and payment its placement step wrote just
// before. Entries are added only once their transaction committed. It
// keeps two generations of at most rowCacheEntries rows.
func newRowCache() *gencache.Cache[rowKey, storedRow] {
	return gencache.New[rowKey](rowCacheEntries, func(storedRow) int { return 1 })
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

// storedAt returns the row of k at version as the transaction wrote it,
// or else as a committed transaction of the Store wrote it.
func (t *tx) storedAt(k rowKey, version int64) (storedRow, bool) {
	r, ok := t.wrote[k]
	if !ok {
		r, ok = t.store.rows.Get(k)
	}
	return r, ok && r.version == version
}

// written records the row of k the transaction just wrote, for the
// transaction itself and, once it commits, for the Store's row cache.
func (t *tx) written(k rowKey, r storedRow) {
	if t.wrote == nil {
		t.wrote = make(map[rowKey]storedRow)
	}
	t.wrote[k] = r
}

// committed hands what the committed transaction wrote to the Store's
// row cache.
func (t *tx) committed() {
	for k, r := range t.wrote {
		t.store.rows.Put(k, r)
	}
}
