package memory

import (
	"encoding/binary"
	"hash/maphash"
	"math/bits"
	"sync"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/storage"
)

// shardBits is log2 of the number of shards a tenant's aggregates, order
// indexes and idempotency records are spread over.
const shardBits = 8

// shardCount is the number of shards of a tenant: a commit locks only the
// shards its writes fall in, so that commits of different orders seldom
// wait for each other (two placements share a shard about one time in
// five). It is a multiple of 64, shardSet's word.
const shardCount = 1 << shardBits

// shard holds the committed rows, order indexes and idempotency records
// whose keys hash to it (idShard, keyShard). Its mu is held for short
// reads and for the checks and writes of the commits that touch it.
// Committed values are never changed in place: a commit stores new
// copies, so a reader may clone a value it found after releasing mu.
// The maps are made by the first commit that writes to them.
type shard struct {
	mu sync.RWMutex
	// rows are the aggregates whose ID falls in the shard.
	rows map[rowKey]stored
	// byOrder lists, by kind and order ID (of an order falling in the
	// shard), the IDs of the order's rows of that kind in the order they
	// were created: listing an order's rows does not scan the tenant.
	byOrder     map[rowKey][]uuid.UUID
	idempotency map[string]storage.IdempotencyRecord
	_           [16]byte // one shard per 64-byte cache line
}

// idShard returns the shard of an aggregate or order ID: every bit of the
// ID counts, so that IDs of version 7 (whose first bits are the time) and
// a host's own (WithIDs) both spread.
func idShard(id uuid.UUID) int {
	x := binary.LittleEndian.Uint64(id[:8]) ^ binary.LittleEndian.Uint64(id[8:])
	return int((x * 0x9e3779b97f4a7c15) >> (64 - shardBits))
}

// keyShard returns the shard of an idempotency key.
func (d *tenantData) keyShard(key string) int {
	return int(maphash.String(d.seed, key) >> (64 - shardBits))
}

// shardSet is a set of shard indexes.
type shardSet [shardCount / 64]uint64

// add puts shard i in s.
func (s *shardSet) add(i int) { s[i/64] |= 1 << (i % 64) }

// each calls fn with every shard in s, in ascending order.
func (s *shardSet) each(fn func(i int)) {
	for w, word := range s {
		for word != 0 {
			fn(w*64 + bits.TrailingZeros64(word))
			word &= word - 1
		}
	}
}

// lock write-locks the shards of s in ascending order, the one order every
// commit takes them in, so that two commits never wait for each other's.
func (d *tenantData) lock(s *shardSet) {
	s.each(func(i int) { d.shards[i].mu.Lock() })
}

// unlock releases the shards lock took.
func (d *tenantData) unlock(s *shardSet) {
	s.each(func(i int) { d.shards[i].mu.Unlock() })
}

// shards returns the shards the transaction's commit checks and writes:
// those of the aggregates it writes, of the orders whose index lists the
// ones it creates, and of its idempotency keys.
func (t *tx) shards() shardSet {
	var s shardSet
	for i := range t.writes {
		p := &t.writes[i]
		s.add(idShard(p.key.id))
		if p.created {
			s.add(idShard(p.meta.OrderID))
		}
	}
	for key := range t.idem {
		s.add(t.data.keyShard(key))
	}
	return s
}

// row returns the committed row of k, reading under its shard's lock.
func (d *tenantData) row(k rowKey) (row, bool) {
	sh := &d.shards[idShard(k.id)]
	sh.mu.RLock()
	v, ok := sh.rows[k]
	sh.mu.RUnlock()
	if !ok {
		return row{}, false
	}
	return v.row(), true
}

// idempotencyRecord returns the committed record of key, reading under its
// shard's lock.
func (d *tenantData) idempotencyRecord(key string) (storage.IdempotencyRecord, bool) {
	sh := &d.shards[d.keyShard(key)]
	sh.mu.RLock()
	rec, ok := sh.idempotency[key]
	sh.mu.RUnlock()
	return rec, ok
}
