package memory

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/storage"
)

// Store is an in-memory storage.Store. The zero value is not usable; call New.
// It is safe for concurrent use.
type Store struct {
	mu      sync.Mutex
	tenants map[string]*tenantData
	outbox  outboxData
}

var _ storage.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{tenants: make(map[string]*tenantData)}
}

type tenantData struct {
	aggregates map[storage.Kind]*table

	items       map[string]inventory.Item
	locations   map[uuid.UUID]*inventory.Location
	stock       map[stockKey]inventory.StockLevel
	movements   []inventory.Movement
	idempotency map[string]storage.IdempotencyRecord
}

type stockKey struct {
	sku string
	loc uuid.UUID
}

func newTenantData() *tenantData {
	td := &tenantData{
		aggregates:  make(map[storage.Kind]*table),
		items:       make(map[string]inventory.Item),
		locations:   make(map[uuid.UUID]*inventory.Location),
		stock:       make(map[stockKey]inventory.StockLevel),
		idempotency: make(map[string]storage.IdempotencyRecord),
	}
	for _, k := range storage.Kinds() {
		td.aggregates[k] = &table{rows: make(map[uuid.UUID]row), byOrder: make(map[uuid.UUID][]uuid.UUID)}
	}
	return td
}

// Tx runs fn in a transaction scoped to tenant. Transactions are serialized;
// when fn fails or panics every change it made is undone.
func (s *Store) Tx(ctx context.Context, tenant string, fn func(storage.Tx) error) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	if tenant == "" {
		return errors.New("memory: empty tenant")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	td, ok := s.tenants[tenant]
	if !ok {
		td = newTenantData()
		s.tenants[tenant] = td
	}
	tx := &tx{store: s, tenant: tenant, data: td}
	committed := false
	defer func() {
		if !committed {
			tx.rollback()
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	committed = true
	return nil
}

// Outbox returns the relay side of the outbox.
func (s *Store) Outbox() storage.OutboxRelay { return (*relay)(s) }

// tx is one transaction. It has the optional ability storage.MovementLister;
// orders are listed by storage.ListOrders's fallback.
type tx struct {
	store  *Store
	tenant string
	data   *tenantData
	undo   []func()
}

var (
	_ storage.Tx             = (*tx)(nil)
	_ storage.MovementLister = (*tx)(nil)
	_ storage.Aggregates     = aggregateRepo{}
)

func (t *tx) onRollback(f func()) { t.undo = append(t.undo, f) }

func (t *tx) rollback() {
	for i := len(t.undo) - 1; i >= 0; i-- {
		t.undo[i]()
	}
	t.undo = nil
}

func (t *tx) Tenant() string                             { return t.tenant }
func (t *tx) Aggregates() storage.Aggregates             { return aggregateRepo{t} }
func (t *tx) Inventory() storage.InventoryRepository     { return inventoryRepo{t} }
func (t *tx) Outbox() storage.Outbox                     { return outboxRepo{t} }
func (t *tx) Idempotency() storage.IdempotencyRepository { return idempotencyRepo{t} }

// ListMovements returns the ledger entries matching f, in the order they
// were applied.
func (t *tx) ListMovements(_ context.Context, f storage.MovementFilter) ([]inventory.Movement, error) {
	var out []inventory.Movement
	for _, m := range t.data.movements {
		if f.Match(m) {
			out = append(out, m)
		}
	}
	return out, nil
}

// table holds the aggregates of one kind. Rows are also indexed by the
// order they belong to, which never changes after creation, so that
// listing an order's rows does not scan the tenant, and their IDs are kept
// in byte order for Scan.
type table struct {
	rows    map[uuid.UUID]row
	ids     []uuid.UUID // every key of rows, in byte order
	byOrder map[uuid.UUID][]uuid.UUID
}

// row is one stored aggregate: a copy only the table holds, and its Meta
// (with the stored version).
type row struct {
	val  storage.Aggregate
	meta storage.Meta
}

// compareIDs orders IDs in byte order.
func compareIDs(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) }

// aggregateRepo is the transaction's storage.Aggregates.
type aggregateRepo struct{ t *tx }

// table returns the table of kind, or an error wrapping
// storage.ErrNotAggregate for an unknown kind.
func (r aggregateRepo) table(kind storage.Kind) (*table, error) {
	tb, ok := r.t.data.aggregates[kind]
	if !ok {
		return nil, fmt.Errorf("memory: kind %q: %w", kind, storage.ErrNotAggregate)
	}
	return tb, nil
}

// describe returns a's Meta and table.
func (r aggregateRepo) describe(a storage.Aggregate) (storage.Meta, *table, error) {
	m, err := storage.Describe(a)
	if err != nil {
		return storage.Meta{}, nil, fmt.Errorf("memory: %w", err)
	}
	tb, err := r.table(m.Kind)
	return m, tb, err
}

func (r aggregateRepo) Create(_ context.Context, a storage.Aggregate) error {
	m, tb, err := r.describe(a)
	if err != nil {
		return err
	}
	if _, ok := tb.rows[m.ID]; ok {
		return fmt.Errorf("memory: create %s %s: %w", m.Kind, m.ID, storage.ErrDuplicate)
	}
	prev := m.Version
	storage.SetVersion(a, 1)
	m.Version = 1
	tb.rows[m.ID] = row{val: storage.Clone(a), meta: m}
	i, _ := slices.BinarySearchFunc(tb.ids, m.ID, compareIDs)
	tb.ids = slices.Insert(tb.ids, i, m.ID)
	tb.byOrder[m.OrderID] = append(tb.byOrder[m.OrderID], m.ID)
	r.t.onRollback(func() {
		delete(tb.rows, m.ID)
		if i, ok := slices.BinarySearchFunc(tb.ids, m.ID, compareIDs); ok {
			tb.ids = slices.Delete(tb.ids, i, i+1)
		}
		if ids := tb.byOrder[m.OrderID]; len(ids) == 1 {
			delete(tb.byOrder, m.OrderID)
		} else {
			tb.byOrder[m.OrderID] = ids[:len(ids)-1]
		}
		storage.SetVersion(a, prev)
	})
	return nil
}

func (r aggregateRepo) Get(_ context.Context, kind storage.Kind, id uuid.UUID) (storage.Aggregate, error) {
	tb, err := r.table(kind)
	if err != nil {
		return nil, err
	}
	v, ok := tb.rows[id]
	if !ok {
		return nil, fmt.Errorf("memory: %s %s: %w", kind, id, storage.ErrNotFound)
	}
	return storage.Clone(v.val), nil
}

func (r aggregateRepo) Update(_ context.Context, a storage.Aggregate) error {
	m, tb, err := r.describe(a)
	if err != nil {
		return err
	}
	old, ok := tb.rows[m.ID]
	if !ok {
		return fmt.Errorf("memory: update %s %s: %w", m.Kind, m.ID, storage.ErrNotFound)
	}
	if old.meta.Version != m.Version {
		return fmt.Errorf("memory: update %s %s: version %d, stored %d: %w", m.Kind, m.ID, m.Version, old.meta.Version, storage.ErrConflict)
	}
	prev := m.Version
	storage.SetVersion(a, prev+1)
	m.Version = prev + 1
	// The order an aggregate belongs to never changes: the index keeps
	// the stored one.
	m.OrderID = old.meta.OrderID
	tb.rows[m.ID] = row{val: storage.Clone(a), meta: m}
	r.t.onRollback(func() {
		tb.rows[m.ID] = old
		storage.SetVersion(a, prev)
	})
	return nil
}

func (r aggregateRepo) ListByOrder(_ context.Context, kind storage.Kind, orderID uuid.UUID) ([]storage.Aggregate, error) {
	tb, err := r.table(kind)
	if err != nil {
		return nil, err
	}
	rows := make([]row, 0, len(tb.byOrder[orderID]))
	for _, id := range tb.byOrder[orderID] {
		rows = append(rows, tb.rows[id])
	}
	slices.SortFunc(rows, func(a, b row) int {
		return cmp.Or(a.meta.CreatedAt.Compare(b.meta.CreatedAt), compareIDs(a.meta.ID, b.meta.ID))
	})
	out := make([]storage.Aggregate, len(rows))
	for i, v := range rows {
		out[i] = storage.Clone(v.val)
	}
	return out, nil
}

func (r aggregateRepo) Scan(_ context.Context, kind storage.Kind, after uuid.UUID, limit int) ([]storage.Aggregate, error) {
	tb, err := r.table(kind)
	if err != nil {
		return nil, err
	}
	i, found := slices.BinarySearchFunc(tb.ids, after, compareIDs)
	if found {
		i++
	}
	ids := tb.ids[i:]
	ids = ids[:min(len(ids), max(limit, 0), storage.MaxPageSize)]
	out := make([]storage.Aggregate, len(ids))
	for j, id := range ids {
		out[j] = storage.Clone(tb.rows[id].val)
	}
	return out, nil
}

type inventoryRepo struct{ t *tx }

func (r inventoryRepo) PutItem(_ context.Context, it inventory.Item) error {
	d := r.t.data
	old, had := d.items[it.SKU]
	it.Tenant = r.t.tenant
	d.items[it.SKU] = it
	r.t.onRollback(func() {
		if had {
			d.items[it.SKU] = old
		} else {
			delete(d.items, it.SKU)
		}
	})
	return nil
}

func (r inventoryRepo) GetItem(_ context.Context, sku string) (inventory.Item, error) {
	it, ok := r.t.data.items[sku]
	if !ok {
		return inventory.Item{}, fmt.Errorf("memory: item %q: %w", sku, storage.ErrNotFound)
	}
	return it, nil
}

func (r inventoryRepo) CreateLocation(_ context.Context, l *inventory.Location) error {
	d := r.t.data
	if _, ok := d.locations[l.ID]; ok {
		return fmt.Errorf("memory: create location %s: %w", l.ID, storage.ErrDuplicate)
	}
	for _, other := range d.locations {
		if other.Code == l.Code {
			return fmt.Errorf("memory: location code %q: %w", l.Code, storage.ErrDuplicate)
		}
	}
	prev := l.Version
	l.Version = 1
	c := l.Clone()
	d.locations[l.ID] = &c
	r.t.onRollback(func() {
		delete(d.locations, l.ID)
		l.Version = prev
	})
	return nil
}

func (r inventoryRepo) GetLocation(_ context.Context, id uuid.UUID) (*inventory.Location, error) {
	l, ok := r.t.data.locations[id]
	if !ok {
		return nil, fmt.Errorf("memory: location %s: %w", id, storage.ErrNotFound)
	}
	c := l.Clone()
	return &c, nil
}

func (r inventoryRepo) ListLocations(_ context.Context) ([]*inventory.Location, error) {
	out := make([]*inventory.Location, 0, len(r.t.data.locations))
	for _, l := range r.t.data.locations {
		c := l.Clone()
		out = append(out, &c)
	}
	slices.SortFunc(out, func(a, b *inventory.Location) int { return strings.Compare(a.Code, b.Code) })
	return out, nil
}

func (r inventoryRepo) StockLevels(_ context.Context, skus []string) ([]inventory.StockLevel, error) {
	var out []inventory.StockLevel
	for k, lvl := range r.t.data.stock {
		if skus == nil || slices.Contains(skus, k.sku) {
			out = append(out, lvl)
		}
	}
	slices.SortFunc(out, func(a, b inventory.StockLevel) int {
		return cmp.Or(strings.Compare(a.SKU, b.SKU), strings.Compare(a.LocationID.String(), b.LocationID.String()))
	})
	return out, nil
}

func (r inventoryRepo) ApplyMovement(_ context.Context, m inventory.Movement) (inventory.StockLevel, inventory.Movement, error) {
	d := r.t.data
	if _, ok := d.locations[m.LocationID]; !ok {
		return inventory.StockLevel{}, m, fmt.Errorf("memory: stock at location %s: %w", m.LocationID, storage.ErrNotFound)
	}
	k := stockKey{sku: m.SKU, loc: m.LocationID}
	old, had := d.stock[k]
	cur := old
	if !had {
		cur = inventory.StockLevel{Tenant: r.t.tenant, SKU: m.SKU, LocationID: m.LocationID}
	}
	next, applied, err := cur.Apply(m)
	if err != nil {
		return inventory.StockLevel{}, m, err
	}
	next.Version = cur.Version + 1
	next.UpdatedAt = m.At
	applied.Tenant = r.t.tenant
	d.stock[k] = next
	d.movements = append(d.movements, applied)
	r.t.onRollback(func() {
		d.movements = d.movements[:len(d.movements)-1]
		if had {
			d.stock[k] = old
		} else {
			delete(d.stock, k)
		}
	})
	return next, applied, nil
}

type idempotencyRepo struct{ t *tx }

func (r idempotencyRepo) Get(_ context.Context, key string) (storage.IdempotencyRecord, error) {
	rec, ok := r.t.data.idempotency[key]
	if !ok {
		return storage.IdempotencyRecord{}, fmt.Errorf("memory: idempotency key %q: %w", key, storage.ErrNotFound)
	}
	return rec, nil
}

func (r idempotencyRepo) Put(_ context.Context, rec storage.IdempotencyRecord) error {
	d := r.t.data
	if _, ok := d.idempotency[rec.Key]; ok {
		return fmt.Errorf("memory: idempotency key %q: %w", rec.Key, storage.ErrDuplicate)
	}
	d.idempotency[rec.Key] = rec
	r.t.onRollback(func() { delete(d.idempotency, rec.Key) })
	return nil
}

func (r idempotencyRepo) Delete(_ context.Context, key string) error {
	d := r.t.data
	old, ok := d.idempotency[key]
	if !ok {
		return nil
	}
	delete(d.idempotency, key)
	r.t.onRollback(func() { d.idempotency[key] = old })
	return nil
}
