package memory

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"strings"
	"sync"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/storage"
)

// Store is an in-memory storage.Store. The zero value is not usable; call New.
// It is safe for concurrent use.
//
// No lock is held across a whole transaction, and none of a whole tenant
// at commit. A transaction reads the tenant's committed state (read
// committed) under its own writes, which it buffers. A tenant's
// aggregates, order indexes and idempotency records are spread over
// shards by key; at commit a transaction locks the shards its writes fall
// in (in one order), checks that no aggregate it updated, and no key it
// created, moved meanwhile, and applies its writes, so that commits of
// different orders run side by side and every reader sees a commit whole
// or not at all. Stock levels are the exception: ApplyMovement locks the
// level until the transaction ends, as a SQL store does, so a movement is
// an atomic conditional change whose after-values stay true at commit; a
// commit releases the levels as soon as it has checked the writes and
// stored the new levels, before it applies the rest.
type Store struct {
	mu      sync.RWMutex // guards tenants
	tenants map[string]*tenantData

	outboxMu sync.RWMutex // guards outbox; taken after a commit's shard locks, never before
	outbox   outboxData

	txs sync.Pool // of *tx, emptied, for the next transactions to reuse
}

var _ storage.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{tenants: make(map[string]*tenantData)}
}

// tenantData is one tenant's committed state. The aggregates, order
// indexes and idempotency records are in shards, each with its own lock
// (see shard); the catalogue's items have catalogMu; stockMu guards the
// stock cells' levels, the locations and the movement ledger.
//
// stockMu is held only briefly: a new cell is added under it, and a
// commit stores its levels, ledger entries and locations under it, so
// that readers holding it see the levels, the ledger and the locations of
// a commit whole. A commit takes it after its shards, never before.
type tenantData struct {
	seed   maphash.Seed // of keyShard
	shards [shardCount]shard
	// tables is the ID index of each kind; the map itself never changes.
	tables map[storage.Kind]*table

	catalogMu sync.RWMutex
	items     map[string]inventory.Item

	stockMu   sync.RWMutex
	locations map[uuid.UUID]*inventory.Location
	stock     map[stockKey]*stockCell
	// skuCells indexes stock by SKU, so that reading a few SKUs' levels
	// does not scan every level of the tenant.
	skuCells  map[string][]*stockCell
	movements ledger
}

// ledger is the committed movement ledger, in the order applied, kept in
// chunks of ledgerChunk entries: appending never copies the entries
// already there, as growing one slice of them would (under stockMu, and
// the stock levels' of the committing transaction).
type ledger struct {
	chunks [][]inventory.Movement
}

// ledgerChunk is the number of movements in a full chunk of a ledger.
const ledgerChunk = 1024

// append adds ms at the end.
func (l *ledger) append(ms []inventory.Movement) {
	for len(ms) > 0 {
		n := len(l.chunks)
		if n == 0 || len(l.chunks[n-1]) == ledgerChunk {
			l.chunks = append(l.chunks, make([]inventory.Movement, 0, ledgerChunk))
			n++
		}
		last := &l.chunks[n-1]
		k := min(len(ms), ledgerChunk-len(*last))
		*last = append(*last, ms[:k]...)
		ms = ms[k:]
	}
}

// stockKey identifies a stock level: no uuid.String on the lookup path.
type stockKey struct {
	sku string
	loc uuid.UUID
}

// compareStockKeys orders stock levels as the contract's lock order: by
// SKU, then location ID in byte order.
func compareStockKeys(a, b stockKey) int {
	if c := strings.Compare(a.sku, b.sku); c != 0 {
		return c
	}
	return compareIDs(a.loc, b.loc)
}

// stockCell is one stock level and its lock. The transaction holding mu
// is the only one that may change level; it does so at commit, under the
// tenant's stockMu, under which readers read it.
//
// mu is a sync.Mutex rather than a channel of capacity one: a channel
// hands the level to the next waiter as it is released, and on a busy
// machine that waiter may not run for a while, holding a hot level it
// does not use (a lock convoy); a mutex lets whichever transaction runs
// take it.
type stockCell struct {
	mu     sync.Mutex
	level  inventory.StockLevel
	exists bool // false until a transaction that changed the level commits
}

// lock takes c's mutex, or returns ctx's error when ctx ends first.
func (c *stockCell) lock(ctx context.Context) error {
	if c.mu.TryLock() {
		return nil
	}
	done := ctx.Done()
	if done == nil { // a context that never ends: wait as a mutex does
		c.mu.Lock()
		return nil
	}
	// A helper waits for the mutex and hands it over; when ctx ends
	// first, it releases the mutex itself once it gets it.
	got := make(chan struct{})
	go func() {
		c.mu.Lock()
		select {
		case got <- struct{}{}:
		case <-done:
			c.mu.Unlock()
		}
	}()
	select {
	case <-got:
		return nil
	case <-done:
		return ctx.Err()
	}
}

func newTenantData() *tenantData {
	td := &tenantData{
		seed:      maphash.MakeSeed(),
		tables:    make(map[storage.Kind]*table),
		items:     make(map[string]inventory.Item),
		locations: make(map[uuid.UUID]*inventory.Location),
		stock:     make(map[stockKey]*stockCell),
		skuCells:  make(map[string][]*stockCell),
	}
	for _, k := range storage.Kinds() {
		td.tables[k] = new(table)
	}
	return td
}

// tenant returns tenant's data, creating it on first use.
func (s *Store) tenant(tenant string) *tenantData {
	return lookupOrAdd(&s.mu, s.tenants, tenant, newTenantData)
}

// cell returns the stock cell of k, creating an empty one if absent.
func (d *tenantData) cell(k stockKey) *stockCell {
	return lookupOrAdd(&d.stockMu, d.stock, k, func() *stockCell {
		c := new(stockCell)
		d.skuCells[k.sku] = append(d.skuCells[k.sku], c)
		return c
	})
}

// lookupOrAdd returns m[k], read under mu's read lock, or adds newV() under
// its write lock when k is absent.
func lookupOrAdd[K comparable, V any](mu *sync.RWMutex, m map[K]V, k K, newV func() V) V {
	mu.RLock()
	v, ok := m[k]
	mu.RUnlock()
	if ok {
		return v
	}
	mu.Lock()
	defer mu.Unlock()
	if v, ok = m[k]; !ok {
		v = newV()
		m[k] = v
	}
	return v
}

// Tx runs fn in a transaction scoped to tenant. Transactions run
// concurrently, each seeing what others committed; when fn fails or
// panics nothing it wrote is kept. Tx returns an error wrapping
// storage.ErrConflict when an aggregate fn updated was updated by another
// transaction first, and one wrapping both storage.ErrConflict and
// storage.ErrDuplicate when a key fn created (an aggregate ID, a location,
// an idempotency key, an event ID) was committed by another transaction
// first: a retry sees it.
func (s *Store) Tx(ctx context.Context, tenant string, fn func(storage.Tx) error) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	if tenant == "" {
		return errors.New("memory: empty tenant")
	}
	t := s.newTx(tenant)
	committed := false
	defer func() {
		if !committed {
			t.restoreVersions()
		}
		t.releaseLevels()
		s.recycle(t)
	}()
	if err := fn(t); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := t.commit(); err != nil {
		return err
	}
	committed = true
	return nil
}

// Outbox returns the relay side of the outbox.
func (s *Store) Outbox() storage.OutboxRelay { return (*relay)(s) }

// newTx returns an empty transaction of tenant, one that ended before if
// there is one to reuse.
func (s *Store) newTx(tenant string) *tx {
	t, _ := s.txs.Get().(*tx)
	if t == nil {
		t = new(tx)
	}
	t.store, t.tenant, t.data = s, tenant, s.tenant(tenant)
	return t
}

// maxRecycled is the most writes a transaction may have made for its
// lists to be kept for reuse: a bulk load's are left to the collector.
const maxRecycled = 256

// recycle empties t, which has ended, keeping its lists' room, and gives
// it back for reuse: the Tx a function was passed is invalid once it
// returns (storage.Tx), and t shares nothing with the committed state.
func (s *Store) recycle(t *tx) {
	if cap(t.writes) > maxRecycled || cap(t.movements) > maxRecycled || cap(t.events) > maxRecycled {
		return
	}
	clear(t.writes)
	t.writes = t.writes[:0]
	t.writeIdx = nil // a map only from indexFrom writes on
	clear(t.versions)
	t.versions = t.versions[:0]
	clear(t.items)
	clear(t.locations)
	t.locations = t.locations[:0]
	clear(t.held)
	t.held = t.held[:0]
	t.maxHeld = stockKey{}
	clear(t.movements)
	t.movements = t.movements[:0]
	clear(t.idem)
	clear(t.events)
	t.events = t.events[:0]
	t.store, t.tenant, t.data = nil, "", nil
	s.txs.Put(t)
}

// tx is one transaction: its buffered writes and the stock levels it
// holds. It has the optional ability storage.MovementLister; orders are
// listed by storage.ListOrders's fallback.
type tx struct {
	store  *Store
	tenant string
	data   *tenantData

	writes    []pending      // in the order of their first write
	writeIdx  map[rowKey]int // index of writes by key, once there are many
	versions  []versionUndo
	items     map[string]inventory.Item
	locations []*inventory.Location
	held      []heldLevel // in the order they were locked
	maxHeld   stockKey    // the greatest key in held
	movements []inventory.Movement
	idem      map[string]idemChange
	events    []storage.Event
}

var (
	_ storage.Tx             = (*tx)(nil)
	_ storage.MovementLister = (*tx)(nil)
	_ storage.Aggregates     = aggregateRepo{}
)

// versionUndo is a caller's value whose version the transaction set: on
// rollback it gets prev back. One of a and loc is set.
type versionUndo struct {
	a    storage.Aggregate
	loc  *inventory.Location
	prev int64
}

// heldLevel is a stock level the transaction has locked, with the value
// it will commit.
type heldLevel struct {
	key     stockKey
	cell    *stockCell
	level   inventory.StockLevel
	changed bool
}

// idemChange is the transaction's change to one idempotency key: put
// means it holds rec, deleted that it removed the committed record first.
type idemChange struct {
	rec     storage.IdempotencyRecord
	put     bool
	deleted bool
}

func (t *tx) Tenant() string                             { return t.tenant }
func (t *tx) Aggregates() storage.Aggregates             { return aggregateRepo{t} }
func (t *tx) Inventory() storage.InventoryRepository     { return inventoryRepo{t} }
func (t *tx) Outbox() storage.Outbox                     { return outboxRepo{t} }
func (t *tx) Idempotency() storage.IdempotencyRepository { return idempotencyRepo{t} }

// restoreVersions gives the caller's values the versions they had before
// the transaction set them.
func (t *tx) restoreVersions() {
	for i := len(t.versions) - 1; i >= 0; i-- {
		v := t.versions[i]
		if v.loc != nil {
			v.loc.Version = v.prev
		} else {
			storage.SetVersion(v.a, v.prev)
		}
	}
	clear(t.versions)
	t.versions = t.versions[:0]
}

// releaseLevels unlocks every stock level the transaction holds, the last
// locked first: a transaction waiting for the first finds the others free
// once it has it.
func (t *tx) releaseLevels() {
	for i := len(t.held) - 1; i >= 0; i-- {
		t.held[i].cell.mu.Unlock()
	}
	t.held = t.held[:0]
}

// errCommitted reports that another transaction committed key first.
func errCommitted(what string) error {
	return fmt.Errorf("memory: commit: %s committed concurrently: %w: %w", what, storage.ErrConflict, storage.ErrDuplicate)
}

// commit checks the transaction's writes against the committed state and
// applies them, under the locks of the shards they fall in (and the
// outbox's, when the transaction appended events, so that Sequence follows
// the commit order of every aggregate).
func (t *tx) commit() error {
	var rows []outboxRow // the events' outbox rows, allocated before the locks
	if len(t.events) > 0 {
		rows = make([]outboxRow, len(t.events))
	}
	d := t.data
	shards := t.shards()
	d.lock(&shards)
	defer d.unlock(&shards)
	if err := t.check(); err != nil {
		return err
	}
	// Locations are created at setup, seldom: their codes are checked
	// against every location, under stockMu until the new ones are in.
	stockLocked := len(t.locations) > 0
	if stockLocked {
		d.stockMu.Lock()
		if err := t.checkLocations(); err != nil {
			d.stockMu.Unlock()
			return err
		}
	}
	if err := t.appendEvents(rows); err != nil {
		if stockLocked {
			d.stockMu.Unlock()
		}
		return err
	}
	// Nothing below fails: the new stock levels are final, and the
	// transactions waiting for them may go on while the rest is applied
	// (what they read of the rest waits for the shards' locks).
	t.publishStock(stockLocked)
	t.apply()
	return nil
}

// appendEvents appends the transaction's events to the outbox in rows,
// unless one of them was appended first. The caller holds the locks of
// the transaction's shards and stock levels, so that each aggregate's
// events follow the commit order.
func (t *tx) appendEvents(rows []outboxRow) error {
	if len(t.events) == 0 {
		return nil
	}
	o := &t.store.outbox
	t.store.outboxMu.Lock()
	defer t.store.outboxMu.Unlock()
	for _, e := range t.events {
		if _, ok := o.byID[e.ID]; ok {
			return errCommitted(fmt.Sprintf("outbox event %s", e.ID))
		}
	}
	o.append(t.events, rows)
	return nil
}

// publishStock stores the levels the transaction changed, its ledger
// entries and its locations under stockMu (which the caller holds already
// when locked is set), releases stockMu, then every level the
// transaction holds.
func (t *tx) publishStock(locked bool) {
	d := t.data
	if !locked && (len(t.movements) > 0 || t.changedLevels()) {
		d.stockMu.Lock()
		locked = true
	}
	if locked {
		for _, h := range t.held {
			if h.changed {
				h.cell.level = h.level
				h.cell.exists = true
			}
		}
		d.movements.append(t.movements)
		for _, l := range t.locations {
			d.locations[l.ID] = l
		}
		d.stockMu.Unlock()
	}
	t.releaseLevels()
}

// changedLevels reports whether the transaction changed a stock level.
func (t *tx) changedLevels() bool {
	for _, h := range t.held {
		if h.changed {
			return true
		}
	}
	return false
}

// check reports whether the writes still fit the committed state: every
// updated aggregate is at the version the transaction read, and no key it
// creates exists. The caller holds the locks of the transaction's shards.
func (t *tx) check() error {
	d := t.data
	for _, p := range t.writes {
		k := p.key
		cur, ok := d.shards[idShard(k.id)].rows[k]
		if p.created {
			if ok {
				return errCommitted(fmt.Sprintf("%s %s", k.kind, k.id))
			}
			continue
		}
		var version int64
		if ok {
			version = cur.row().meta.Version
		}
		if version != p.base {
			return fmt.Errorf("memory: commit: %s %s: version %d, stored %d: %w", k.kind, k.id, p.base, version, storage.ErrConflict)
		}
	}
	for key, c := range t.idem {
		if _, ok := d.shards[d.keyShard(key)].idempotency[key]; ok && c.put && !c.deleted {
			return errCommitted(fmt.Sprintf("idempotency key %q", key))
		}
	}
	return nil
}

// checkLocations reports whether the locations the transaction creates
// are still new, by ID and code. The caller holds stockMu.
func (t *tx) checkLocations() error {
	d := t.data
	for _, l := range t.locations {
		if _, ok := d.locations[l.ID]; ok {
			return errCommitted(fmt.Sprintf("location %s", l.ID))
		}
		for _, other := range d.locations {
			if other.Code == l.Code {
				return errCommitted(fmt.Sprintf("location code %q", l.Code))
			}
		}
	}
	return nil
}

// apply writes the transaction's aggregates, items and idempotency
// records into the committed state. The caller holds the locks of the
// transaction's shards and has checked them.
func (t *tx) apply() {
	d := t.data
	for i, p := range t.writes {
		k := p.key
		sh := &d.shards[idShard(k.id)]
		if sh.rows == nil {
			sh.rows = make(map[rowKey]stored)
		}
		sh.rows[k] = stored{val: p.val, orderID: p.meta.OrderID}
		if !p.created {
			continue
		}
		d.tables[k.kind].insertID(k.id)
		osh, ok := &d.shards[idShard(p.meta.OrderID)], rowKey{k.kind, p.meta.OrderID}
		if osh.byOrder == nil {
			osh.byOrder = make(map[rowKey][]uuid.UUID)
		}
		ids := osh.byOrder[ok]
		if len(ids) == 0 { // sized for the order's rows of the kind this transaction creates
			ids = make([]uuid.UUID, 0, t.createdAlike(i))
		}
		osh.byOrder[ok] = append(ids, k.id)
	}
	if len(t.items) > 0 {
		d.catalogMu.Lock()
		for sku, it := range t.items {
			d.items[sku] = it
		}
		d.catalogMu.Unlock()
	}
	for key, c := range t.idem {
		sh := &d.shards[d.keyShard(key)]
		if c.deleted {
			delete(sh.idempotency, key)
		}
		if c.put {
			if sh.idempotency == nil {
				sh.idempotency = make(map[string]storage.IdempotencyRecord)
			}
			sh.idempotency[key] = c.rec
		}
	}
}

// createdAlike counts the aggregates the transaction creates from its
// i-th write on (looking at most 64 writes ahead) of that write's kind and
// order.
func (t *tx) createdAlike(i int) int {
	p, n := t.writes[i], 0
	for _, q := range t.writes[i:min(len(t.writes), i+64)] {
		if q.created && q.key.kind == p.key.kind && q.meta.OrderID == p.meta.OrderID {
			n++
		}
	}
	return n
}

// withCap returns s, or an empty slice of capacity n when s is nil: the
// first append of a transaction allocates once for a typical one.
func withCap[S ~[]E, E any](s S, n int) S {
	if s == nil {
		return make(S, 0, n)
	}
	return s
}

// compareIDs orders IDs in byte order.
func compareIDs(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) }

// ListMovements returns the ledger entries matching f, in the order they
// were applied: the committed ones, then the transaction's own.
func (t *tx) ListMovements(_ context.Context, f storage.MovementFilter) ([]inventory.Movement, error) {
	var out []inventory.Movement
	t.data.stockMu.RLock()
	for _, chunk := range t.data.movements.chunks {
		for _, m := range chunk {
			if f.Match(m) {
				out = append(out, m)
			}
		}
	}
	t.data.stockMu.RUnlock()
	for _, m := range t.movements {
		if f.Match(m) {
			out = append(out, m)
		}
	}
	return out, nil
}

type idempotencyRepo struct{ t *tx }

func (r idempotencyRepo) Get(_ context.Context, key string) (storage.IdempotencyRecord, error) {
	if rec, ok := r.lookup(key); ok {
		return rec, nil
	}
	return storage.IdempotencyRecord{}, &keyNotFoundError{key: key}
}

// lookup returns the record of key as the transaction sees it.
func (r idempotencyRepo) lookup(key string) (storage.IdempotencyRecord, bool) {
	if c, ok := r.t.idem[key]; ok {
		return c.rec, c.put
	}
	return r.t.data.idempotencyRecord(key)
}

// keyNotFoundError is Get's error for a missing key, which wraps
// storage.ErrNotFound. It is formatted only when read: every new key's
// lookup misses.
type keyNotFoundError struct{ key string }

func (e *keyNotFoundError) Error() string {
	return fmt.Sprintf("memory: idempotency key %q: %v", e.key, storage.ErrNotFound)
}

func (e *keyNotFoundError) Unwrap() error { return storage.ErrNotFound }

func (r idempotencyRepo) Put(_ context.Context, rec storage.IdempotencyRecord) error {
	if _, ok := r.lookup(rec.Key); ok {
		return fmt.Errorf("memory: idempotency key %q: %w", rec.Key, storage.ErrDuplicate)
	}
	if r.t.idem == nil {
		r.t.idem = make(map[string]idemChange)
	}
	c := r.t.idem[rec.Key]
	c.rec, c.put = rec, true
	r.t.idem[rec.Key] = c
	return nil
}

func (r idempotencyRepo) Delete(_ context.Context, key string) error {
	t := r.t
	if c, ok := t.idem[key]; ok {
		// Only a committed record is deleted at commit: one the
		// transaction put itself is just dropped.
		t.idem[key] = idemChange{deleted: c.deleted}
		return nil
	}
	if _, ok := t.data.idempotencyRecord(key); ok {
		if t.idem == nil {
			t.idem = make(map[string]idemChange)
		}
		t.idem[key] = idemChange{deleted: true}
	}
	return nil
}
