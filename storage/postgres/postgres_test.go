package postgres_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/postgres"
	"github.com/ordersmith/oms/storage/storagetest"
)

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store { return newStore(t) },
		storagetest.Features{OrderListing: true, Ledger: true, ItemBatch: true, LocationBatch: true, MovementBatch: true, EventLog: true,
			OutboxStatus: true, Prefetch: true})
}

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

func usd(s string) money.Money { return money.MustParse(s, "USD") }

func newOrder(t *testing.T, tenant string, when time.Time, customer string) *order.Order {
	t.Helper()
	o, err := order.New(newID(), tenant, newID, order.Draft{
		Channel:     order.Channel{Kind: order.ChannelWeb, Name: "shop"},
		ExternalRef: "ext-" + uuid.NewString()[:8],
		Customer:    order.Customer{ID: customer, Name: "Ada Lovelace", Email: "ada@example.com"},
		ShippingAddress: order.Address{Name: "Ada Lovelace", Line1: "1 Main St", City: "Springfield",
			PostalCode: "62701", Country: "US"},
		Currency: "USD",
		Lines: []order.DraftLine{
			{SKU: "TEE-M", Quantity: 2, UnitPrice: usd("19.99")},
			{SKU: "MUG", Quantity: 1, UnitPrice: usd("12.50")},
		},
		Discount:       usd("5.00"),
		ShippingCharge: usd("4.99"),
		TaxRate:        decimal.RequireFromString("0.0825"),
	}, when)
	require.NoError(t, err)
	return o
}

func requireJSONEq(t *testing.T, want, got any) {
	t.Helper()
	w, err := json.Marshal(want)
	require.NoError(t, err)
	g, err := json.Marshal(got)
	require.NoError(t, err)
	require.JSONEq(t, string(w), string(g))
}

// query runs one SQL query against the store's schema, for checking the
// reporting columns.
func queryRow(t *testing.T, schema, sql string, args []any, dest ...any) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, testURL(t))
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "SET search_path = "+pgx.Identifier{schema}.Sanitize())
	require.NoError(t, err)
	require.NoError(t, conn.QueryRow(ctx, sql, args...).Scan(dest...))
}

func TestRoundTripAndReportingColumns(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	st := openStore(t, schema)
	ctx := t.Context()
	o := newOrder(t, "acme", t0, "c-1")
	p, err := payment.New(newID(), "acme", o.ID, "sandbox", o.Totals.Total, t0)
	require.NoError(t, err)

	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		if err := storage.Orders(tx).Create(ctx, o); err != nil {
			return err
		}
		return storage.Payments(tx).Create(ctx, p)
	}))
	assert.Equal(t, int64(1), o.Version)
	assert.Equal(t, int64(1), p.Version)

	var got *order.Order
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		var err error
		got, err = storage.Orders(tx).Get(ctx, o.ID)
		return err
	}))
	requireJSONEq(t, o, got)

	require.NoError(t, got.Confirm(ctx, t0.Add(time.Minute)))
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error { return storage.Orders(tx).Update(ctx, got) }))
	assert.Equal(t, int64(2), got.Version)

	var (
		status, total string
		version       int64
		lines         int
		lineTotal     string
	)
	queryRow(t, schema, "SELECT status, total::text, version FROM orders WHERE tenant = $1 AND id = $2",
		[]any{"acme", o.ID}, &status, &total, &version)
	assert.Equal(t, string(order.StatusConfirmed), status)
	assert.Equal(t, o.Totals.Total.Amount().StringFixed(2), total)
	assert.Equal(t, int64(2), version)
	queryRow(t, schema, "SELECT count(*), sum(total)::text FROM order_lines WHERE tenant = $1 AND order_id = $2",
		[]any{"acme", o.ID}, &lines, &lineTotal)
	assert.Equal(t, 2, lines)
	assert.Equal(t, total, lineTotal)

	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		ps, err := storage.Payments(tx).ListByOrder(ctx, o.ID)
		require.NoError(t, err)
		require.Len(t, ps, 1)
		requireJSONEq(t, p, ps[0])
		return nil
	}))
}

func TestVersionConflictAndRollback(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := t.Context()
	o := newOrder(t, "acme", t0, "c-1")
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error { return storage.Orders(tx).Create(ctx, o) }))

	var a, b *order.Order
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		var err error
		if a, err = storage.Orders(tx).Get(ctx, o.ID); err != nil {
			return err
		}
		b, err = storage.Orders(tx).Get(ctx, o.ID)
		return err
	}))
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error { return storage.Orders(tx).Update(ctx, a) }))
	err := st.Tx(ctx, "acme", func(tx storage.Tx) error { return storage.Orders(tx).Update(ctx, b) })
	require.ErrorIs(t, err, storage.ErrConflict)
	assert.Equal(t, int64(1), b.Version, "a failed update leaves the version")

	missing := newOrder(t, "acme", t0, "c-1")
	err = st.Tx(ctx, "acme", func(tx storage.Tx) error { return storage.Orders(tx).Update(ctx, missing) })
	require.ErrorIs(t, err, storage.ErrNotFound)

	err = st.Tx(ctx, "acme", func(tx storage.Tx) error { return storage.Orders(tx).Create(ctx, o) })
	require.ErrorIs(t, err, storage.ErrDuplicate)

	// A rolled-back update restores the caller's version and stores nothing.
	boom := errors.New("boom")
	err = st.Tx(ctx, "acme", func(tx storage.Tx) error {
		if err := storage.Orders(tx).Update(ctx, a); err != nil {
			return err
		}
		require.Equal(t, int64(3), a.Version)
		return boom
	})
	require.ErrorIs(t, err, boom)
	assert.Equal(t, int64(2), a.Version)

	// A panic rolls back too, and is resumed.
	require.Panics(t, func() {
		_ = st.Tx(ctx, "acme", func(tx storage.Tx) error {
			if err := storage.Orders(tx).Update(ctx, a); err != nil {
				return err
			}
			panic("boom")
		})
	})
	assert.Equal(t, int64(2), a.Version)
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		got, err := storage.Orders(tx).Get(ctx, o.ID)
		require.NoError(t, err)
		assert.Equal(t, int64(2), got.Version)
		return nil
	}))
}

func createLocation(t *testing.T, st storage.Store, tenant, code string) uuid.UUID {
	t.Helper()
	ctx := t.Context()
	loc := &inventory.Location{ID: newID(), Tenant: tenant, Code: code, Name: code, Active: true,
		Coordinates: inventory.Coordinates{Lat: 52.52, Lon: 13.405}, CreatedAt: t0, UpdatedAt: t0}
	require.NoError(t, st.Tx(ctx, tenant, func(tx storage.Tx) error { return tx.Inventory().CreateLocation(ctx, loc) }))
	return loc.ID
}

func move(t *testing.T, tenant, sku string, loc uuid.UUID, kind inventory.MovementKind, qty int64) inventory.Movement {
	t.Helper()
	m, err := inventory.NewMovement(newID(), tenant, sku, loc, kind, qty, uuid.Nil, "test", t0)
	require.NoError(t, err)
	return m
}

func TestConcurrentReservationNeverOversells(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := t.Context()
	loc := createLocation(t, st, "acme", "WH-1")
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		_, _, err := tx.Inventory().ApplyMovement(ctx, move(t, "acme", "TEE-M", loc, inventory.MovementReceive, 10))
		return err
	}))

	const workers = 25
	var (
		wg        sync.WaitGroup
		ok, short atomic.Int64
	)
	for range workers {
		wg.Go(func() {
			m, err := inventory.NewMovement(newID(), "acme", "TEE-M", loc, inventory.MovementReserve, 1, newID(), "", t0)
			if err != nil {
				t.Error(err)
				return
			}
			err = st.Tx(ctx, "acme", func(tx storage.Tx) error {
				_, _, err := tx.Inventory().ApplyMovement(ctx, m)
				return err
			})
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, inventory.ErrInsufficientStock):
				var se *inventory.ShortageError
				assert.ErrorAs(t, err, &se)
				short.Add(1)
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int64(10), ok.Load())
	assert.Equal(t, int64(workers-10), short.Load())
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		levels, err := tx.Inventory().StockLevels(ctx, []string{"TEE-M"})
		require.NoError(t, err)
		require.Len(t, levels, 1)
		assert.Equal(t, int64(10), levels[0].OnHand)
		assert.Equal(t, int64(10), levels[0].Reserved)
		assert.Equal(t, int64(11), levels[0].Version)
		ms, err := storage.Movements(ctx, tx, storage.MovementFilter{SKU: "TEE-M"})
		require.NoError(t, err)
		assert.Len(t, ms, 11)
		for i, m := range ms[1:] {
			assert.Equal(t, int64(i+1), m.ReservedAfter, "ledger after-values in order")
		}
		return nil
	}))
}

func TestApplyMovementFailuresChangeNothing(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := t.Context()
	loc := createLocation(t, st, "acme", "WH-1")

	// Reserving at a level that does not exist creates nothing.
	err := st.Tx(ctx, "acme", func(tx storage.Tx) error {
		_, _, err := tx.Inventory().ApplyMovement(ctx, move(t, "acme", "TEE-M", loc, inventory.MovementReserve, 1))
		require.ErrorIs(t, err, inventory.ErrInsufficientStock)
		// The transaction is still usable after a shortage.
		levels, err := tx.Inventory().StockLevels(ctx, nil)
		require.NoError(t, err)
		assert.Empty(t, levels)
		return nil
	})
	require.NoError(t, err)

	err = st.Tx(ctx, "acme", func(tx storage.Tx) error {
		_, _, err := tx.Inventory().ApplyMovement(ctx, move(t, "acme", "TEE-M", newID(), inventory.MovementReceive, 1))
		return err
	})
	require.ErrorIs(t, err, storage.ErrNotFound)

	bad := move(t, "acme", "TEE-M", loc, inventory.MovementReceive, 1)
	bad.OnHandDelta = 5
	err = st.Tx(ctx, "acme", func(tx storage.Tx) error {
		_, _, err := tx.Inventory().ApplyMovement(ctx, bad)
		return err
	})
	require.ErrorIs(t, err, inventory.ErrInvalidInput)

	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		ms, err := storage.Movements(ctx, tx, storage.MovementFilter{})
		require.NoError(t, err)
		assert.Empty(t, ms)
		return nil
	}))
}

// TestOutboxConcurrentRelaysKeepAggregateOrder runs four relays claiming
// while writers append, and checks that every event is delivered exactly
// once, each aggregate's events in sequence order, and that no two relays
// ever hold events of one aggregate at the same time.
func TestOutboxConcurrentRelaysKeepAggregateOrder(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := t.Context()
	const (
		aggregates = 4
		perAgg     = 40
		relays     = 4
	)
	aggIDs := make([]uuid.UUID, aggregates)
	for i := range aggIDs {
		aggIDs[i] = newID()
	}

	type holding struct {
		owner string
		n     int
	}
	var (
		mu        sync.Mutex
		lastSeq   = map[uuid.UUID]int64{}
		delivered = map[uuid.UUID]int{}
		// held records, per aggregate, the relay holding claimed events
		// from when Claim returned until just before it acks them: a
		// sub-interval of the real lease, so any overlap is a violation.
		held      = map[uuid.UUID]*holding{}
		writersWG sync.WaitGroup
		relaysWG  sync.WaitGroup
		total     atomic.Int64
		writing   atomic.Bool
	)
	writing.Store(true)
	// Two writers race on the same aggregates, one event per transaction.
	for w := range 2 {
		writersWG.Go(func() {
			for n := range perAgg {
				for i, agg := range aggIDs {
					if (i+n)%2 != w {
						continue
					}
					e := storage.Event{ID: newID(), Type: "test.event", AggregateType: "test", AggregateID: agg,
						Payload: json.RawMessage(fmt.Sprintf(`{"n":%d}`, n)), OccurredAt: t0}
					err := st.Tx(ctx, fmt.Sprintf("t%d", i%3), func(tx storage.Tx) error { return tx.Outbox().Append(ctx, e) })
					if err != nil {
						t.Error(err)
						return
					}
					total.Add(1)
				}
			}
		})
	}
	go func() { writersWG.Wait(); writing.Store(false) }()

	var acked atomic.Int64
	for r := range relays {
		relaysWG.Go(func() {
			owner := fmt.Sprintf("relay-%d", r)
			idle := 0
			for {
				evs, err := st.Outbox().Claim(ctx, owner, 1+r, time.Now(), time.Minute)
				if errors.Is(err, storage.ErrConflict) {
					continue
				}
				if !assert.NoError(t, err) {
					return
				}
				if len(evs) == 0 {
					if !writing.Load() && acked.Load() == total.Load() {
						return
					}
					idle++
					if idle > 5000 {
						t.Error("relays made no progress")
						return
					}
					time.Sleep(time.Millisecond)
					continue
				}
				ids := make([]uuid.UUID, len(evs))
				mu.Lock()
				for i, e := range evs {
					if h := held[e.AggregateID]; h != nil && h.owner != owner {
						t.Errorf("aggregate %s: %s got event %d while %s holds earlier or later ones",
							e.AggregateID, owner, e.Sequence, h.owner)
					}
					if held[e.AggregateID] == nil {
						held[e.AggregateID] = &holding{owner: owner}
					}
					held[e.AggregateID].n++
					if e.Sequence <= lastSeq[e.AggregateID] {
						t.Errorf("aggregate %s: event %d delivered after %d", e.AggregateID, e.Sequence, lastSeq[e.AggregateID])
					}
					if i > 0 && e.Sequence <= evs[i-1].Sequence {
						t.Errorf("claim not in sequence order")
					}
					lastSeq[e.AggregateID] = e.Sequence
					delivered[e.ID]++
					ids[i] = e.ID
				}
				mu.Unlock()
				time.Sleep(time.Millisecond) // "deliver"
				mu.Lock()
				for _, e := range evs {
					if h := held[e.AggregateID]; h != nil && h.owner == owner {
						if h.n--; h.n == 0 {
							delete(held, e.AggregateID)
						}
					}
				}
				mu.Unlock()
				for {
					err := st.Outbox().Ack(ctx, owner, ids)
					if errors.Is(err, storage.ErrConflict) {
						continue
					}
					require.NoError(t, err)
					break
				}
				acked.Add(int64(len(ids)))
			}
		})
	}
	relaysWG.Wait()
	require.Equal(t, total.Load(), int64(len(delivered)))
	for id, n := range delivered {
		assert.Equal(t, 1, n, "event %s delivered %d times", id, n)
	}
}

func TestOutboxLeases(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := t.Context()
	agg, other := newID(), newID()
	var events []storage.Event
	for i := range 3 {
		events = append(events, storage.Event{ID: newID(), Type: "x", AggregateType: "test", AggregateID: agg,
			Payload: json.RawMessage(fmt.Sprintf(`{"i": %d}`, i)), OccurredAt: t0})
	}
	events = append(events, storage.Event{ID: newID(), Type: "y", AggregateType: "test", AggregateID: other, OccurredAt: t0})
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error { return tx.Outbox().Append(ctx, events...) }))

	// A duplicate ID fails the transaction (at its commit, which the
	// append rides with), and nothing is appended.
	err := st.Tx(ctx, "acme", func(tx storage.Tx) error {
		fresh := storage.Event{ID: newID(), Type: "z", AggregateType: "test", AggregateID: newID(), OccurredAt: t0}
		return tx.Outbox().Append(ctx, fresh, events[0])
	})
	require.ErrorIs(t, err, storage.ErrDuplicate)

	now := t0
	a, err := st.Outbox().Claim(ctx, "A", 2, now, time.Minute)
	require.NoError(t, err)
	require.Len(t, a, 2)
	assert.Equal(t, events[0].ID, a[0].ID)
	assert.Equal(t, "acme", a[0].Tenant)
	assert.JSONEq(t, `{"i": 0}`, string(a[0].Payload))
	assert.Equal(t, `{"i": 0}`, string(a[0].Payload), "payload bytes are kept verbatim")

	// B gets only the other aggregate: agg's head is leased to A.
	b, err := st.Outbox().Claim(ctx, "B", 10, now, time.Minute)
	require.NoError(t, err)
	require.Len(t, b, 1)
	assert.Equal(t, other, b[0].AggregateID)
	assert.Nil(t, b[0].Payload)

	// A acks the first; B still cannot pass A's lease on the second (and
	// gets its own lease on the other aggregate again).
	require.NoError(t, st.Outbox().Ack(ctx, "B", []uuid.UUID{a[0].ID}), "acking another's lease is ignored")
	require.NoError(t, st.Outbox().Ack(ctx, "A", []uuid.UUID{a[0].ID}))
	require.NoError(t, st.Outbox().Ack(ctx, "B", []uuid.UUID{b[0].ID}))
	b, err = st.Outbox().Claim(ctx, "B", 10, now, time.Minute)
	require.NoError(t, err)
	require.Empty(t, b)

	// After A's lease expires, B takes the rest of agg in order.
	b, err = st.Outbox().Claim(ctx, "B", 10, now.Add(2*time.Minute), time.Minute)
	require.NoError(t, err)
	require.Len(t, b, 2)
	assert.Equal(t, events[1].ID, b[0].ID)
	assert.Equal(t, events[2].ID, b[1].ID)
	assert.Less(t, b[0].Sequence, b[1].Sequence)

	// Release makes them claimable at once.
	require.NoError(t, st.Outbox().Release(ctx, "B", []uuid.UUID{b[0].ID, b[1].ID}))
	c, err := st.Outbox().Claim(ctx, "C", 10, now.Add(2*time.Minute), time.Minute)
	require.NoError(t, err)
	require.Len(t, c, 2)
	assert.Equal(t, events[1].ID, c[0].ID)
}

func TestMigrationsRerunIsNoop(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	ctx := t.Context()

	// Several instances opening at once apply each migration once.
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			st, err := postgres.Open(ctx, postgres.Config{URL: testURL(t), Schema: schema})
			if assert.NoError(t, err) {
				st.Close()
			}
		})
	}
	wg.Wait()
	st := openStore(t, schema)
	files, err := fs.Glob(postgres.Migrations(), "*.sql")
	require.NoError(t, err)
	var n int
	queryRow(t, schema, "SELECT count(*) FROM schema_migrations", nil, &n)
	assert.Equal(t, len(files), n)

	// Data survives a re-open, and SkipMigrations leaves the schema alone.
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		return tx.Idempotency().Put(ctx, storage.IdempotencyRecord{Key: "k", Operation: "op", ResourceID: newID(), CreatedAt: t0})
	}))
	again, err := postgres.Open(ctx, postgres.Config{URL: testURL(t), Schema: schema, SkipMigrations: true})
	require.NoError(t, err)
	defer again.Close()
	require.NoError(t, again.Tx(ctx, "acme", func(tx storage.Tx) error {
		rec, err := tx.Idempotency().Get(ctx, "k")
		require.NoError(t, err)
		assert.Equal(t, t0, rec.CreatedAt)
		return nil
	}))
	queryRow(t, schema, "SELECT count(*) FROM schema_migrations", nil, &n)
	assert.Equal(t, len(files), n)
}

func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := t.Context()
	o := newOrder(t, "a", t0, "c-1")
	require.NoError(t, st.Tx(ctx, "a", func(tx storage.Tx) error {
		if err := storage.Orders(tx).Create(ctx, o); err != nil {
			return err
		}
		return tx.Idempotency().Put(ctx, storage.IdempotencyRecord{Key: "k", Operation: "op", ResourceID: o.ID, CreatedAt: t0})
	}))
	locA := createLocation(t, st, "a", "WH-1")
	createLocation(t, st, "b", "WH-1") // codes are unique per tenant only

	require.NoError(t, st.Tx(ctx, "b", func(tx storage.Tx) error {
		_, err := storage.Orders(tx).Get(ctx, o.ID)
		require.ErrorIs(t, err, storage.ErrNotFound)
		page, err := storage.ListOrders(ctx, tx, storage.OrderFilter{})
		require.NoError(t, err)
		assert.Empty(t, page.Orders)
		_, err = tx.Idempotency().Get(ctx, "k")
		require.ErrorIs(t, err, storage.ErrNotFound)
		_, err = tx.Inventory().GetLocation(ctx, locA)
		require.ErrorIs(t, err, storage.ErrNotFound)
		_, _, err = tx.Inventory().ApplyMovement(ctx, move(t, "b", "TEE-M", locA, inventory.MovementReceive, 1))
		require.ErrorIs(t, err, storage.ErrNotFound)
		return nil
	}))
	err := st.Tx(ctx, "b", func(tx storage.Tx) error {
		c := o.Clone()
		return storage.Orders(tx).Update(ctx, c)
	})
	require.ErrorIs(t, err, storage.ErrNotFound)

	// The same ID in another tenant is another row.
	require.NoError(t, st.Tx(ctx, "b", func(tx storage.Tx) error {
		c := o.Clone()
		c.Tenant = "b"
		return storage.Orders(tx).Create(ctx, c)
	}))
	require.NoError(t, st.Tx(ctx, "a", func(tx storage.Tx) error {
		got, err := storage.Orders(tx).Get(ctx, o.ID)
		require.NoError(t, err)
		assert.Equal(t, "a", got.Tenant)
		return nil
	}))
}

func TestListOrdersPaginates(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	ctx := t.Context()
	var all []*order.Order
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		for i := range 7 {
			cust := "c-1"
			if i%2 == 1 {
				cust = "c-2"
			}
			// Two orders per instant, so the cursor's id tie-break matters.
			o := newOrder(t, "acme", t0.Add(time.Duration(i/2)*time.Second), cust)
			if err := storage.Orders(tx).Create(ctx, o); err != nil {
				return err
			}
			all = append(all, o)
		}
		return nil
	}))
	var seen []uuid.UUID
	f := storage.OrderFilter{Limit: 3}
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		for {
			page, err := storage.ListOrders(ctx, tx, f)
			require.NoError(t, err)
			for _, o := range page.Orders {
				seen = append(seen, o.ID)
			}
			if page.Next == "" {
				return nil
			}
			f.Cursor = page.Next
		}
	}))
	require.Len(t, seen, 7)
	for i := 1; i < len(seen); i++ {
		a, b := byID(all, seen[i-1]), byID(all, seen[i])
		assert.True(t, a.CreatedAt.Before(b.CreatedAt) || (a.CreatedAt.Equal(b.CreatedAt) && a.ID.String() < b.ID.String()))
	}
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		page, err := storage.ListOrders(ctx, tx, storage.OrderFilter{CustomerID: "c-2", CreatedFrom: t0.Add(time.Second),
			CreatedBefore: t0.Add(3 * time.Second), Statuses: []order.Status{order.StatusPending}, Channel: "shop"})
		require.NoError(t, err)
		assert.Len(t, page.Orders, 2) // orders 3 and 5
		_, err = storage.ListOrders(ctx, tx, storage.OrderFilter{Cursor: "not a cursor"})
		require.Error(t, err)
		return nil
	}))
}

func byID(os []*order.Order, id uuid.UUID) *order.Order {
	for _, o := range os {
		if o.ID == id {
			return o
		}
	}
	return nil
}

// TestReservationsKeepTheirTable stores reservations through Aggregates
// and checks that they land in the plain columns of reservations, as
// before the one aggregate repository, and that Scan walks them by ID in
// byte order.
func TestReservationsKeepTheirTable(t *testing.T) {
	t.Parallel()
	schema := newSchema(t)
	st := openStore(t, schema)
	ctx := t.Context()
	orderID := newID()
	var rs []*inventory.Reservation
	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		for i := range 3 {
			r, err := inventory.NewReservation(uuid.New(), "acme", orderID, newID(), "TEE-M", newID(), int64(i+1), t0)
			require.NoError(t, err)
			if err := storage.Reservations(tx).Create(ctx, r); err != nil {
				return err
			}
			rs = append(rs, r)
		}
		rs[0].Status = inventory.ReservationReleased
		return storage.Reservations(tx).Update(ctx, rs[0])
	}))
	assert.Equal(t, int64(2), rs[0].Version)

	var (
		status  string
		qty     int64
		version int64
	)
	queryRow(t, schema, "SELECT status, quantity, version FROM reservations WHERE tenant = $1 AND id = $2",
		[]any{"acme", rs[0].ID}, &status, &qty, &version)
	assert.Equal(t, string(inventory.ReservationReleased), status)
	assert.Equal(t, int64(1), qty)
	assert.Equal(t, int64(2), version)

	require.NoError(t, st.Tx(ctx, "acme", func(tx storage.Tx) error {
		all, err := storage.Reservations(tx).All(ctx)
		require.NoError(t, err)
		require.Len(t, all, 3)
		for i := 1; i < len(all); i++ {
			assert.Negative(t, bytes.Compare(all[i-1].ID[:], all[i].ID[:]), "Scan is in uuid byte order")
		}
		got, err := storage.Reservations(tx).Get(ctx, rs[0].ID)
		require.NoError(t, err)
		requireJSONEq(t, rs[0], got)

		_, err = tx.Aggregates().Get(ctx, storage.Kind("widget"), rs[0].ID)
		require.ErrorIs(t, err, storage.ErrNotAggregate)
		require.ErrorIs(t, tx.Aggregates().Update(ctx, struct{}{}), storage.ErrNotAggregate)
		return nil
	}))
	// A reservation's insert is queued on the transaction: a duplicate ID
	// fails the transaction when the insert is sent, here with the commit.
	err := st.Tx(ctx, "acme", func(tx storage.Tx) error { return tx.Aggregates().Create(ctx, rs[0].Clone()) })
	require.ErrorIs(t, err, storage.ErrDuplicate)
}
