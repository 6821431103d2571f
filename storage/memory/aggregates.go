package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/storage"
)

// table is the ID index of one kind's committed aggregates: their IDs in
// byte order, for Scan. Its mu is held for an insert or a read of a page.
// The rows themselves are in the tenant's shards.
type table struct {
	mu  sync.Mutex
	ids []uuid.UUID
}

// insertID adds id to the IDs in byte order; IDs of version 7 grow with
// time, so it is usually an append.
func (tb *table) insertID(id uuid.UUID) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	if n := len(tb.ids); n == 0 || compareIDs(tb.ids[n-1], id) < 0 {
		tb.ids = append(tb.ids, id)
		return
	}
	i, _ := slices.BinarySearchFunc(tb.ids, id, compareIDs)
	tb.ids = slices.Insert(tb.ids, i, id)
}

// page returns up to limit IDs above after, in byte order.
func (tb *table) page(after uuid.UUID, limit int) []uuid.UUID {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	i, found := slices.BinarySearchFunc(tb.ids, after, compareIDs)
	if found {
		i++
	}
	ids := tb.ids[i:]
	return slices.Clone(ids[:min(len(ids), limit)])
}

// row is one aggregate as a transaction sees it: a copy only the store
// holds, never changed once stored, and its Meta (with the stored version
// and the order it was created for).
type row struct {
	val  storage.Aggregate
	meta storage.Meta
}

// stored is a committed aggregate: the value of its row and the order it
// was created for, which the index keeps. The rest of its Meta is the
// value's own (storage.Describe): a shard holds no second copy of it.
type stored struct {
	val     storage.Aggregate
	orderID uuid.UUID
}

// row returns the row of s.
func (s stored) row() row {
	m, _ := storage.Describe(s.val) // stored values are aggregates: Create and Update described them
	m.OrderID = s.orderID
	return row{val: s.val, meta: m}
}

// rowKey identifies an aggregate within a tenant.
type rowKey struct {
	kind storage.Kind
	id   uuid.UUID
}

// pending is an aggregate the transaction created or updated.
type pending struct {
	key rowKey
	row
	created bool
	base    int64 // for an update, the stored version it expects at commit
}

// aggregateRepo is the transaction's storage.Aggregates.
type aggregateRepo struct{ t *tx }

// table returns the committed table of kind, or an error wrapping
// storage.ErrNotAggregate for an unknown kind.
func (r aggregateRepo) table(kind storage.Kind) (*table, error) {
	tb, ok := r.t.data.tables[kind]
	if !ok {
		return nil, fmt.Errorf("memory: kind %q: %w", kind, storage.ErrNotAggregate)
	}
	return tb, nil
}

// describe returns a's Meta, checking its kind.
func (r aggregateRepo) describe(a storage.Aggregate) (storage.Meta, error) {
	m, err := storage.Describe(a)
	if err != nil {
		return storage.Meta{}, fmt.Errorf("memory: %w", err)
	}
	_, err = r.table(m.Kind)
	return m, err
}

// current returns the aggregate as the transaction sees it: its own
// write, else the committed row. written says it is the transaction's
// write, p.
func (r aggregateRepo) current(k rowKey) (v row, p pending, written, ok bool) {
	if i := r.t.writeIndex(k); i >= 0 {
		p := r.t.writes[i]
		return p.row, p, true, true
	}
	v, ok = r.t.data.row(k)
	return v, pending{}, false, ok
}

// writeIndex returns the index of k's write in t.writes, or -1.
func (t *tx) writeIndex(k rowKey) int {
	if t.writeIdx != nil {
		if i, ok := t.writeIdx[k]; ok {
			return i
		}
		return -1
	}
	for i := range t.writes {
		if t.writes[i].key == k {
			return i
		}
	}
	return -1
}

// indexFrom is the number of writes from which they are also indexed by
// key: below it a scan is cheaper than a map.
const indexFrom = 16

// write records the transaction's write of p.key.
func (t *tx) write(p pending) {
	if i := t.writeIndex(p.key); i >= 0 {
		t.writes[i] = p
		return
	}
	if t.writes == nil {
		t.writes = make([]pending, 0, 8)
	}
	t.writes = append(t.writes, p)
	switch n := len(t.writes); {
	case n == indexFrom:
		t.writeIdx = make(map[rowKey]int, 2*indexFrom)
		for i, w := range t.writes {
			t.writeIdx[w.key] = i
		}
	case n > indexFrom:
		t.writeIdx[p.key] = n - 1
	}
}

func (r aggregateRepo) Create(_ context.Context, a storage.Aggregate) error {
	m, err := r.describe(a)
	if err != nil {
		return err
	}
	k := rowKey{m.Kind, m.ID}
	if _, _, _, ok := r.current(k); ok {
		return fmt.Errorf("memory: create %s %s: %w", m.Kind, m.ID, storage.ErrDuplicate)
	}
	r.t.versions = append(withCap(r.t.versions, 8), versionUndo{a: a, prev: m.Version})
	storage.SetVersion(a, 1)
	m.Version = 1
	r.t.write(pending{key: k, row: row{val: storage.Clone(a), meta: m}, created: true})
	return nil
}

func (r aggregateRepo) Get(_ context.Context, kind storage.Kind, id uuid.UUID) (storage.Aggregate, error) {
	if _, err := r.table(kind); err != nil {
		return nil, err
	}
	v, _, _, ok := r.current(rowKey{kind, id})
	if !ok {
		return nil, fmt.Errorf("memory: %s %s: %w", kind, id, storage.ErrNotFound)
	}
	return storage.Clone(v.val), nil
}

func (r aggregateRepo) Update(_ context.Context, a storage.Aggregate) error {
	m, err := r.describe(a)
	if err != nil {
		return err
	}
	k := rowKey{m.Kind, m.ID}
	old, p, written, ok := r.current(k)
	if !ok {
		return fmt.Errorf("memory: update %s %s: %w", m.Kind, m.ID, storage.ErrNotFound)
	}
	if old.meta.Version != m.Version {
		return fmt.Errorf("memory: update %s %s: version %d, stored %d: %w", m.Kind, m.ID, m.Version, old.meta.Version, storage.ErrConflict)
	}
	r.t.versions = append(withCap(r.t.versions, 8), versionUndo{a: a, prev: m.Version})
	storage.SetVersion(a, m.Version+1)
	m.Version++
	// The order an aggregate belongs to never changes: the index keeps
	// the stored one.
	m.OrderID = old.meta.OrderID
	if !written {
		p.base = old.meta.Version
	}
	p.key, p.row = k, row{val: storage.Clone(a), meta: m}
	r.t.write(p)
	return nil
}

// overlay replaces the committed rows by the transaction's writes of kind
// and adds the aggregates it created that keep returns true for.
func (r aggregateRepo) overlay(rows []row, kind storage.Kind, keep func(storage.Meta) bool) []row {
	for _, p := range r.t.writes {
		k := p.key
		if k.kind != kind || !keep(p.meta) {
			continue
		}
		if p.created {
			rows = append(rows, p.row)
			continue
		}
		for i := range rows {
			if rows[i].meta.ID == k.id {
				rows[i] = p.row
			}
		}
	}
	return rows
}

func (r aggregateRepo) ListByOrder(_ context.Context, kind storage.Kind, orderID uuid.UUID) ([]storage.Aggregate, error) {
	if _, err := r.table(kind); err != nil {
		return nil, err
	}
	d := r.t.data
	sh := &d.shards[idShard(orderID)]
	sh.mu.RLock()
	ids := sh.byOrder[rowKey{kind, orderID}] // never changed in place: appends only
	sh.mu.RUnlock()
	rows := d.rows(make([]row, 0, len(ids)+len(r.t.writes)), kind, ids)
	rows = r.overlay(rows, kind, func(m storage.Meta) bool { return m.OrderID == orderID })
	slices.SortFunc(rows, func(a, b row) int {
		return cmp.Or(a.meta.CreatedAt.Compare(b.meta.CreatedAt), compareIDs(a.meta.ID, b.meta.ID))
	})
	return cloneRows(rows), nil
}

func (r aggregateRepo) Scan(_ context.Context, kind storage.Kind, after uuid.UUID, limit int) ([]storage.Aggregate, error) {
	tb, err := r.table(kind)
	if err != nil {
		return nil, err
	}
	limit = min(max(limit, 0), storage.MaxPageSize)
	ids := tb.page(after, limit)
	rows := r.t.data.rows(make([]row, 0, len(ids)), kind, ids)
	// The first limit committed rows above after, with the rows the
	// transaction created above after, hold the first limit of both.
	rows = r.overlay(rows, kind, func(m storage.Meta) bool { return compareIDs(m.ID, after) > 0 })
	slices.SortFunc(rows, func(a, b row) int { return compareIDs(a.meta.ID, b.meta.ID) })
	return cloneRows(rows[:min(len(rows), limit)]), nil
}

// rows appends to out the committed rows of kind with ids, each read
// under its shard's lock. A row listed in an index is there: its commit
// indexed it under the lock of the row's shard, and stored it before
// releasing that lock.
func (d *tenantData) rows(out []row, kind storage.Kind, ids []uuid.UUID) []row {
	for _, id := range ids {
		if v, ok := d.row(rowKey{kind, id}); ok {
			out = append(out, v)
		}
	}
	return out
}

// cloneRows returns copies of the rows' values.
func cloneRows(rows []row) []storage.Aggregate {
	out := make([]storage.Aggregate, len(rows))
	for i, v := range rows {
		out[i] = storage.Clone(v.val)
	}
	return out
}
