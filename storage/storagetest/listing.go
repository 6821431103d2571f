package storagetest

import (
	"cmp"
	"context"
	"encoding/base64"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/storage"
)

// listing checks storage.ListOrders: filters, limits and keyset
// pagination. Every check runs twice: on the store's own Tx, with its
// storage.OrderLister if it has one ("ListOrders"), and on its Tx with the
// optional abilities hidden ("Fallback"), so that the scanning fallback of
// storage.ListOrders is checked over every store's Aggregates.Scan.
func (s suite) listing(t *testing.T) {
	t.Parallel()
	t.Run("ListOrders", lister{suite: s}.run)
	t.Run("Fallback", lister{suite: s, hide: true}.run)
}

// lister runs the listing checks in one mode: hide says to hide the Tx's
// optional abilities from storage.ListOrders.
type lister struct {
	suite
	hide bool
}

// withoutAbilities is a Tx with only the methods of storage.Tx: the type
// assertions of storage.ListOrders and storage.Movements fail on it.
type withoutAbilities struct{ storage.Tx }

func (s lister) run(t *testing.T) {
	t.Parallel()
	t.Run("Filters", s.listFilters)
	t.Run("Pagination", s.listPagination)
	t.Run("ConcurrentInserts", s.listConcurrentInserts)
	t.Run("MalformedCursor", s.listMalformedCursor)
	t.Run("Limits", s.listLimits)
}

// list returns storage.ListOrders of tx in s's mode.
func (s lister) list(ctx context.Context, tx storage.Tx, f storage.OrderFilter) (storage.OrderPage, error) {
	if s.hide {
		tx = withoutAbilities{tx}
	}
	return storage.ListOrders(ctx, tx, f)
}

// orderSet builds n orders of varied statuses, channels, customers and
// creation times (two pairs share a creation time), stores them and returns
// them oldest first by (created_at, id).
func orderSet(t *testing.T, ctx context.Context, st storage.Store, tenant string, n int) []*order.Order {
	t.Helper()
	channels := []order.Channel{chanWeb, chanAmazon, chanStore}
	customers := []string{"c-1", "c-2", "c-3", ""}
	var out []*order.Order
	for i := range n {
		offset := time.Duration(i) * time.Minute
		if i == 5 || i == 11 { // same created_at as the previous order
			offset -= time.Minute
		}
		when := at(offset)
		o := buildOrder(t, tenant, when, channels[i%len(channels)], customers[i%len(customers)])
		bg := context.Background()
		switch i % 5 {
		case 1:
			require.NoError(t, o.Confirm(bg, when))
		case 2:
			require.NoError(t, o.Confirm(bg, when))
			require.NoError(t, o.Hold(bg, "address check", when))
		case 3:
			require.NoError(t, o.Confirm(bg, when))
			require.NoError(t, o.StartProcessing(bg, when))
		case 4:
			require.NoError(t, o.Cancel(bg, "customer asked", when))
		}
		switch i % 4 { // payment summaries cycle independently of statuses
		case 1:
			o.SyncPayment(order.PaymentFacts{Authorized: o.Totals.Total}, when)
		case 2:
			o.SyncPayment(order.PaymentFacts{Voided: true}, when)
		case 3:
			o.SyncPayment(order.PaymentFacts{Failed: true}, when)
		}
		out = append(out, o)
	}
	// Store them in a scrambled order, in a few transactions.
	perm := make([]*order.Order, len(out))
	copy(perm, out)
	slices.Reverse(perm)
	for chunk := range slices.Chunk(perm, 7) {
		inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
			for _, o := range chunk {
				if err := storage.Orders(tx).Create(ctx, o); err != nil {
					return err
				}
			}
			return nil
		})
	}
	sortOrders(out)
	return out
}

// sortOrders sorts by (created_at, id), the order storage.ListOrders returns.
func sortOrders(os []*order.Order) {
	slices.SortFunc(os, func(a, b *order.Order) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID.String(), b.ID.String()))
	})
}

func orderIDs(os []*order.Order) []uuid.UUID {
	out := make([]uuid.UUID, 0, len(os))
	for _, o := range os {
		out = append(out, o.ID)
	}
	return out
}

// listAll pages through storage.ListOrders with f until Next is empty and returns every
// order and the number of pages.
func (s lister) listAll(t *testing.T, ctx context.Context, st storage.Store, tenant string, f storage.OrderFilter) ([]*order.Order, int) {
	t.Helper()
	var all []*order.Order
	pages := 0
	for {
		var page storage.OrderPage
		inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
			var err error
			page, err = s.list(ctx, tx, f)
			return err
		})
		pages++
		require.LessOrEqual(t, len(page.Orders), f.PageSize(), "a page holds at most Limit orders")
		all = append(all, page.Orders...)
		if page.Next == "" {
			return all, pages
		}
		require.NotEmpty(t, page.Orders, "an empty page must be the last")
		require.Less(t, pages, 1000, "pagination does not end")
		f.Cursor = page.Next
	}
}

func (s lister) listFilters(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	st := s.store(t)
	tenant := tenantName("list")
	orders := orderSet(t, ctx, st, tenant, 20)

	// Another tenant's orders never show up.
	other := tenantName("list-other")
	inTx(t, ctx, st, other, func(tx storage.Tx) error {
		return storage.Orders(tx).Create(ctx, buildOrder(t, other, at(3*time.Minute), chanWeb, "c-1"))
	})

	from, before := orders[4].CreatedAt, orders[15].CreatedAt
	cases := []struct {
		name string
		f    storage.OrderFilter
		keep func(o *order.Order) bool
	}{
		{"none", storage.OrderFilter{}, func(*order.Order) bool { return true }},
		{"one status", storage.OrderFilter{Statuses: []order.Status{order.StatusConfirmed}},
			func(o *order.Order) bool { return o.Status == order.StatusConfirmed }},
		{"several statuses", storage.OrderFilter{Statuses: []order.Status{order.StatusOnHold, order.StatusCancelled, order.StatusDelivered}},
			func(o *order.Order) bool { return o.Status == order.StatusOnHold || o.Status == order.StatusCancelled }},
		{"channel", storage.OrderFilter{Channel: chanAmazon.Name}, func(o *order.Order) bool { return o.Channel.Name == chanAmazon.Name }},
		{"customer", storage.OrderFilter{CustomerID: "c-2"}, func(o *order.Order) bool { return o.Customer.ID == "c-2" }},
		{"external reference", storage.OrderFilter{ExternalRef: orders[7].ExternalRef},
			func(o *order.Order) bool { return o.ExternalRef == orders[7].ExternalRef }},
		{"no match: the external reference in another channel", storage.OrderFilter{ExternalRef: orders[7].ExternalRef, Channel: orders[8].Channel.Name},
			func(*order.Order) bool { return false }},
		{"created from (inclusive)", storage.OrderFilter{CreatedFrom: from}, func(o *order.Order) bool { return !o.CreatedAt.Before(from) }},
		{"created before (exclusive)", storage.OrderFilter{CreatedBefore: before}, func(o *order.Order) bool { return o.CreatedAt.Before(before) }},
		{"created range", storage.OrderFilter{CreatedFrom: from, CreatedBefore: before},
			func(o *order.Order) bool { return !o.CreatedAt.Before(from) && o.CreatedAt.Before(before) }},
		{"status and channel", storage.OrderFilter{Statuses: []order.Status{order.StatusPending, order.StatusProcessing}, Channel: chanWeb.Name},
			func(o *order.Order) bool {
				return (o.Status == order.StatusPending || o.Status == order.StatusProcessing) && o.Channel.Name == chanWeb.Name
			}},
		{"everything", storage.OrderFilter{Statuses: []order.Status{order.StatusOnHold, order.StatusCancelled}, Channel: chanWeb.Name, CustomerID: "c-1", CreatedFrom: from, CreatedBefore: at(time.Hour)},
			func(o *order.Order) bool {
				return (o.Status == order.StatusOnHold || o.Status == order.StatusCancelled) && o.Channel.Name == chanWeb.Name &&
					o.Customer.ID == "c-1" && !o.CreatedAt.Before(from) && o.CreatedAt.Before(at(time.Hour))
			}},
		{"one payment status", storage.OrderFilter{PaymentStatuses: []order.PaymentStatus{order.PaymentAuthorized}},
			func(o *order.Order) bool { return o.Payment.Status == order.PaymentAuthorized }},
		{"payment statuses and statuses", storage.OrderFilter{
			Statuses:        []order.Status{order.StatusPending, order.StatusConfirmed, order.StatusCancelled},
			PaymentStatuses: []order.PaymentStatus{order.PaymentAuthorized, order.PaymentVoided, order.PaymentPaid}},
			func(o *order.Order) bool {
				return (o.Status == order.StatusPending || o.Status == order.StatusConfirmed || o.Status == order.StatusCancelled) &&
					(o.Payment.Status == order.PaymentAuthorized || o.Payment.Status == order.PaymentVoided)
			}},
		{"payment status and channel", storage.OrderFilter{PaymentStatuses: []order.PaymentStatus{order.PaymentPending, order.PaymentFailed},
			Channel: chanAmazon.Name},
			func(o *order.Order) bool {
				return (o.Payment.Status == order.PaymentPending || o.Payment.Status == order.PaymentFailed) && o.Channel.Name == chanAmazon.Name
			}},
		{"no match", storage.OrderFilter{CustomerID: "nobody"}, func(*order.Order) bool { return false }},
		{"no payment match", storage.OrderFilter{Statuses: []order.Status{order.StatusCancelled},
			PaymentStatuses: []order.PaymentStatus{order.PaymentRefunded}}, func(*order.Order) bool { return false }},
		{"time range past every order", storage.OrderFilter{CreatedFrom: at(time.Hour)}, func(*order.Order) bool { return false }},
	}
	for _, c := range cases {
		var want []*order.Order
		for _, o := range orders {
			if c.keep(o) {
				want = append(want, o)
			}
		}
		if !strings.HasPrefix(c.name, "no ") && c.name != "time range past every order" {
			require.NotEmpty(t, want, "fixture for %s", c.name)
		}
		var page storage.OrderPage
		inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
			var err error
			page, err = s.list(ctx, tx, c.f)
			return err
		})
		require.Equal(t, orderIDs(want), orderIDs(page.Orders), "ListOrders filter %s", c.name)
		require.Empty(t, page.Next, "a single page under the default limit has no Next (%s)", c.name)
		if len(want) > 0 {
			requireJSONEq(t, want, page.Orders, "ListOrders returns the stored orders (%s)", c.name)
		}

		// The same filter, paginated by 2.
		f := c.f
		f.Limit = 2
		got, _ := s.listAll(t, ctx, st, tenant, f)
		require.Equal(t, orderIDs(want), orderIDs(got), "ListOrders filter %s, paginated", c.name)
	}
}

func (s lister) listPagination(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	st := s.store(t)
	tenant := tenantName("pages")
	orders := orderSet(t, ctx, st, tenant, 20)

	for _, limit := range []int{1, 3, 7, 19, 20, 21} {
		got, pages := s.listAll(t, ctx, st, tenant, storage.OrderFilter{Limit: limit})
		require.Equal(t, orderIDs(orders), orderIDs(got), "pages of %d", limit)
		require.LessOrEqual(t, pages, (len(orders)+limit-1)/limit+1, "pages of %d", limit)
	}

	// The first page of 3 is the first 3 orders; the cursor continues it.
	var page storage.OrderPage
	inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
		var err error
		page, err = s.list(ctx, tx, storage.OrderFilter{Limit: 3})
		return err
	})
	require.Equal(t, orderIDs(orders[:3]), orderIDs(page.Orders))
	require.NotEmpty(t, page.Next)
	inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
		next, err := s.list(ctx, tx, storage.OrderFilter{Limit: 3, Cursor: page.Next})
		require.NoError(t, err)
		require.Equal(t, orderIDs(orders[3:6]), orderIDs(next.Orders))
		// A cursor is reusable.
		again, err := s.list(ctx, tx, storage.OrderFilter{Limit: 3, Cursor: page.Next})
		require.NoError(t, err)
		require.Equal(t, orderIDs(next.Orders), orderIDs(again.Orders))
		return nil
	})

	// A zero or negative limit means 100.
	more := orderSet(t, ctx, st, tenant, 90)
	all := append(slices.Clone(orders), more...)
	sortOrders(all)
	for _, limit := range []int{0, -1} {
		inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
			p, err := s.list(ctx, tx, storage.OrderFilter{Limit: limit})
			require.NoError(t, err)
			require.Equal(t, orderIDs(all[:100]), orderIDs(p.Orders), "limit %d means 100", limit)
			require.NotEmpty(t, p.Next)
			rest, err := s.list(ctx, tx, storage.OrderFilter{Limit: limit, Cursor: p.Next})
			require.NoError(t, err)
			require.Equal(t, orderIDs(all[100:]), orderIDs(rest.Orders))
			return nil
		})
	}
}

func (s lister) listConcurrentInserts(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	st := s.store(t)
	tenant := tenantName("live")
	orders := orderSet(t, ctx, st, tenant, 20)

	// Writers insert orders created later while a reader pages through.
	var (
		wg       sync.WaitGroup
		inserted sync.Map
		stop     = make(chan struct{})
	)
	var seq int64
	var seqMu sync.Mutex
	nextTime := func() time.Time {
		seqMu.Lock()
		defer seqMu.Unlock()
		seq++
		return at(time.Hour + time.Duration(seq)*time.Second)
	}
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				o := buildOrder(t, tenant, nextTime(), chanWeb, fmt.Sprintf("w-%d", w))
				err := retryTx(ctx, st, tenant, func(tx storage.Tx) error { return storage.Orders(tx).Create(ctx, o) })
				if !assert.NoError(t, err) {
					return
				}
				inserted.Store(o.ID, true)
				if i > 50 {
					time.Sleep(time.Millisecond)
				}
			}
		}()
	}

	seen := map[uuid.UUID]int{}
	f := storage.OrderFilter{Limit: 3}
	for pages := 0; ; pages++ {
		require.Less(t, pages, 1000, "pagination does not end")
		// Interleave an insert of our own between pages.
		late := buildOrder(t, tenant, nextTime(), chanStore, "between-pages")
		require.NoError(t, retryTx(ctx, st, tenant, func(tx storage.Tx) error { return storage.Orders(tx).Create(ctx, late) }))
		inserted.Store(late.ID, true)

		var page storage.OrderPage
		inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
			var err error
			page, err = s.list(ctx, tx, f)
			return err
		})
		require.LessOrEqual(t, len(page.Orders), 3)
		for _, o := range page.Orders {
			seen[o.ID]++
		}
		if page.Next == "" || len(seen) >= 20+30 {
			break
		}
		f.Cursor = page.Next
	}
	close(stop)
	wg.Wait()

	for _, o := range orders {
		require.Equal(t, 1, seen[o.ID], "pre-existing order %s seen %d times", o.ID, seen[o.ID])
	}
	for id, n := range seen {
		require.Equal(t, 1, n, "order %s seen %d times", id, n)
		if !slices.Contains(orderIDs(orders), id) {
			_, ok := inserted.Load(id)
			require.True(t, ok, "ListOrders returned an order never stored: %s", id)
		}
	}
}

// BadCursors returns cursors that neither an adapter nor the fallback of
// storage.ListOrders produces: bad base64, base64 of garbage, of a wrong
// structure, of non-canonical numbers and IDs, and of overlong input.
// Adapters, and the fallback's fuzz target, seed their cursor fuzz targets
// with them.
func BadCursors() []string {
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	id := "0195a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
	return []string{
		"not a cursor", "%%%", "=", "====", "A", "AAAAA", "\x00", "\n",
		"eyJ4IjoxfQ",   // {"x":1}
		"MTIzOmFiYw",   // 123:abc
		"MTIzOmFiYw==", // padded
		b64("123"),     // no separator
		b64(":" + id),  // no time
		b64("123:"),    // no ID
		b64("123:" + id + ":x"),
		b64("123 " + id + " x"),
		b64("+123:" + id),
		b64("0123:" + id),
		b64("-0:" + id),
		b64("1e3:" + id),
		b64("123:" + strings.ToUpper(id)),
		b64("123:{" + id + "}"),
		b64("123:urn:uuid:" + id),
		b64("123:" + strings.ReplaceAll(id, "-", "")),
		b64("123:" + id + "\n"),
		b64(" 123:" + id),
		b64("9223372036854775808:" + id),
		b64("-9223372036854775809:" + id),
		b64("2025-03-01T12:00:00.000000000Z" + id),
		b64("2025-03-01T12:00:00Z " + id),
		b64("2025-03-01T12:00:00.000000000+01:00 " + id),
		b64("2025-02-30T12:00:00.000000000Z " + id),
		b64("2025-03-01T12:00:00.000000000Z " + strings.ToUpper(id)),
		b64("2025-03-01T12:00:00.000000000Z  " + id),
		b64("\x00\xff\xfe"),
		b64(strings.Repeat("9", 400) + ":" + id),
		strings.Repeat("A", 1<<16),
	}
}

func (s lister) listMalformedCursor(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	st := s.store(t)
	tenant := tenantName("cursor")
	orders := orderSet(t, ctx, st, tenant, 3)

	// A cursor the store returned works; every alteration of it is refused.
	var first storage.OrderPage
	inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
		var err error
		first, err = s.list(ctx, tx, storage.OrderFilter{Limit: 1})
		return err
	})
	require.NotEmpty(t, first.Next)
	good := first.Next
	bad := append(BadCursors(),
		good+"A", good+"AA", good+"=", good+"==", " "+good, good+" ", good+"\n", good[:len(good)-1],
		good[:len(good)-2], strings.ReplaceAll(good, "-", "+"), good+good)
	for _, c := range bad {
		if c == good {
			continue
		}
		var page storage.OrderPage
		err := txErr(ctx, st, tenant, func(tx storage.Tx) error {
			var err error
			page, err = s.list(ctx, tx, storage.OrderFilter{Cursor: c})
			return err
		})
		requireErrorIs(t, err, storage.ErrInvalidCursor, "ListOrders with the malformed cursor %q", c)
		require.Empty(t, page.Orders)
	}
	inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
		page, err := s.list(ctx, tx, storage.OrderFilter{Cursor: good})
		require.NoError(t, err)
		require.Equal(t, orderIDs(orders[1:]), orderIDs(page.Orders), "the store's own cursor still works")
		return nil
	})
}

// listLimits checks that Limit is clamped to [1, storage.MaxPageSize], with
// storage.DefaultPageSize for zero or negative, on every store alike.
func (s lister) listLimits(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	st := s.store(t)
	tenant := tenantName("limits")
	n := storage.MaxPageSize + 5
	var orders []*order.Order
	for i := range n {
		orders = append(orders, buildOrder(t, tenant, at(time.Duration(i)*time.Second), chanWeb, "c-1"))
	}
	for chunk := range slices.Chunk(orders, 250) {
		inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
			for _, o := range chunk {
				if err := storage.Orders(tx).Create(ctx, o); err != nil {
					return err
				}
			}
			return nil
		})
	}
	sortOrders(orders)

	cases := []struct {
		limit int
		want  int
	}{
		{math.MaxInt, storage.MaxPageSize},
		{math.MaxInt32, storage.MaxPageSize},
		{storage.MaxPageSize + 1, storage.MaxPageSize},
		{storage.MaxPageSize, storage.MaxPageSize},
		{storage.MaxPageSize - 1, storage.MaxPageSize - 1},
		{1, 1},
		{0, storage.DefaultPageSize},
		{-1, storage.DefaultPageSize},
		{math.MinInt32, storage.DefaultPageSize},
		{math.MinInt, storage.DefaultPageSize},
	}
	for _, c := range cases {
		f := storage.OrderFilter{Limit: c.limit}
		require.Equal(t, c.want, f.PageSize(), "PageSize of limit %d", c.limit)
		inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
			page, err := s.list(ctx, tx, f)
			require.NoError(t, err, "limit %d", c.limit)
			require.Equal(t, orderIDs(orders[:c.want]), orderIDs(page.Orders), "limit %d", c.limit)
			require.NotEmpty(t, page.Next, "limit %d", c.limit)
			rest, err := s.list(ctx, tx, storage.OrderFilter{Limit: c.limit, Cursor: page.Next})
			require.NoError(t, err, "limit %d, second page", c.limit)
			require.Equal(t, orderIDs(orders[c.want:min(n, 2*c.want)]), orderIDs(rest.Orders), "limit %d, second page", c.limit)
			return nil
		})
	}
	got, pages := s.listAll(t, ctx, st, tenant, storage.OrderFilter{Limit: math.MaxInt})
	require.Equal(t, orderIDs(orders), orderIDs(got))
	require.Equal(t, 2, pages)
}
