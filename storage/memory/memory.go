package memory

import (
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/fulfillment"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/returns"
	"github.com/ordersmith/oms/shipping"
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
	orders       *table[order.Order]
	payments     *table[payment.Payment]
	fulfillments *table[fulfillment.FulfillmentOrder]
	shipments    *table[shipping.Shipment]
	returns      *table[returns.Return]
	reservations *table[inventory.Reservation]

	items       map[string]inventory.Item
	locations   *table[inventory.Location]
	stock       map[stockKey]inventory.StockLevel
	movements   []inventory.Movement
	idempotency map[string]storage.IdempotencyRecord
}

type stockKey struct {
	sku string
	loc uuid.UUID
}

func newTenantData() *tenantData {
	return &tenantData{
		orders: newTable(func(o *order.Order) (uuid.UUID, *int64, time.Time) { return o.ID, &o.Version, o.CreatedAt },
			(*order.Order).Clone),
		payments: newTable(func(p *payment.Payment) (uuid.UUID, *int64, time.Time) { return p.ID, &p.Version, p.CreatedAt },
			(*payment.Payment).Clone).indexedByOrder(func(p *payment.Payment) uuid.UUID { return p.OrderID }),
		fulfillments: newTable(func(f *fulfillment.FulfillmentOrder) (uuid.UUID, *int64, time.Time) {
			return f.ID, &f.Version, f.CreatedAt
		}, (*fulfillment.FulfillmentOrder).Clone).indexedByOrder(func(f *fulfillment.FulfillmentOrder) uuid.UUID { return f.OrderID }),
		shipments: newTable(func(s *shipping.Shipment) (uuid.UUID, *int64, time.Time) { return s.ID, &s.Version, s.CreatedAt },
			(*shipping.Shipment).Clone).indexedByOrder(func(s *shipping.Shipment) uuid.UUID { return s.OrderID }),
		returns: newTable(func(r *returns.Return) (uuid.UUID, *int64, time.Time) { return r.ID, &r.Version, r.CreatedAt },
			(*returns.Return).Clone).indexedByOrder(func(r *returns.Return) uuid.UUID { return r.OrderID }),
		reservations: newTable(func(r *inventory.Reservation) (uuid.UUID, *int64, time.Time) {
			return r.ID, &r.Version, r.CreatedAt
		}, (*inventory.Reservation).Clone).indexedByOrder(func(r *inventory.Reservation) uuid.UUID { return r.OrderID }),
		locations: newTable(func(l *inventory.Location) (uuid.UUID, *int64, time.Time) { return l.ID, &l.Version, l.CreatedAt },
			func(l *inventory.Location) *inventory.Location { c := l.Clone(); return &c }),
		items:       make(map[string]inventory.Item),
		stock:       make(map[stockKey]inventory.StockLevel),
		idempotency: make(map[string]storage.IdempotencyRecord),
	}
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

type tx struct {
	store  *Store
	tenant string
	data   *tenantData
	undo   []func()
}

func (t *tx) onRollback(f func()) { t.undo = append(t.undo, f) }

func (t *tx) rollback() {
	for i := len(t.undo) - 1; i >= 0; i-- {
		t.undo[i]()
	}
	t.undo = nil
}

func (t *tx) Tenant() string                  { return t.tenant }
func (t *tx) Orders() storage.OrderRepository { return orderRepo{t} }
func (t *tx) Payments() storage.PaymentRepository {
	return orderChildRepo[payment.Payment]{t, t.data.payments}
}
func (t *tx) Fulfillments() storage.FulfillmentRepository {
	return orderChildRepo[fulfillment.FulfillmentOrder]{t, t.data.fulfillments}
}
func (t *tx) Shipments() storage.ShipmentRepository {
	return orderChildRepo[shipping.Shipment]{t, t.data.shipments}
}
func (t *tx) Returns() storage.ReturnRepository {
	return orderChildRepo[returns.Return]{t, t.data.returns}
}
func (t *tx) Inventory() storage.InventoryRepository     { return inventoryRepo{t} }
func (t *tx) Outbox() storage.Outbox                     { return outboxRepo{t} }
func (t *tx) Idempotency() storage.IdempotencyRepository { return idempotencyRepo{t} }

// table holds one kind of versioned aggregate. Rows that belong to an
// order are also indexed by it, so that listing an order's rows does not
// scan the tenant.
type table[T any] struct {
	rows    map[uuid.UUID]*T
	meta    func(*T) (uuid.UUID, *int64, time.Time)
	clone   func(*T) *T
	orderOf func(*T) uuid.UUID // nil for rows that belong to no order
	byOrder map[uuid.UUID][]uuid.UUID
}

func newTable[T any](meta func(*T) (uuid.UUID, *int64, time.Time), clone func(*T) *T) *table[T] {
	return &table[T]{rows: make(map[uuid.UUID]*T), meta: meta, clone: clone}
}

// indexedByOrder makes tb index its rows by the order they belong to, which
// never changes after creation.
func (tb *table[T]) indexedByOrder(orderOf func(*T) uuid.UUID) *table[T] {
	tb.orderOf = orderOf
	tb.byOrder = make(map[uuid.UUID][]uuid.UUID)
	return tb
}

func (tb *table[T]) create(t *tx, v *T) error {
	id, ver, _ := tb.meta(v)
	if _, ok := tb.rows[id]; ok {
		return fmt.Errorf("memory: create %s: %w", id, storage.ErrDuplicate)
	}
	prev := *ver
	*ver = 1
	tb.rows[id] = tb.clone(v)
	var orderID uuid.UUID
	if tb.orderOf != nil {
		orderID = tb.orderOf(v)
		tb.byOrder[orderID] = append(tb.byOrder[orderID], id)
	}
	t.onRollback(func() {
		delete(tb.rows, id)
		*ver = prev
		if tb.orderOf != nil {
			ids := tb.byOrder[orderID]
			if ids = ids[:len(ids)-1]; len(ids) == 0 {
				delete(tb.byOrder, orderID)
			} else {
				tb.byOrder[orderID] = ids
			}
		}
	})
	return nil
}

func (tb *table[T]) get(id uuid.UUID) (*T, error) {
	v, ok := tb.rows[id]
	if !ok {
		return nil, fmt.Errorf("memory: %s: %w", id, storage.ErrNotFound)
	}
	return tb.clone(v), nil
}

func (tb *table[T]) update(t *tx, v *T) error {
	id, ver, _ := tb.meta(v)
	old, ok := tb.rows[id]
	if !ok {
		return fmt.Errorf("memory: update %s: %w", id, storage.ErrNotFound)
	}
	_, oldVer, _ := tb.meta(old)
	if *oldVer != *ver {
		return fmt.Errorf("memory: update %s: version %d, stored %d: %w", id, *ver, *oldVer, storage.ErrConflict)
	}
	prev := *ver
	*ver = prev + 1
	tb.rows[id] = tb.clone(v)
	t.onRollback(func() {
		tb.rows[id] = old
		*ver = prev
	})
	return nil
}

// all returns copies of the rows that keep returns true, ordered by creation
// time then ID.
func (tb *table[T]) all(keep func(*T) bool) []*T {
	var out []*T
	for _, v := range tb.rows {
		if keep == nil || keep(v) {
			out = append(out, tb.clone(v))
		}
	}
	return tb.sorted(out)
}

// ofOrder is all restricted to the rows of one order, found by the index.
func (tb *table[T]) ofOrder(orderID uuid.UUID, keep func(*T) bool) []*T {
	var out []*T
	for _, id := range tb.byOrder[orderID] {
		if v := tb.rows[id]; keep == nil || keep(v) {
			out = append(out, tb.clone(v))
		}
	}
	return tb.sorted(out)
}

func (tb *table[T]) sorted(out []*T) []*T {
	slices.SortFunc(out, func(a, b *T) int {
		ida, _, ca := tb.meta(a)
		idb, _, cb := tb.meta(b)
		if c := ca.Compare(cb); c != 0 {
			return c
		}
		return strings.Compare(ida.String(), idb.String())
	})
	return out
}

type orderRepo struct{ t *tx }

func (r orderRepo) Create(_ context.Context, o *order.Order) error {
	return r.t.data.orders.create(r.t, o)
}
func (r orderRepo) Get(_ context.Context, id uuid.UUID) (*order.Order, error) {
	return r.t.data.orders.get(id)
}
func (r orderRepo) Update(_ context.Context, o *order.Order) error {
	return r.t.data.orders.update(r.t, o)
}

func (r orderRepo) List(_ context.Context, f storage.OrderFilter) (storage.OrderPage, error) {
	after, afterID, err := decodeCursor(f.Cursor)
	if err != nil {
		return storage.OrderPage{}, err
	}
	limit := f.PageSize()
	rows := r.t.data.orders.all(func(o *order.Order) bool {
		if len(f.Statuses) > 0 && !slices.Contains(f.Statuses, o.Status) {
			return false
		}
		if len(f.PaymentStatuses) > 0 && !slices.Contains(f.PaymentStatuses, o.Payment.Status) {
			return false
		}
		if f.Channel != "" && o.Channel.Name != f.Channel {
			return false
		}
		if f.CustomerID != "" && o.Customer.ID != f.CustomerID {
			return false
		}
		if !f.CreatedFrom.IsZero() && o.CreatedAt.Before(f.CreatedFrom) {
			return false
		}
		if !f.CreatedBefore.IsZero() && !o.CreatedAt.Before(f.CreatedBefore) {
			return false
		}
		if f.Cursor != "" {
			c := o.CreatedAt.Compare(after)
			if c < 0 || (c == 0 && o.ID.String() <= afterID.String()) {
				return false
			}
		}
		return true
	})
	page := storage.OrderPage{Orders: rows}
	if len(rows) > limit {
		page.Orders = rows[:limit]
		last := page.Orders[limit-1]
		page.Next = encodeCursor(last.CreatedAt, last.ID)
	}
	return page, nil
}

// Cursors are opaque to callers: base64 of "unixnano:uuid".
func encodeCursor(at time.Time, id uuid.UUID) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(at.UnixNano(), 10) + ":" + id.String()))
}

// decodeCursor returns the position an OrderPage.Next cursor holds, or
// the zero position for "". Any other string than one encodeCursor
// returns gives an error wrapping storage.ErrInvalidCursor.
func decodeCursor(c string) (time.Time, uuid.UUID, error) {
	if c == "" {
		return time.Time{}, uuid.Nil, nil
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(c)
	if err == nil {
		ns, idStr, ok := strings.Cut(string(raw), ":")
		if ok {
			n, err1 := strconv.ParseInt(ns, 10, 64)
			id, err2 := uuid.Parse(idStr)
			// Only the canonical form is one this store returned.
			if err1 == nil && err2 == nil && encodeCursor(time.Unix(0, n), id) == c {
				return time.Unix(0, n), id, nil
			}
		}
	}
	return time.Time{}, uuid.Nil, fmt.Errorf("memory: list orders: cursor %.40q: %w", c, storage.ErrInvalidCursor)
}

// orderChildRepo is the repository of an aggregate that belongs to an
// order: payments, fulfillment orders, shipments, returns.
type orderChildRepo[T any] struct {
	t  *tx
	tb *table[T]
}

func (r orderChildRepo[T]) Create(_ context.Context, v *T) error { return r.tb.create(r.t, v) }
func (r orderChildRepo[T]) Get(_ context.Context, id uuid.UUID) (*T, error) {
	return r.tb.get(id)
}
func (r orderChildRepo[T]) Update(_ context.Context, v *T) error { return r.tb.update(r.t, v) }
func (r orderChildRepo[T]) ListByOrder(_ context.Context, orderID uuid.UUID) ([]*T, error) {
	return r.tb.ofOrder(orderID, nil), nil
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
	for _, other := range r.t.data.locations.rows {
		if other.Code == l.Code {
			return fmt.Errorf("memory: location code %q: %w", l.Code, storage.ErrDuplicate)
		}
	}
	return r.t.data.locations.create(r.t, l)
}

func (r inventoryRepo) GetLocation(_ context.Context, id uuid.UUID) (*inventory.Location, error) {
	return r.t.data.locations.get(id)
}

func (r inventoryRepo) ListLocations(_ context.Context) ([]*inventory.Location, error) {
	out := r.t.data.locations.all(nil)
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
	if _, err := d.locations.get(m.LocationID); err != nil {
		return inventory.StockLevel{}, m, fmt.Errorf("memory: stock at location %s: %w", m.LocationID, err)
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

func (r inventoryRepo) Movements(_ context.Context, f storage.MovementFilter) ([]inventory.Movement, error) {
	var out []inventory.Movement
	for _, m := range r.t.data.movements {
		if (f.SKU == "" || m.SKU == f.SKU) &&
			(f.LocationID == uuid.Nil || m.LocationID == f.LocationID) &&
			(f.OrderID == uuid.Nil || m.OrderID == f.OrderID) {
			out = append(out, m)
		}
	}
	return out, nil
}

func (r inventoryRepo) CreateReservation(_ context.Context, v *inventory.Reservation) error {
	return r.t.data.reservations.create(r.t, v)
}

func (r inventoryRepo) UpdateReservation(_ context.Context, v *inventory.Reservation) error {
	return r.t.data.reservations.update(r.t, v)
}

func (r inventoryRepo) ListReservations(_ context.Context, f storage.ReservationFilter) ([]*inventory.Reservation, error) {
	keep := func(v *inventory.Reservation) bool {
		return (f.SKU == "" || v.SKU == f.SKU) && (f.Status == "" || v.Status == f.Status)
	}
	if f.OrderID != uuid.Nil {
		return r.t.data.reservations.ofOrder(f.OrderID, keep), nil
	}
	return r.t.data.reservations.all(keep), nil
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
