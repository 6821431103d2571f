// Command flashsale measures ordersmith under a seasonal-peak burst: many
// buyers try at once to buy a few hundred units of a limited product,
// spread over three warehouses, through one or more engine instances that
// share a store. It reports how many orders were placed and how many buyers
// were turned away as sold out, the stock left at each warehouse, the
// throughput and the latency of PlaceOrder, and it checks the invariants:
// nothing oversold, exactly the stock sold when buyers outnumber it, no
// unexpected error, and no trace left by the buyers turned away. It exits
// non-zero when a check fails.
//
//	go run ./examples/flashsale                                  # in memory: 2000 buyers, 500 units
//	go run ./examples/flashsale -store /tmp/flashsale.db         # a SQLite file
//	go run ./examples/flashsale -store 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable' -instances 2
//	go run ./examples/flashsale -buyers 10000 -stock 1000 -concurrency 256 -lines 3
//
// Each run uses a tenant of its own (flashsale-<time>), so runs on a durable
// store do not collide. On PostgreSQL every instance opens its own
// connection pool, as separate app processes would; size the pools with
// pool_max_conns in the URL (pgxpool's default is max(4, number of CPUs)).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/examples/internal/storeflag"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/storage"
)

func main() {
	var cfg config
	flag.StringVar(&cfg.Store, "store", "memory", `where to keep the data: "memory", a SQLite file path (e.g. flashsale.db), or a PostgreSQL URL (postgres://...)`)
	flag.IntVar(&cfg.Buyers, "buyers", 2000, "number of buyers, each placing one order")
	flag.Int64Var(&cfg.Stock, "stock", 500, "units of each SKU on sale, spread over 3 warehouses")
	flag.IntVar(&cfg.Instances, "instances", 1, "number of engine instances sharing the store (on PostgreSQL each opens its own pool)")
	flag.IntVar(&cfg.Concurrency, "concurrency", 64, "number of buyers in flight at once")
	flag.IntVar(&cfg.Lines, "lines", 1, "SKUs per order (1 unit each)")
	flag.DurationVar(&cfg.BatchWindow, "batch-window", 0, "with a positive window, concurrent placements share their transactions (oms.WithPlacementBatching, batches of at most 64)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	_, err := run(ctx, os.Stdout, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "flashsale:", err)
		stop()
		os.Exit(1)
	}
}

// config is what a run does; main fills it from the flags.
type config struct {
	// Store names the store as storeflag.Open takes it; empty means memory.
	Store string
	// Buyers is the number of buyers, each placing one order.
	Buyers int
	// Stock is the number of units of each SKU, spread over the warehouses.
	Stock int64
	// Instances is the number of engines sharing the store.
	Instances int
	// Concurrency is the number of buyers in flight at once.
	Concurrency int
	// Lines is the number of SKUs per order, one unit each.
	Lines int
	// BatchWindow, when positive, turns on oms.WithPlacementBatching with
	// this window and batches of at most 64.
	BatchWindow time.Duration
	// Tenant owns everything the run creates; empty means a fresh
	// "flashsale-<time>".
	Tenant string
}

// result is what a run measured and found.
type result struct {
	Tenant  string
	Placed  int
	SoldOut int
	Other   int
	// Errors holds up to maxErrors distinct messages of the other errors.
	Errors []string
	// Levels is the final stock, ordered by SKU and warehouse code.
	Levels []level
	// Orders counts the tenant's orders in the store by status.
	Orders map[order.Status]int
	// Failures lists every invariant that does not hold.
	Failures []string
	// EngineLog counts the engines' log records (conflict retries, ...)
	// by message.
	EngineLog map[string]int
	Wall      time.Duration
	// Latency summarizes every PlaceOrder call; PlacedLatency and
	// SoldOutLatency the calls of each outcome.
	Latency, PlacedLatency, SoldOutLatency latency
}

// level is one SKU's final stock at one warehouse.
type level struct {
	SKU, Location               string
	OnHand, Reserved, Available int64
}

// latency summarizes call durations.
type latency struct {
	N                  int
	P50, P95, P99, Max time.Duration
}

const maxErrors = 5

// warehouses hold the stock; buyers live in cities around them, so the
// nearest-warehouse allocator spreads the demand and overflows to the next
// warehouse when the nearest sells out.
var (
	warehouses = []oms.AddLocationRequest{
		{Code: "BER", Name: "Berlin", Coordinates: inventory.Coordinates{Lat: 52.52, Lon: 13.405}},
		{Code: "HAM", Name: "Hamburg", Coordinates: inventory.Coordinates{Lat: 53.55, Lon: 9.993}, Priority: 1},
		{Code: "MUC", Name: "Munich", Coordinates: inventory.Coordinates{Lat: 48.137, Lon: 11.575}, Priority: 2},
	}
	cities = []struct {
		name, postcode string
		geo            order.GeoPoint
	}{
		{"Berlin", "10115", order.GeoPoint{Lat: 52.52, Lon: 13.405}},
		{"Hamburg", "20095", order.GeoPoint{Lat: 53.55, Lon: 9.993}},
		{"München", "80331", order.GeoPoint{Lat: 48.137, Lon: 11.575}},
		{"Köln", "50667", order.GeoPoint{Lat: 50.938, Lon: 6.96}},
		{"Frankfurt am Main", "60311", order.GeoPoint{Lat: 50.11, Lon: 8.682}},
		{"Stuttgart", "70173", order.GeoPoint{Lat: 48.776, Lon: 9.183}},
		{"Leipzig", "04109", order.GeoPoint{Lat: 51.34, Lon: 12.375}},
		{"Hannover", "30159", order.GeoPoint{Lat: 52.375, Lon: 9.732}},
	}
	unitPrice = money.MustParse("19.99", "EUR")
	taxRate   = decimal.RequireFromString("0.19")
)

// outcome is what one buyer's PlaceOrder call ended in.
type outcome struct {
	took time.Duration
	err  error
}

func (c config) validate() error {
	var bad []string
	if c.Buyers < 1 {
		bad = append(bad, "-buyers must be at least 1")
	}
	if c.Stock < 0 {
		bad = append(bad, "-stock must not be negative")
	}
	if c.Instances < 1 {
		bad = append(bad, "-instances must be at least 1")
	}
	if c.Concurrency < 1 {
		bad = append(bad, "-concurrency must be at least 1")
	}
	if c.Lines < 1 || c.Lines > 100 {
		bad = append(bad, "-lines must be between 1 and 100")
	}
	if len(bad) > 0 {
		return errors.New(strings.Join(bad, "; "))
	}
	return nil
}

// run sets up the sale on a fresh tenant, lets cfg.Buyers buyers place
// their orders cfg.Concurrency at a time through cfg.Instances engines,
// writes the report to w and checks the invariants. It returns an error
// when the set-up fails, when a buyer got an error other than sold out, or
// when an invariant does not hold; the result is filled as far as the run
// got.
func run(ctx context.Context, w io.Writer, cfg config) (result, error) {
	var res result
	if err := cfg.validate(); err != nil {
		return res, err
	}
	if cfg.Store == "" {
		cfg.Store = "memory"
	}
	res.Tenant = cfg.Tenant
	if res.Tenant == "" {
		res.Tenant = "flashsale-" + time.Now().UTC().Format("20060102T150405.000000")
	}
	p := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }

	logs := &logCounter{n: make(map[string]int)}
	engines, closeAll, err := openEngines(ctx, cfg, slog.New(logs))
	if err != nil {
		return res, err
	}
	defer closeAll()

	p("flash sale: %d buyers, each buying 1 unit of each of %d SKU(s); %d units per SKU over %d warehouses",
		cfg.Buyers, cfg.Lines, cfg.Stock, len(warehouses))
	p("store %s, %d engine instance(s), %d buyers in flight, tenant %s",
		describeStore(cfg.Store), cfg.Instances, cfg.Concurrency, res.Tenant)

	skus, locName, err := setUp(ctx, engines[0], res.Tenant, cfg)
	if err != nil {
		return res, fmt.Errorf("set up the sale: %w", err)
	}

	outcomes, wall := burst(ctx, engines, res.Tenant, skus, cfg)
	res.Wall = wall
	res.EngineLog = logs.counts()
	if err := ctx.Err(); err != nil {
		return res, fmt.Errorf("interrupted: %w", err)
	}
	var all, placed, soldOut []time.Duration
	seen := make(map[string]bool)
	for _, o := range outcomes {
		all = append(all, o.took)
		switch {
		case o.err == nil:
			res.Placed++
			placed = append(placed, o.took)
		case errors.Is(o.err, inventory.ErrInsufficientStock):
			res.SoldOut++
			soldOut = append(soldOut, o.took)
		default:
			res.Other++
			if msg := o.err.Error(); !seen[msg] && len(res.Errors) < maxErrors {
				seen[msg] = true
				res.Errors = append(res.Errors, msg)
			}
		}
	}
	res.Latency, res.PlacedLatency, res.SoldOutLatency = summarize(all), summarize(placed), summarize(soldOut)

	p("")
	p("placed       %6d", res.Placed)
	p("sold out     %6d", res.SoldOut)
	p("other errors %6d", res.Other)
	for _, msg := range res.Errors {
		p("  error: %s", msg)
	}

	if err := check(ctx, engines[0], &res, cfg, skus, locName); err != nil {
		return res, fmt.Errorf("read the final state: %w", err)
	}
	p("")
	p("%-16s %8s %8s %9s", "stock", "on hand", "reserved", "available")
	for _, l := range res.Levels {
		p("%-16s %8d %8d %9d", l.SKU+" @ "+l.Location, l.OnHand, l.Reserved, l.Available)
	}
	var statuses []string
	for _, s := range slices.Sorted(maps.Keys(res.Orders)) {
		statuses = append(statuses, fmt.Sprintf("%d %s", res.Orders[s], s))
	}
	if len(statuses) == 0 {
		statuses = []string{"none"}
	}
	p("orders in the store: %s", strings.Join(statuses, ", "))
	oversold := false
	for _, f := range res.Failures {
		if strings.HasPrefix(f, "oversold") {
			oversold = true
		}
	}
	if !oversold {
		p("oversold: none (reserved never above on hand; %d orders placed for %d units per SKU)", res.Placed, cfg.Stock)
	}
	for _, f := range res.Failures {
		p("FAILED: %s", f)
	}

	secs := wall.Seconds()
	p("")
	p("wall time    %s", wall.Round(time.Millisecond))
	p("throughput   %.0f orders/s attempted, %.0f orders/s placed", float64(len(outcomes))/secs, float64(res.Placed)/secs)
	p("latency      %s  (all %d calls)", res.Latency, res.Latency.N)
	p("  placed     %s", res.PlacedLatency)
	p("  sold out   %s", res.SoldOutLatency)
	msgs := slices.Sorted(maps.Keys(res.EngineLog))
	if len(msgs) == 0 {
		p("engine log   nothing logged")
	}
	for _, m := range msgs {
		p("engine log   %d x %q", res.EngineLog[m], m)
	}

	switch {
	case res.Other > 0 && len(res.Failures) > 0:
		return res, fmt.Errorf("%d unexpected error(s), and %d invariant(s) failed: %s", res.Other, len(res.Failures), strings.Join(res.Failures, "; "))
	case res.Other > 0:
		return res, fmt.Errorf("%d unexpected error(s), the first: %s", res.Other, res.Errors[0])
	case len(res.Failures) > 0:
		return res, fmt.Errorf("%d invariant(s) failed: %s", len(res.Failures), strings.Join(res.Failures, "; "))
	}
	p("ok: every check passed")
	return res, nil
}

// openEngines returns cfg.Instances engines logging to log, on the store
// cfg.Store names: one store value shared by all of them, except on
// PostgreSQL, where each opens its own, as separate processes would.
func openEngines(ctx context.Context, cfg config, log *slog.Logger) ([]*oms.Engine, func(), error) {
	var closers []func()
	closeAll := func() {
		for _, c := range slices.Backward(closers) {
			c()
		}
	}
	var shared storage.Store
	engines := make([]*oms.Engine, 0, cfg.Instances)
	for range cfg.Instances {
		store := shared
		if store == nil {
			s, closeStore, err := storeflag.Open(ctx, cfg.Store)
			if err != nil {
				closeAll()
				return nil, nil, err
			}
			closers = append(closers, closeStore)
			store = s
			if !storeflag.IsPostgres(cfg.Store) {
				shared = s
			}
		}
		opts := []oms.Option{oms.WithStore(store), oms.WithGateway("sandbox", payment.NewSandbox()), oms.WithLogger(log)}
		if cfg.BatchWindow > 0 {
			opts = append(opts, oms.WithPlacementBatching(cfg.BatchWindow, 64))
		}
		eng, err := oms.New(opts...)
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		engines = append(engines, eng)
	}
	return engines, closeAll, nil
}

// setUp creates the warehouses and the SKUs on sale and receives the stock,
// spread as evenly as it goes over the warehouses. It returns the SKUs and
// the warehouse codes by ID.
func setUp(ctx context.Context, eng *oms.Engine, tenant string, cfg config) ([]string, map[string]string, error) {
	locName := make(map[string]string)
	var locs []*inventory.Location
	for _, req := range warehouses {
		loc, err := eng.AddLocation(ctx, tenant, req)
		if err != nil {
			return nil, nil, err
		}
		locs = append(locs, loc)
		locName[loc.ID.String()] = loc.Code
	}
	skus := make([]string, cfg.Lines)
	for i := range skus {
		skus[i] = fmt.Sprintf("FLASH-%d", i+1)
		if err := eng.AddItem(ctx, tenant, oms.AddItemRequest{SKU: skus[i], Name: fmt.Sprintf("Flash-sale item %d", i+1)}); err != nil {
			return nil, nil, err
		}
		for j, loc := range locs {
			qty := cfg.Stock / int64(len(locs))
			if int64(j) < cfg.Stock%int64(len(locs)) {
				qty++
			}
			if qty == 0 {
				continue
			}
			_, err := eng.ReceiveStock(ctx, tenant, oms.StockChangeRequest{SKU: skus[i], LocationID: loc.ID, Quantity: qty, Reason: "flash-sale stock"})
			if err != nil {
				return nil, nil, err
			}
		}
	}
	return skus, locName, nil
}

// burst lets every buyer place one order, cfg.Concurrency at a time, buyer
// i through engine i mod len(engines), and returns each buyer's outcome and
// the wall time from the first call to the last return.
func burst(ctx context.Context, engines []*oms.Engine, tenant string, skus []string, cfg config) ([]outcome, time.Duration) {
	outcomes := make([]outcome, cfg.Buyers)
	next := make(chan int)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range min(cfg.Concurrency, cfg.Buyers) {
		wg.Go(func() {
			<-start
			for i := range next {
				req := buyerOrder(i, skus)
				t0 := time.Now()
				o, err := engines[i%len(engines)].PlaceOrder(ctx, tenant, req)
				took := time.Since(t0)
				if err == nil && o.Status != order.StatusConfirmed {
					err = fmt.Errorf("order %s placed but %s", o.ID, o.Status)
				}
				outcomes[i] = outcome{took: took, err: err}
			}
		})
	}
	t0 := time.Now()
	close(start)
	for i := range cfg.Buyers {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return outcomes, time.Since(t0)
}

// buyerOrder is buyer i's order: one unit of each SKU, shipped to one of
// the cities, with a channel reference unique within the tenant.
func buyerOrder(i int, skus []string) oms.PlaceOrderRequest {
	c := cities[i%len(cities)]
	geo := c.geo
	lines := make([]order.DraftLine, len(skus))
	for j, sku := range skus {
		lines[j] = order.DraftLine{SKU: sku, Quantity: 1, UnitPrice: unitPrice}
	}
	name := fmt.Sprintf("Buyer %d", i+1)
	return oms.PlaceOrderRequest{
		Order: order.Draft{
			Channel:     order.Channel{Kind: order.ChannelWeb, Name: "flashsale"},
			ExternalRef: fmt.Sprintf("FS-%06d", i+1),
			Customer:    order.Customer{ID: fmt.Sprintf("buyer-%d", i+1), Name: name, Email: fmt.Sprintf("buyer%d@example.com", i+1)},
			ShippingAddress: order.Address{Name: name, Line1: fmt.Sprintf("Hauptstraße %d", i%200+1),
				City: c.name, PostalCode: c.postcode, Country: "DE", Geo: &geo},
			Currency: "EUR",
			Lines:    lines,
			TaxRate:  taxRate,
		},
		Payment: oms.PaymentMethod{Token: payment.TokenApprove},
	}
}

// check reads the final stock and orders into res and appends to
// res.Failures every invariant that does not hold.
func check(ctx context.Context, eng *oms.Engine, res *result, cfg config, skus []string, locName map[string]string) error {
	levels, err := eng.StockLevels(ctx, res.Tenant, skus...)
	if err != nil {
		return err
	}
	fail := func(format string, args ...any) { res.Failures = append(res.Failures, fmt.Sprintf(format, args...)) }
	onHand := make(map[string]int64)
	reserved := make(map[string]int64)
	for _, l := range levels {
		code := locName[l.LocationID.String()]
		res.Levels = append(res.Levels, level{SKU: l.SKU, Location: code, OnHand: l.OnHand, Reserved: l.Reserved, Available: l.Available()})
		onHand[l.SKU] += l.OnHand
		reserved[l.SKU] += l.Reserved
		if l.Reserved > l.OnHand {
			fail("oversold: %s @ %s has %d reserved but %d on hand", l.SKU, code, l.Reserved, l.OnHand)
		}
		if l.Reserved < 0 || l.OnHand < 0 {
			fail("negative stock: %s @ %s has %d on hand, %d reserved", l.SKU, code, l.OnHand, l.Reserved)
		}
	}
	sort.Slice(res.Levels, func(i, j int) bool {
		a, b := res.Levels[i], res.Levels[j]
		if a.SKU != b.SKU {
			return a.SKU < b.SKU
		}
		return a.Location < b.Location
	})

	want := min(int64(cfg.Buyers), cfg.Stock)
	switch placed := int64(res.Placed); {
	case placed > cfg.Stock:
		fail("oversold: %d orders placed for %d units", placed, cfg.Stock)
	case placed < want && res.Other == 0:
		fail("%d buyers turned away as sold out while %d units were left", int64(res.SoldOut)-(int64(cfg.Buyers)-want), want-placed)
	}
	for _, sku := range skus {
		if onHand[sku] != cfg.Stock {
			fail("%s: %d on hand, want the %d received (nothing shipped)", sku, onHand[sku], cfg.Stock)
		}
		if reserved[sku] != int64(res.Placed) {
			fail("%s: %d reserved, want one per placed order (%d)", sku, reserved[sku], res.Placed)
		}
	}

	res.Orders = make(map[order.Status]int)
	cursor := ""
	for {
		page, err := eng.ListOrders(ctx, res.Tenant, storage.OrderFilter{Limit: 1000, Cursor: cursor})
		if err != nil {
			return err
		}
		for _, o := range page.Orders {
			res.Orders[o.Status]++
		}
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	for s, n := range res.Orders {
		if s != order.StatusConfirmed {
			fail("%d order(s) left %s: a buyer turned away must leave no order", n, s)
		}
	}
	if n := res.Orders[order.StatusConfirmed]; n != res.Placed {
		fail("%d confirmed orders in the store, want one per placed order (%d)", n, res.Placed)
	}
	return nil
}

// summarize returns the percentiles of ds (nearest rank).
func summarize(ds []time.Duration) latency {
	if len(ds) == 0 {
		return latency{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	at := func(q float64) time.Duration { return s[int(math.Ceil(q*float64(len(s))))-1] }
	return latency{N: len(s), P50: at(0.50), P95: at(0.95), P99: at(0.99), Max: s[len(s)-1]}
}

// String formats the summary for the report.
func (l latency) String() string {
	if l.N == 0 {
		return "no calls"
	}
	// Three significant digits.
	r := func(d time.Duration) time.Duration {
		unit := time.Microsecond
		for d >= 1000*unit {
			unit *= 10
		}
		return d.Round(unit)
	}
	return fmt.Sprintf("p50 %v  p95 %v  p99 %v  max %v", r(l.P50), r(l.P95), r(l.P99), r(l.Max))
}

// describeStore names the store for the report, without a password.
func describeStore(spec string) string {
	switch {
	case spec == "memory":
		return "memory"
	case storeflag.IsPostgres(spec):
		if u, err := url.Parse(spec); err == nil {
			return "PostgreSQL " + u.Redacted()
		}
		return "PostgreSQL"
	default:
		return "SQLite " + strings.TrimPrefix(spec, "sqlite:")
	}
}

// logCounter is a slog.Handler that counts records by message, at every
// level: the engine logs each retry after a conflict at debug level.
type logCounter struct {
	mu sync.Mutex
	n  map[string]int
}

// Enabled reports that every level is counted.
func (c *logCounter) Enabled(context.Context, slog.Level) bool { return true }

// Handle counts r.
func (c *logCounter) Handle(_ context.Context, r slog.Record) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n[r.Message]++
	return nil
}

// WithAttrs returns c: attributes do not change the count.
func (c *logCounter) WithAttrs([]slog.Attr) slog.Handler { return c }

// WithGroup returns c: groups do not change the count.
func (c *logCounter) WithGroup(string) slog.Handler { return c }

// counts returns the counts so far by message.
func (c *logCounter) counts() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.n)
}
