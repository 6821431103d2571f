package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/sqlite"
	"github.com/ordersmith/oms/storage/storagetest"
)

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store { return newStore(t) },
		storagetest.Features{OrderListing: true, Ledger: true, ItemBatch: true, LocationBatch: true, MovementBatch: true, EventLog: true,
			OutboxStatus: true})
}

// newStore opens a fresh database file in t's temporary directory and
// closes it when t ends.
func newStore(t *testing.T) *sqlite.Store {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "oms.db"))
}

func openAt(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, st.Close()) })
	return st
}

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

func buildOrder(t *testing.T, tenant string, when time.Time, customer string) *order.Order {
	t.Helper()
	usd := func(s string) money.Money { return money.MustParse(s, "USD") }
	d := order.Draft{
		Channel:         order.Channel{Kind: order.ChannelWeb, Name: "shop"},
		ExternalRef:     "ext-" + uuid.NewString()[:8],
		Customer:        order.Customer{ID: customer, Name: "Ada"},
		ShippingAddress: order.Address{Name: "Ada", Line1: "1 Main St", City: "Springfield", PostalCode: "62701", Country: "US"},
		Currency:        "USD",
		Lines: []order.DraftLine{
			{SKU: "TEE", Quantity: 2, UnitPrice: usd("19.99")},
			{SKU: "MUG", Quantity: 1, UnitPrice: usd("12.50")},
		},
		Discount:       usd("5.00"),
		ShippingCharge: usd("4.99"),
		TaxRate:        decimal.RequireFromString("0.0825"),
	}
	o, err := order.New(newID(), tenant, newID, d, when)
	require.NoError(t, err)
	return o
}

// requireSameJSON requires want and got to encode to the same JSON: decimal
// amounts may differ in representation (0 vs 0.00) yet be equal.
func requireSameJSON(t *testing.T, want, got any) {
	t.Helper()
	w, err := json.Marshal(want)
	require.NoError(t, err)
	g, err := json.Marshal(got)
	require.NoError(t, err)
	require.JSONEq(t, string(w), string(g))
}

func createLocation(t *testing.T, st storage.Store, tenant, code string) *inventory.Location {
	t.Helper()
	ctx := t.Context()
	l := &inventory.Location{ID: newID(), Tenant: tenant, Code: code, Name: "WH " + code,
		Coordinates: inventory.Coordinates{Lat: 52.5, Lon: 13.4}, Priority: 1, Active: true, CreatedAt: t0, UpdatedAt: t0}
	require.NoError(t, st.Tx(ctx, tenant, func(tx storage.Tx) error { return tx.Inventory().CreateLocation(ctx, l) }))
	return l
}

func move(t *testing.T, st storage.Store, tenant, sku string, loc uuid.UUID, kind inventory.MovementKind, qty int64) (inventory.StockLevel, error) {
	t.Helper()
	ctx := t.Context()
	m, err := inventory.NewMovement(newID(), tenant, sku, loc, kind, qty, uuid.Nil, "", t0)
	require.NoError(t, err)
	var lvl inventory.StockLevel
	err = st.Tx(ctx, tenant, func(tx storage.Tx) error {
		var err error
		lvl, _, err = tx.Inventory().ApplyMovement(ctx, m)
		return err
	})
	return lvl, err
}

func TestOrderRoundTripAndVersions(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st := newStore(t)
	o := buildOrder(t, "acme", t0, "c1")
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error { return storage.Orders(tx).Create(ctx, o) }))
	assert.Equal(t, int64(1), o.Version)

	var got *order.Order
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		var err error
		got, err = storage.Orders(tx).Get(ctx, o.ID)
		return err
	}))
	requireSameJSON(t, o, got)

	// Two writers from version 1: the second is stale.
	a, b := got, buildOrder(t, "acme", t0, "c1")
	*b = *got
	a.HoldReason = "first"
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error { return storage.Orders(tx).Update(ctx, a) }))
	assert.Equal(t, int64(2), a.Version)
	err := st.Tx(ctx, "acme", func(tx storage.Tx) error { return storage.Orders(tx).Update(ctx, b) })
	require.ErrorIs(t, err, storage.ErrConflict)
	assert.Equal(t, int64(1), b.Version, "a failed update leaves the version alone")

	// A rolled-back update restores the caller's version.
	boom := errors.New("boom")
	err = st.Tx(ctx, "acme", func(tx storage.Tx) error {
		if err := storage.Orders(tx).Update(ctx, a); err != nil {
			return err
		}
		return boom
	})
	require.ErrorIs(t, err, boom)
	assert.Equal(t, int64(2), a.Version)

	// Absent row: not found, not conflict.
	missing := buildOrder(t, "acme", t0, "c1")
	err = st.Tx(ctx, "acme", func(tx storage.Tx) error { return storage.Orders(tx).Update(ctx, missing) })
	require.ErrorIs(t, err, storage.ErrNotFound)
	err = st.Tx(ctx, "acme", func(tx storage.Tx) error { return storage.Orders(tx).Create(ctx, o) })
	require.ErrorIs(t, err, storage.ErrDuplicate)
}

func TestReportingColumns(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "oms.db")
	st := openAt(t, path)
	o := buildOrder(t, "acme", t0, "c1")
	p, err := payment.New(newID(), "acme", o.ID, "sandbox", o.Totals.Total, t0)
	require.NoError(t, err)
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		if err := storage.Orders(tx).Create(ctx, o); err != nil {
			return err
		}
		return storage.Payments(tx).Create(ctx, p)
	}))

	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer db.Close()
	var total, status, created string
	var lines int
	require.NoError(t, db.QueryRow(`SELECT total, status, created_at FROM orders WHERE id = ?`, o.ID.String()).
		Scan(&total, &status, &created))
	assert.Equal(t, o.Totals.Total.Amount().String(), total)
	assert.Equal(t, string(order.StatusPending), status)
	assert.Equal(t, "2025-03-01T12:00:00.000000000Z", created)
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM order_lines WHERE order_id = ?`, o.ID.String()).Scan(&lines))
	assert.Equal(t, 2, lines)
	var amount string
	require.NoError(t, db.QueryRow(`SELECT amount FROM payments WHERE order_id = ?`, o.ID.String()).Scan(&amount))
	assert.Equal(t, o.Totals.Total.Amount().String(), amount)
}

func TestConcurrentReservation(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	loc := createLocation(t, st, "acme", "WH1")
	_, err := move(t, st, "acme", "SKU", loc.ID, inventory.MovementReceive, 20)
	require.NoError(t, err)

	const workers = 50
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		ok, shrt int
		others   []error
	)
	for range workers {
		wg.Go(func() {
			_, err := move(t, st, "acme", "SKU", loc.ID, inventory.MovementReserve, 1)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, inventory.ErrInsufficientStock):
				shrt++
			default:
				others = append(others, err)
			}
		})
	}
	wg.Wait()
	require.Empty(t, others)
	assert.Equal(t, 20, ok)
	assert.Equal(t, 30, shrt)

	var levels []inventory.StockLevel
	require.NoError(t, st.Tx(t.Context(), "acme", func(tx storage.Tx) error {
		var err error
		levels, err = tx.Inventory().StockLevels(t.Context(), nil)
		return err
	}))
	require.Len(t, levels, 1)
	assert.Equal(t, int64(20), levels[0].OnHand)
	assert.Equal(t, int64(20), levels[0].Reserved)
	assert.Equal(t, int64(21), levels[0].Version)
}

func TestShortageChangesNothing(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st := newStore(t)
	loc := createLocation(t, st, "acme", "WH1")
	_, err := move(t, st, "acme", "NEW", loc.ID, inventory.MovementReserve, 1)
	var se *inventory.ShortageError
	require.ErrorAs(t, err, &se)
	require.ErrorIs(t, err, inventory.ErrInsufficientStock)

	// Even a caller that swallows the error and commits keeps nothing.
	m, err := inventory.NewMovement(newID(), "acme", "NEW", loc.ID, inventory.MovementReserve, 1, uuid.Nil, "", t0)
	require.NoError(t, err)
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		_, _, err := tx.Inventory().ApplyMovement(ctx, m)
		require.ErrorIs(t, err, inventory.ErrInsufficientStock)
		levels, err := tx.Inventory().StockLevels(ctx, nil)
		require.NoError(t, err)
		require.Empty(t, levels)
		movs, err := storage.Movements(ctx, tx, storage.MovementFilter{})
		require.NoError(t, err)
		require.Empty(t, movs)
		return nil
	}))

	_, err = move(t, st, "acme", "NEW", newID(), inventory.MovementReceive, 1)
	require.ErrorIs(t, err, storage.ErrNotFound)
}

func TestOutboxOrderAndLeases(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st := newStore(t)
	aggA, aggB := newID(), newID()
	var ids []uuid.UUID
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		var evs []storage.Event
		for i, agg := range []uuid.UUID{aggA, aggB, aggA, aggB} {
			id := newID()
			ids = append(ids, id)
			evs = append(evs, storage.Event{ID: id, Type: "x", AggregateType: "order", AggregateID: agg,
				Payload: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i)), OccurredAt: t0})
		}
		return tx.Outbox().Append(ctx, evs...)
	}))
	relay := st.Outbox()
	got, err := relay.Claim(ctx, "r1", 1, t0, time.Minute)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, ids[0], got[0].ID)
	assert.Equal(t, "acme", got[0].Tenant)
	assert.JSONEq(t, `{"n":0}`, string(got[0].Payload))

	// r2 must skip aggA entirely while r1 holds its first event.
	got2, err := relay.Claim(ctx, "r2", 10, t0, time.Minute)
	require.NoError(t, err)
	require.Len(t, got2, 2)
	assert.Equal(t, []uuid.UUID{ids[1], ids[3]}, []uuid.UUID{got2[0].ID, got2[1].ID})
	assert.Less(t, got2[0].Sequence, got2[1].Sequence)

	require.NoError(t, relay.Ack(ctx, "r1", []uuid.UUID{ids[0]}))
	got3, err := relay.Claim(ctx, "r2", 10, t0, time.Minute)
	require.NoError(t, err)
	require.Len(t, got3, 3, "own leases are returned again")
	require.NoError(t, relay.Release(ctx, "r2", []uuid.UUID{ids[1], ids[2], ids[3]}))
	got4, err := relay.Claim(ctx, "r3", 10, t0, time.Minute)
	require.NoError(t, err)
	require.Len(t, got4, 3)

	// Expired leases are claimable.
	got5, err := relay.Claim(ctx, "r4", 10, t0.Add(2*time.Minute), time.Minute)
	require.NoError(t, err)
	require.Len(t, got5, 3)
}

func TestConcurrentClaimersKeepAggregateOrder(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st := newStore(t)
	aggs := []uuid.UUID{newID(), newID(), newID()}
	const perAgg = 20
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		var evs []storage.Event
		for i := range perAgg {
			for _, a := range aggs {
				evs = append(evs, storage.Event{ID: newID(), Type: "x", AggregateType: "order", AggregateID: a,
					Payload: json.RawMessage(fmt.Sprintf(`%d`, i)), OccurredAt: t0})
			}
		}
		return tx.Outbox().Append(ctx, evs...)
	}))
	var (
		mu        sync.Mutex
		delivered = map[uuid.UUID][]int64{}
		wg        sync.WaitGroup
	)
	for w := range 4 {
		wg.Go(func() {
			owner := fmt.Sprintf("relay-%d", w)
			for {
				evs, err := st.Outbox().Claim(ctx, owner, 3, t0, time.Hour)
				if !assert.NoError(t, err) {
					return
				}
				if len(evs) == 0 {
					mu.Lock()
					n := 0
					for _, d := range delivered {
						n += len(d)
					}
					mu.Unlock()
					if n == perAgg*len(aggs) {
						return
					}
					time.Sleep(time.Millisecond)
					continue
				}
				var ids []uuid.UUID
				mu.Lock()
				for _, e := range evs {
					delivered[e.AggregateID] = append(delivered[e.AggregateID], e.Sequence)
					ids = append(ids, e.ID)
				}
				mu.Unlock()
				if !assert.NoError(t, st.Outbox().Ack(ctx, owner, ids)) {
					return
				}
			}
		})
	}
	wg.Wait()
	for _, a := range aggs {
		seqs := delivered[a]
		require.Len(t, seqs, perAgg)
		for i := 1; i < len(seqs); i++ {
			require.Less(t, seqs[i-1], seqs[i], "aggregate %s delivered out of order", a)
		}
	}
}

func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st := newStore(t)
	o := buildOrder(t, "a", t0, "c1")
	require.NoError(t, st.Tx(ctx, "a", func(tx storage.Tx) error { return storage.Orders(tx).Create(ctx, o) }))
	err := st.Tx(ctx, "b", func(tx storage.Tx) error {
		_, err := storage.Orders(tx).Get(ctx, o.ID)
		return err
	})
	require.ErrorIs(t, err, storage.ErrNotFound)
	err = st.Tx(ctx, "b", func(tx storage.Tx) error { return storage.Orders(tx).Update(ctx, o) })
	require.ErrorIs(t, err, storage.ErrNotFound)
	require.NoError(t, st.Tx(ctx, "b", func(tx storage.Tx) error {
		page, err := storage.ListOrders(ctx, tx, storage.OrderFilter{})
		require.NoError(t, err)
		require.Empty(t, page.Orders)
		// The same ID may exist in another tenant.
		o2 := *o
		return storage.Orders(tx).Create(ctx, &o2)
	}))
}

func TestListPagination(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st := newStore(t)
	var want []uuid.UUID
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		for i := range 7 {
			// Two orders share each timestamp, to exercise the ID tie-break.
			o := buildOrder(t, "acme", t0.Add(time.Duration(i/2)*time.Second+time.Microsecond), "c1")
			if err := storage.Orders(tx).Create(ctx, o); err != nil {
				return err
			}
		}
		return nil
	}))
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		all, err := storage.ListOrders(ctx, tx, storage.OrderFilter{})
		require.NoError(t, err)
		require.Len(t, all.Orders, 7)
		require.Empty(t, all.Next)
		for _, o := range all.Orders {
			want = append(want, o.ID)
		}
		var got []uuid.UUID
		f := storage.OrderFilter{Limit: 3}
		for {
			page, err := storage.ListOrders(ctx, tx, f)
			require.NoError(t, err)
			for _, o := range page.Orders {
				got = append(got, o.ID)
			}
			if page.Next == "" {
				break
			}
			f.Cursor = page.Next
		}
		require.Equal(t, want, got)
		from, err := storage.ListOrders(ctx, tx, storage.OrderFilter{CreatedFrom: t0.Add(time.Second), CreatedBefore: t0.Add(3 * time.Second)})
		require.NoError(t, err)
		require.Len(t, from.Orders, 4)
		_, err = storage.ListOrders(ctx, tx, storage.OrderFilter{Cursor: "garbage"})
		require.Error(t, err)
		return nil
	}))
}

func TestDurableAcrossReopen(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "oms.db")
	st, err := sqlite.Open(ctx, path, sqlite.Options{})
	require.NoError(t, err)
	o := buildOrder(t, "acme", t0, "c1")
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error { return storage.Orders(tx).Create(ctx, o) }))
	require.NoError(t, st.Close())

	st2 := openAt(t, path) // migrations re-run as a no-op
	require.NoError(t, st2.Tx(ctx, "acme", func(tx storage.Tx) error {
		got, err := storage.Orders(tx).Get(ctx, o.ID)
		require.NoError(t, err)
		requireSameJSON(t, o, got)
		return nil
	}))
}

func TestTwoStoresOnOneFile(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "oms.db")
	s1, s2 := openAt(t, path), openAt(t, path)
	loc := createLocation(t, s1, "acme", "WH1")
	_, err := move(t, s2, "acme", "SKU", loc.ID, inventory.MovementReceive, 30)
	require.NoError(t, err, "the second store sees the first's location")

	// Both stores reserve concurrently: the lock is shared through the file.
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		ok     int
		others []error
	)
	for i := range 40 {
		st := s1
		if i%2 == 1 {
			st = s2
		}
		wg.Go(func() {
			_, err := move(t, st, "acme", "SKU", loc.ID, inventory.MovementReserve, 1)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, inventory.ErrInsufficientStock):
			default:
				others = append(others, err)
			}
		})
	}
	wg.Wait()
	require.Empty(t, others)
	assert.Equal(t, 30, ok)
	for _, st := range []*sqlite.Store{s1, s2} {
		require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
			levels, err := tx.Inventory().StockLevels(ctx, []string{"SKU"})
			require.NoError(t, err)
			require.Len(t, levels, 1)
			assert.Equal(t, int64(30), levels[0].Reserved)
			movs, err := storage.Movements(ctx, tx, storage.MovementFilter{SKU: "SKU"})
			require.NoError(t, err)
			assert.Len(t, movs, 31)
			return nil
		}))
	}
}

func TestInMemory(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st, err := sqlite.Open(ctx, ":memory:", sqlite.Options{})
	require.NoError(t, err)
	defer st.Close()
	loc := createLocation(t, st, "acme", "WH1")
	lvl, err := move(t, st, "acme", "SKU", loc.ID, inventory.MovementReceive, 3)
	require.NoError(t, err)
	assert.Equal(t, int64(3), lvl.OnHand)
}

func TestMigrationsFS(t *testing.T) {
	names, err := fs.Glob(sqlite.Migrations(), "*.sql")
	require.NoError(t, err)
	require.Contains(t, names, "0001_init.sql")
}

func TestPanicRollsBack(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st := newStore(t)
	o := buildOrder(t, "acme", t0, "c1")
	require.Panics(t, func() {
		_ = st.Tx(ctx, "acme", func(tx storage.Tx) error {
			if err := storage.Orders(tx).Create(ctx, o); err != nil {
				return err
			}
			panic("boom")
		})
	})
	assert.Equal(t, int64(0), o.Version)
	err := st.Tx(ctx, "acme", func(tx storage.Tx) error {
		_, err := storage.Orders(tx).Get(ctx, o.ID)
		return err
	})
	require.ErrorIs(t, err, storage.ErrNotFound)
}

func TestCancelledContext(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := st.Tx(ctx, "acme", func(tx storage.Tx) error { return nil })
	require.ErrorIs(t, err, context.Canceled)
}

// TestReservationColumns stores reservations through Aggregates and reads
// them back both ways: they keep their plain-column table (no doc), and
// ListByOrder returns them oldest first.
func TestReservationColumns(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "oms.db")
	st := openAt(t, path)
	orderID, loc := newID(), newID()
	first, err := inventory.NewReservation(newID(), "acme", orderID, newID(), "TEE", loc, 2, t0.Add(time.Second))
	require.NoError(t, err)
	second, err := inventory.NewReservation(newID(), "acme", orderID, uuid.Nil, "MUG", loc, 1, t0)
	require.NoError(t, err)
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		for _, r := range []*inventory.Reservation{first, second} {
			if err := storage.Reservations(tx).Create(ctx, r); err != nil {
				return err
			}
		}
		first.Status = inventory.ReservationReleased
		return storage.Reservations(tx).Update(ctx, first)
	}))
	assert.Equal(t, int64(2), first.Version)

	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		got, err := storage.Reservations(tx).ListByOrder(ctx, orderID)
		require.NoError(t, err)
		require.Len(t, got, 2)
		assert.Equal(t, []*inventory.Reservation{second, first}, got, "oldest first, every field back")
		return nil
	}))

	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer db.Close()
	var (
		status  string
		version int64
		lineID  sql.NullString
	)
	require.NoError(t, db.QueryRow(`SELECT status, version, line_id FROM reservations WHERE id = ?`, first.ID.String()).
		Scan(&status, &version, &lineID))
	assert.Equal(t, string(inventory.ReservationReleased), status)
	assert.Equal(t, int64(2), version)
	assert.Equal(t, first.LineID.String(), lineID.String)
	require.NoError(t, db.QueryRow(`SELECT line_id FROM reservations WHERE id = ?`, second.ID.String()).Scan(&lineID))
	assert.False(t, lineID.Valid, "a nil line ID is stored as NULL")
}

// TestScanByteOrder scans orders whose IDs are random (version 4): the
// text order of the stored IDs is their byte order, pages follow each
// other, and the first ID is above uuid.Nil.
func TestScanByteOrder(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st := newStore(t)
	var want []uuid.UUID
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		for range 9 {
			o := buildOrder(t, "acme", t0, "c1")
			o.ID = uuid.New()
			want = append(want, o.ID)
			if err := storage.Orders(tx).Create(ctx, o); err != nil {
				return err
			}
		}
		return nil
	}))
	slices.SortFunc(want, func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		var got []uuid.UUID
		after := uuid.Nil
		for {
			page, err := tx.Aggregates().Scan(ctx, storage.KindOrder, after, 4)
			require.NoError(t, err)
			for _, a := range page {
				got = append(got, a.(*order.Order).ID)
			}
			if len(page) < 4 {
				break
			}
			after = got[len(got)-1]
		}
		require.Equal(t, want, got)
		return nil
	}))
}

// TestNotAggregate refuses unknown kinds and values that are not
// aggregates with storage.ErrNotAggregate.
func TestNotAggregate(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st := newStore(t)
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		aggs := tx.Aggregates()
		require.ErrorIs(t, aggs.Create(ctx, "not an aggregate"), storage.ErrNotAggregate)
		require.ErrorIs(t, aggs.Update(ctx, (*order.Order)(nil)), storage.ErrNotAggregate)
		_, err := aggs.Get(ctx, "widget", newID())
		require.ErrorIs(t, err, storage.ErrNotAggregate)
		_, err = aggs.ListByOrder(ctx, "widget", newID())
		require.ErrorIs(t, err, storage.ErrNotAggregate)
		_, err = aggs.Scan(ctx, "widget", uuid.Nil, 10)
		require.ErrorIs(t, err, storage.ErrNotAggregate)
		return nil
	}))
}
