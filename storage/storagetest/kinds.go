package storagetest

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/fulfillment"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/returns"
	"github.com/ordersmith/oms/shipping"
	"github.com/ordersmith/oms/storage"
)

// kindCase builds and changes aggregates of one kind, for the checks of
// storage.Aggregates that run over every kind.
type kindCase struct {
	// build returns a new aggregate of the world's order.
	build func(t *testing.T, w *world, when time.Time) storage.Aggregate
	// mutate changes a, once, as the engine would.
	mutate func(t *testing.T, a storage.Aggregate, when time.Time)
}

// kindCases returns the case of every kind the suite knows.
func kindCases() map[storage.Kind]kindCase {
	return map[storage.Kind]kindCase{
		storage.KindOrder: {
			build: func(t *testing.T, w *world, when time.Time) storage.Aggregate {
				return buildConfirmedOrder(t, w.tenant, when)
			},
			mutate: func(t *testing.T, a storage.Aggregate, when time.Time) { mutateOrder(t, a.(*order.Order), when) },
		},
		storage.KindPayment: {
			build: func(t *testing.T, w *world, when time.Time) storage.Aggregate {
				return buildPayment(t, w.tenant, w.order, when)
			},
			mutate: func(t *testing.T, a storage.Aggregate, when time.Time) { mutatePayment(t, a.(*payment.Payment), when) },
		},
		storage.KindFulfillment: {
			build: func(t *testing.T, w *world, when time.Time) storage.Aggregate {
				return buildFulfillment(t, w.tenant, w.order, w.loc.ID, when)
			},
			mutate: func(t *testing.T, a storage.Aggregate, when time.Time) {
				mutateFulfillment(t, a.(*fulfillment.FulfillmentOrder), when)
			},
		},
		storage.KindShipment: {
			build: func(t *testing.T, w *world, when time.Time) storage.Aggregate {
				return buildShipment(t, w.tenant, w.order, w.fulfillment, when)
			},
			mutate: func(t *testing.T, a storage.Aggregate, when time.Time) {
				mutateShipment(t, a.(*shipping.Shipment), when)
			},
		},
		storage.KindReturn: {
			build: func(t *testing.T, w *world, when time.Time) storage.Aggregate {
				return buildReturn(t, w.tenant, w.order, when)
			},
			mutate: func(t *testing.T, a storage.Aggregate, when time.Time) { mutateReturn(t, a.(*returns.Return), when) },
		},
		storage.KindReservation: {
			build: func(t *testing.T, w *world, when time.Time) storage.Aggregate {
				return buildReservation(t, w.tenant, w.order, 0, w.loc.ID, 1, when)
			},
			mutate: func(t *testing.T, a storage.Aggregate, when time.Time) {
				require.NoError(t, a.(*inventory.Reservation).Release(when))
			},
		},
	}
}

// aggregateKinds checks storage.Aggregates directly, for every kind
// storage.Kinds lists, and its refusal of what is not an aggregate.
func (s suite) aggregateKinds(t *testing.T) {
	t.Parallel()
	cases := kindCases()
	for _, k := range storage.Kinds() {
		t.Run(string(k), func(t *testing.T) {
			t.Parallel()
			c, ok := cases[k]
			require.True(t, ok, "storagetest has no case for kind %q: add one to kindCases", k)
			s.aggregateKind(t, k, c)
		})
	}
	t.Run("NotAggregate", s.notAggregate)
}

// metaOf returns a's storage.Meta, requiring a to be an aggregate.
func metaOf(t *testing.T, a storage.Aggregate) storage.Meta {
	t.Helper()
	m, err := storage.Describe(a)
	require.NoError(t, err)
	return m
}

// scanAll pages through Aggregates.Scan of kind by limit and returns the
// IDs, checking every page: at most limit aggregates of kind, IDs above
// the page's after, in byte order.
func scanAll(t *testing.T, ctx context.Context, tx storage.Tx, kind storage.Kind, limit int) []uuid.UUID {
	t.Helper()
	var ids []uuid.UUID
	after := uuid.Nil
	for pages := 0; ; pages++ {
		require.Less(t, pages, 10_000, "Scan does not end")
		page, err := tx.Aggregates().Scan(ctx, kind, after, limit)
		require.NoError(t, err, "Scan %s after %s, limit %d", kind, after, limit)
		require.LessOrEqual(t, len(page), limit, "Scan returns at most limit aggregates")
		for _, a := range page {
			m := metaOf(t, a)
			require.Equal(t, kind, m.Kind, "Scan of %s returned another kind", kind)
			require.Positive(t, bytes.Compare(m.ID[:], after[:]), "Scan returns IDs above after, in byte order")
			after = m.ID
			ids = append(ids, m.ID)
		}
		if len(page) < limit {
			return ids
		}
	}
}

// sortIDs sorts IDs in byte order, the order of Scan.
func sortIDs(ids []uuid.UUID) []uuid.UUID {
	slices.SortFunc(ids, func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })
	return ids
}

// aggregateKind checks Create, Get, Update, ListByOrder and Scan of one
// kind: round trips, versions (1 on Create, incremented by Update,
// restored on rollback), ErrNotFound, ErrDuplicate and ErrConflict.
func (s suite) aggregateKind(t *testing.T, k storage.Kind, c kindCase) {
	ctx := ctxFor(t)
	st := s.store(t)
	w := seed(t, ctx, st, tenantName("kind-"+string(k)))
	aggs := func(tx storage.Tx) storage.Aggregates { return tx.Aggregates() }
	list := func(tx storage.Tx, orderID uuid.UUID) []storage.Aggregate {
		t.Helper()
		got, err := aggs(tx).ListByOrder(ctx, k, orderID)
		require.NoError(t, err, "ListByOrder %s", k)
		return got
	}

	// What the world already holds of this kind (its orders, its
	// fulfillment), created before any of the rows below.
	var baseIDs []uuid.UUID
	var baseOrder, baseOther []storage.Aggregate
	inTx(t, ctx, st, w.tenant, func(tx storage.Tx) error {
		baseIDs = scanAll(t, ctx, tx, k, storage.MaxPageSize)
		baseOrder, baseOther = list(tx, w.order.ID), list(tx, w.other.ID)
		return nil
	})

	// Create sets version 1; Get returns what Create stored.
	v := c.build(t, w, at(time.Hour))
	id := metaOf(t, v).ID
	require.Equal(t, k, metaOf(t, v).Kind)
	require.Zero(t, metaOf(t, v).Version)
	inTx(t, ctx, st, w.tenant, func(tx storage.Tx) error {
		require.NoError(t, aggs(tx).Create(ctx, v))
		require.EqualValues(t, 1, metaOf(t, v).Version, "Create sets version 1 on the passed aggregate")
		got, err := aggs(tx).Get(ctx, k, id)
		require.NoError(t, err)
		requireJSONEq(t, v, got, "Get in the transaction that created it")
		return nil
	})
	inTx(t, ctx, st, w.tenant, func(tx storage.Tx) error {
		got, err := aggs(tx).Get(ctx, k, id)
		require.NoError(t, err)
		require.IsType(t, v, got, "Get returns the kind's type")
		require.EqualValues(t, 1, metaOf(t, got).Version, "stored version after Create")
		requireJSONEq(t, v, got, "Get after Create")
		return nil
	})

	// ErrDuplicate, ErrNotFound; kinds are kept apart.
	err := txErr(ctx, st, w.tenant, func(tx storage.Tx) error { return aggs(tx).Create(ctx, storage.Clone(v)) })
	requireErrorIs(t, err, storage.ErrDuplicate, "Create of an existing %s ID", k)
	err = txErr(ctx, st, w.tenant, func(tx storage.Tx) error { _, err := aggs(tx).Get(ctx, k, newID()); return err })
	requireErrorIs(t, err, storage.ErrNotFound, "Get of a missing %s", k)
	otherKind := storage.KindPayment
	if k == otherKind {
		otherKind = storage.KindOrder
	}
	err = txErr(ctx, st, w.tenant, func(tx storage.Tx) error { _, err := aggs(tx).Get(ctx, otherKind, id); return err })
	requireErrorIs(t, err, storage.ErrNotFound, "Get as %s of a %s's ID", otherKind, k)

	// Update increments the version; a stale one conflicts; a missing one
	// is not found.
	stale := storage.Clone(v)
	c.mutate(t, v, at(2*time.Hour))
	inTx(t, ctx, st, w.tenant, func(tx storage.Tx) error { return aggs(tx).Update(ctx, v) })
	require.EqualValues(t, 2, metaOf(t, v).Version, "Update increments the passed aggregate's version")
	inTx(t, ctx, st, w.tenant, func(tx storage.Tx) error {
		got, err := aggs(tx).Get(ctx, k, id)
		require.NoError(t, err)
		require.EqualValues(t, 2, metaOf(t, got).Version, "stored version after Update")
		requireJSONEq(t, v, got, "Get after Update")
		return nil
	})
	err = txErr(ctx, st, w.tenant, func(tx storage.Tx) error { return aggs(tx).Update(ctx, stale) })
	requireErrorIs(t, err, storage.ErrConflict, "Update of a stale %s", k)
	require.EqualValues(t, 1, metaOf(t, stale).Version, "a refused Update changed the passed version")
	missing := c.build(t, w, at(time.Hour))
	err = txErr(ctx, st, w.tenant, func(tx storage.Tx) error { return aggs(tx).Update(ctx, missing) })
	requireErrorIs(t, err, storage.ErrNotFound, "Update of a %s never created", k)

	// A rolled-back transaction gives the passed aggregates their versions
	// back and leaves nothing behind.
	fresh := c.build(t, w, at(90*time.Minute))
	err = st.Tx(ctx, w.tenant, func(tx storage.Tx) error {
		require.NoError(t, aggs(tx).Create(ctx, fresh))
		require.EqualValues(t, 1, metaOf(t, fresh).Version)
		require.NoError(t, aggs(tx).Update(ctx, v))
		require.NoError(t, aggs(tx).Update(ctx, v))
		require.EqualValues(t, 4, metaOf(t, v).Version, "two Updates in one transaction")
		return errRollback
	})
	requireErrorIs(t, err, errRollback)
	require.Zero(t, metaOf(t, fresh).Version, "a rolled-back Create restores the passed version")
	require.EqualValues(t, 2, metaOf(t, v).Version, "a rolled-back Update restores the passed version")
	err = txErr(ctx, st, w.tenant, func(tx storage.Tx) error { _, err := aggs(tx).Get(ctx, k, metaOf(t, fresh).ID); return err })
	requireErrorIs(t, err, storage.ErrNotFound, "a rolled-back Create is visible")
	inTx(t, ctx, st, w.tenant, func(tx storage.Tx) error {
		got, err := aggs(tx).Get(ctx, k, id)
		require.NoError(t, err)
		requireJSONEq(t, v, got, "a rolled-back Update is visible")
		// After the rollback, the restored version is current.
		require.NoError(t, aggs(tx).Update(ctx, v))
		require.EqualValues(t, 3, metaOf(t, v).Version)
		return nil
	})

	// ListByOrder: the order's rows, oldest first by (CreatedAt, ID).
	created := []storage.Aggregate{v}
	if k == storage.KindOrder {
		inTx(t, ctx, st, w.tenant, func(tx storage.Tx) error {
			requireJSONEq(t, []storage.Aggregate{v}, list(tx, id), "ListByOrder of an order is the order")
			requireJSONEq(t, []storage.Aggregate{w.order}, list(tx, w.order.ID), "ListByOrder of an order is the order")
			require.Empty(t, list(tx, newID()), "ListByOrder of a missing order")
			return nil
		})
	} else {
		early := c.build(t, w, at(30*time.Minute))
		late := c.build(t, w, at(3*time.Hour))
		tieA, tieB := c.build(t, w, at(150*time.Minute)), c.build(t, w, at(150*time.Minute))
		otherWorld := *w
		otherWorld.order = w.other
		foreign := c.build(t, &otherWorld, at(4*time.Hour))
		created = append(created, early, late, tieA, tieB, foreign)
		inTx(t, ctx, st, w.tenant, func(tx storage.Tx) error {
			for _, a := range []storage.Aggregate{late, tieB, foreign, tieA, early} {
				require.NoError(t, aggs(tx).Create(ctx, a))
			}
			return nil
		})
		ties := []storage.Aggregate{tieA, tieB}
		slices.SortFunc(ties, func(a, b storage.Aggregate) int {
			ma, mb := metaOf(t, a), metaOf(t, b)
			return bytes.Compare(ma.ID[:], mb.ID[:])
		})
		inTx(t, ctx, st, w.tenant, func(tx storage.Tx) error {
			want := append(slices.Clone(baseOrder), early, v, ties[0], ties[1], late)
			requireJSONEq(t, want, list(tx, w.order.ID), "ListByOrder, oldest first, ties by ID")
			requireJSONEq(t, append(slices.Clone(baseOther), foreign), list(tx, w.other.ID), "ListByOrder of the other order")
			require.Empty(t, list(tx, newID()), "ListByOrder of an order without rows")
			return nil
		})
	}

	// Scan: every row of the kind, by ID, in pages of any size.
	want := slices.Clone(baseIDs)
	for _, a := range created {
		want = append(want, metaOf(t, a).ID)
	}
	sortIDs(want)
	require.GreaterOrEqual(t, len(want), 3)
	inTx(t, ctx, st, w.tenant, func(tx storage.Tx) error {
		for _, limit := range []int{1, 2, 3, storage.MaxPageSize} {
			require.Equal(t, want, scanAll(t, ctx, tx, k, limit), "Scan %s by %d", k, limit)
		}
		page, err := aggs(tx).Scan(ctx, k, want[0], 2)
		require.NoError(t, err)
		got := make([]uuid.UUID, 0, len(page))
		for _, a := range page {
			got = append(got, metaOf(t, a).ID)
		}
		require.Equal(t, want[1:3], got, "Scan after a stored ID starts after it")

		between := want[1]
		between[15]++ // above want[1]; below want[2] unless they are neighbours
		var above []uuid.UUID
		for _, x := range want {
			if bytes.Compare(x[:], between[:]) > 0 {
				above = append(above, x)
			}
		}
		page, err = aggs(tx).Scan(ctx, k, between, storage.MaxPageSize)
		require.NoError(t, err)
		got = got[:0]
		for _, a := range page {
			got = append(got, metaOf(t, a).ID)
			if metaOf(t, a).ID == id {
				requireJSONEq(t, v, a, "Scan returns the stored aggregate")
			}
		}
		require.Equal(t, above, got, "Scan after an ID not stored")

		page, err = aggs(tx).Scan(ctx, k, uuid.Max, storage.MaxPageSize)
		require.NoError(t, err)
		require.Empty(t, page, "Scan after the largest ID")
		return nil
	})
}

// notAggregate checks that every method of storage.Aggregates refuses a
// value that is not an aggregate, and a kind that is not one, with an
// error wrapping storage.ErrNotAggregate.
func (s suite) notAggregate(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	st := s.store(t)
	w := seed(t, ctx, st, tenantName("not-aggregate"))
	id := w.order.ID
	cases := map[string]func(a storage.Aggregates) error{
		"Create of a location":           func(a storage.Aggregates) error { return a.Create(ctx, w.loc) },
		"Create of nil":                  func(a storage.Aggregates) error { return a.Create(ctx, nil) },
		"Create of a nil *order.Order":   func(a storage.Aggregates) error { return a.Create(ctx, (*order.Order)(nil)) },
		"Create of an order.Order value": func(a storage.Aggregates) error { return a.Create(ctx, order.Order{}) },
		"Update of a string":             func(a storage.Aggregates) error { return a.Update(ctx, "order") },
		"Update of nil":                  func(a storage.Aggregates) error { return a.Update(ctx, nil) },
		"Get of an unknown kind": func(a storage.Aggregates) error {
			_, err := a.Get(ctx, storage.Kind("orders"), id)
			return err
		},
		"Get of the empty kind": func(a storage.Aggregates) error { _, err := a.Get(ctx, "", id); return err },
		"ListByOrder of an unknown kind": func(a storage.Aggregates) error {
			_, err := a.ListByOrder(ctx, storage.Kind("location"), id)
			return err
		},
		"Scan of an unknown kind": func(a storage.Aggregates) error {
			_, err := a.Scan(ctx, storage.Kind("Order"), uuid.Nil, 10)
			return err
		},
	}
	for name, call := range cases {
		err := txErr(ctx, st, w.tenant, func(tx storage.Tx) error { return call(tx.Aggregates()) })
		requireErrorIs(t, err, storage.ErrNotAggregate, name)
	}
	// Nothing was stored.
	inTx(t, ctx, st, w.tenant, func(tx storage.Tx) error {
		for _, k := range storage.Kinds() {
			n := len(scanAll(t, ctx, tx, k, storage.MaxPageSize))
			switch k {
			case storage.KindOrder:
				require.Equal(t, 2, n, "orders after refused calls")
			case storage.KindFulfillment:
				require.Equal(t, 1, n, "fulfillments after refused calls")
			default:
				require.Zero(t, n, "%s after refused calls", k)
			}
		}
		return nil
	})
}
