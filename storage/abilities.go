package storage

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/order"
)

// OrderLister is an optional ability of a [Tx]: listing orders by filter
// with an index, as SQL stores do. Without it, [ListOrders] reads every
// order of the tenant with Aggregates.Scan and filters them, which costs a
// read of the tenant's orders per page: fine for small stores and tests.
type OrderLister interface {
	// ListOrders returns one page of orders matching f, oldest first (by
	// CreatedAt, then ID). A Cursor that is not one this store returned
	// gives an error wrapping ErrInvalidCursor.
	ListOrders(ctx context.Context, f OrderFilter) (OrderPage, error)
}

// ListOrders returns one page of tx's orders matching f, oldest first, with
// tx's [OrderLister] if it has one. Without one, it scans every order of
// the tenant (see OrderLister); its cursors are then its own, and a cursor
// it did not return gives an error wrapping ErrInvalidCursor.
// OrderFilter.Cursor then means a cursor ListOrders returned.
func ListOrders(ctx context.Context, tx Tx, f OrderFilter) (OrderPage, error) {
	if l, ok := tx.(OrderLister); ok {
		return l.ListOrders(ctx, f)
	}
	after, afterID, err := decodeCursor(f.Cursor)
	if err != nil {
		return OrderPage{}, err
	}
	all, err := Orders(tx).All(ctx)
	if err != nil {
		return OrderPage{}, err
	}
	var rows []*order.Order
	for _, o := range all {
		if !f.Match(o) {
			continue
		}
		if f.Cursor != "" && compareListed(o.CreatedAt, o.ID, after, afterID) <= 0 {
			continue
		}
		rows = append(rows, o)
	}
	slices.SortFunc(rows, func(a, b *order.Order) int {
		return compareListed(a.CreatedAt, a.ID, b.CreatedAt, b.ID)
	})
	limit := f.PageSize()
	page := OrderPage{Orders: rows}
	if len(rows) > limit {
		page.Orders = rows[:limit]
		last := page.Orders[limit-1]
		page.Next = encodeCursor(last.CreatedAt, last.ID)
	}
	return page, nil
}

// Match reports whether o passes every filter of f (Limit and Cursor
// aside): what a store's ListOrders must select.
func (f OrderFilter) Match(o *order.Order) bool {
	switch {
	case len(f.Statuses) > 0 && !slices.Contains(f.Statuses, o.Status),
		len(f.PaymentStatuses) > 0 && !slices.Contains(f.PaymentStatuses, o.Payment.Status),
		f.Channel != "" && o.Channel.Name != f.Channel,
		f.CustomerID != "" && o.Customer.ID != f.CustomerID,
		f.ExternalRef != "" && o.ExternalRef != f.ExternalRef,
		!f.CreatedFrom.IsZero() && o.CreatedAt.Before(f.CreatedFrom),
		!f.CreatedBefore.IsZero() && !o.CreatedAt.Before(f.CreatedBefore):
		return false
	}
	return true
}

// compareListed orders listed aggregates by creation time, then by ID in
// byte order.
func compareListed(at time.Time, id uuid.UUID, at2 time.Time, id2 uuid.UUID) int {
	if c := at.Compare(at2); c != 0 {
		return c
	}
	return slices.Compare(id[:], id2[:])
}

// encodeCursor returns the cursor of the fallback listing: base64 of
// "unixnano:uuid".
func encodeCursor(at time.Time, id uuid.UUID) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(at.UnixNano(), 10) + ":" + id.String()))
}

// decodeCursor returns the position a fallback cursor holds, or the zero
// position for "". Any other string than one encodeCursor returns gives an
// error wrapping ErrInvalidCursor.
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
			// Only the canonical form is one this function returned.
			if err1 == nil && err2 == nil && encodeCursor(time.Unix(0, n), id) == c {
				return time.Unix(0, n), id, nil
			}
		}
	}
	return time.Time{}, uuid.Nil, fmt.Errorf("storage: list orders: cursor %.40q: %w", c, ErrInvalidCursor)
}

// MovementLister is an optional ability of a [Tx]: querying the stock
// movement ledger. A store without it need not keep the ledger at all;
// [Movements] then returns an error wrapping errors.ErrUnsupported, and
// nothing else in the library reads the ledger.
type MovementLister interface {
	// ListMovements returns the ledger entries matching f, in the order
	// they were applied.
	ListMovements(ctx context.Context, f MovementFilter) ([]inventory.Movement, error)
}

// Movements returns tx's ledger entries matching f, in the order they were
// applied, with tx's [MovementLister]; without one, an error wrapping
// errors.ErrUnsupported.
func Movements(ctx context.Context, tx Tx, f MovementFilter) ([]inventory.Movement, error) {
	if l, ok := tx.(MovementLister); ok {
		return l.ListMovements(ctx, f)
	}
	return nil, fmt.Errorf("storage: this store keeps no movement ledger: %w", errors.ErrUnsupported)
}

// Match reports whether m passes every filter of f.
func (f MovementFilter) Match(m inventory.Movement) bool {
	return (f.SKU == "" || m.SKU == f.SKU) &&
		(f.LocationID == uuid.Nil || m.LocationID == f.LocationID) &&
		(f.OrderID == uuid.Nil || m.OrderID == f.OrderID)
}

// ListReservations returns tx's reservations matching f, oldest first:
// those of f.OrderID through ListByOrder, or, when f names no order, every
// reservation of the tenant through Scan.
func ListReservations(ctx context.Context, tx Tx, f ReservationFilter) ([]*inventory.Reservation, error) {
	repo := Reservations(tx)
	var (
		all []*inventory.Reservation
		err error
	)
	if f.OrderID != uuid.Nil {
		all, err = repo.ListByOrder(ctx, f.OrderID)
	} else {
		all, err = repo.All(ctx)
	}
	if err != nil {
		return nil, err
	}
	if f.OrderID == uuid.Nil {
		slices.SortFunc(all, func(a, b *inventory.Reservation) int {
			return compareListed(a.CreatedAt, a.ID, b.CreatedAt, b.ID)
		})
	}
	return slices.DeleteFunc(all, func(r *inventory.Reservation) bool { return !f.Match(r) }), nil
}

// Match reports whether r passes every filter of f.
func (f ReservationFilter) Match(r *inventory.Reservation) bool {
	return (f.OrderID == uuid.Nil || r.OrderID == f.OrderID) &&
		(f.SKU == "" || r.SKU == f.SKU) &&
		(f.Status == "" || r.Status == f.Status)
}

// ItemBatcher is an optional ability of a [Tx]: reading many catalogue
// items in one call, as a SQL store does with one statement. Without it,
// [GetItems] calls Inventory().GetItem once per SKU.
type ItemBatcher interface {
	// GetItems returns the items of these SKUs that are in the catalogue,
	// in any order; SKUs that are not are left out, and a SKU given twice
	// is returned once.
	GetItems(ctx context.Context, skus []string) ([]inventory.Item, error)
}

// GetItems returns tx's catalogue items of these SKUs by SKU, leaving out
// SKUs that are not in the catalogue, with tx's [ItemBatcher] if it has
// one, else one GetItem per SKU.
func GetItems(ctx context.Context, tx Tx, skus []string) (map[string]inventory.Item, error) {
	out := make(map[string]inventory.Item, len(skus))
	if b, ok := tx.(ItemBatcher); ok {
		items, err := b.GetItems(ctx, skus)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			out[it.SKU] = it
		}
		return out, nil
	}
	for _, sku := range skus {
		if _, seen := out[sku]; seen {
			continue
		}
		it, err := tx.Inventory().GetItem(ctx, sku)
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return nil, err
		default:
			out[sku] = it
		}
	}
	return out, nil
}

// LocationBatcher is an optional ability of a [Tx]: reading many
// locations by ID in one call, as a SQL store does with one statement.
// Without it, [GetLocations] calls Inventory().GetLocation once per ID.
type LocationBatcher interface {
	// GetLocations returns the locations with these IDs, ordered by Code
	// (byte order) then ID; IDs with no location of the tenant are left
	// out, and an ID given twice is returned once.
	GetLocations(ctx context.Context, ids []uuid.UUID) ([]*inventory.Location, error)
}

// GetLocations returns tx's locations with these IDs, ordered by Code
// (byte order) then ID, leaving out IDs with no location of the tenant,
// with tx's [LocationBatcher] if it has one, else one GetLocation per ID.
// A placement reads with it the locations that hold stock of its SKUs,
// not every location of the tenant.
func GetLocations(ctx context.Context, tx Tx, ids []uuid.UUID) ([]*inventory.Location, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	if b, ok := tx.(LocationBatcher); ok {
		return b.GetLocations(ctx, ids)
	}
	out := make([]*inventory.Location, 0, len(ids))
	for i, id := range ids {
		if slices.Contains(ids[:i], id) {
			continue
		}
		l, err := tx.Inventory().GetLocation(ctx, id)
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return nil, err
		default:
			out = append(out, l)
		}
	}
	SortLocations(out)
	return out, nil
}

// SortLocations sorts locations by Code (byte order) then ID, the order
// of ListLocations and GetLocations.
func SortLocations(locs []*inventory.Location) {
	slices.SortFunc(locs, func(a, b *inventory.Location) int {
		if c := strings.Compare(a.Code, b.Code); c != 0 {
			return c
		}
		return bytes.Compare(a.ID[:], b.ID[:])
	})
}

// ReadAhead names what a step reads next, for a store's [Prefetcher].
type ReadAhead struct {
	// IdempotencyKeys are the keys the step looks up next with
	// Idempotency().Get.
	IdempotencyKeys []string
	// SKUs, when not empty, are the SKUs whose catalogue items ([GetItems])
	// and stock levels (Inventory().StockLevels) the step reads next,
	// together with the locations holding those levels ([GetLocations] of
	// the levels' location IDs).
	SKUs []string
}

// Prefetcher is an optional ability of a [Tx]: reading, in one round trip,
// what a step says it reads next, as a SQL store across a network does.
// The reads named then answer from what was read ahead, each once, while
// the transaction has written nothing since, and read afresh otherwise;
// their answer is what they would have read at the moment of the
// prefetch, which READ COMMITTED allows. Without it, [Prefetch] does
// nothing and each read goes to the store when it is made.
type Prefetcher interface {
	// Prefetch reads ahead what r names. An error is the one the first
	// failing read would have returned.
	Prefetch(ctx context.Context, r ReadAhead) error
}

// Prefetch tells tx's [Prefetcher], if it has one, what the step reads
// next; without one it does nothing.
func Prefetch(ctx context.Context, tx Tx, r ReadAhead) error {
	if p, ok := tx.(Prefetcher); ok {
		return p.Prefetch(ctx, r)
	}
	return nil
}
