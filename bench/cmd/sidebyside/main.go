// Command sidebyside is the Go half of bench/sidebyside.sh: it drives
// concurrent callers placing 3-line orders for a fixed time and prints the
// orders per second, either through the engine (on PostgreSQL or a SQLite
// file) or, for SQLite, through a hand-written database/sql transaction
// doing the same statements as bench/pgbench/place.sql.
//
//	go run ./bench/cmd/sidebyside -mode engine-postgres -url postgres://... -callers 8 -seconds 10
//	go run ./bench/cmd/sidebyside -mode engine-sqlite -callers 8 -seconds 10
//	go run ./bench/cmd/sidebyside -mode hand-sqlite -callers 8 -seconds 10 -hot
//	go run ./bench/cmd/sidebyside -mode engine-postgres -cpuprofile cpu.out   # then go tool pprof cpu.out
//
// Every order has three lines of one unit: one SKU from each third of a
// catalogue of 150 (S-000..S-049, S-050..S-099, S-100..S-149), all stocked
// at one location; with -hot the first line is always the SKU HOT, so that
// every order reserves the same stock row. With -bulk N each call of a
// caller places N orders with one PlaceOrders (bulk intake). With -analyze
// (engine-postgres) the catalogue's tables (items, locations, stock levels)
// are analyzed after the stocking, as autovacuum analyzes a running
// system's, instead of being measured with no statistics yet; the tables
// orders go to stay new (analyzed empty, they would be planned as empty
// while they grow). With -http (engine modes) the engine is served by
// omshttp on a loopback port, and each order is a POST /orders (with
// -bulk, each call a POST /orders/batch), as a storefront or an importer
// calls a service: the figure to set beside a commerce platform's HTTP
// API (bench/medusa). With -stores N the tenant has N more locations, none
// holding the ordered SKUs, as a retailer's stores hold other goods; with
// -stocked-stores as well, each of them holds every SKU too (some of them
// nearer the buyers than WH-1), as a chain's stores hold its best sellers. The
// last line of output is "orders/s <rate> orders <n> errors <n>".
//
// Mode stock-postgres places nothing: it migrates the schema -schema
// names, stocks the catalogue there and prints "location <id>", for
// bench/pgbench/place_rows.sql to write an order's every row by hand in
// the engine's own tables; mode hand-sqlite-rows does the same on a
// SQLite file the adapter migrated, and with -one-tx in one transaction
// rather than two.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"
	_ "modernc.org/sqlite"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/postgres"
	"github.com/ordersmith/oms/storage/sqlite"
)

// skusPerThird is the number of SKUs each line draws from.
const skusPerThird = 50

// hotSKU is the SKU every order reserves with -hot.
const hotSKU = "HOT"

func main() {
	mode := flag.String("mode", "engine-postgres", "engine-postgres, engine-sqlite, hand-sqlite, hand-sqlite-rows or stock-postgres")
	dbURL := flag.String("url", os.Getenv("OMS_TEST_POSTGRES_URL"), "PostgreSQL URL (engine-postgres)")
	file := flag.String("file", "", "SQLite file (engine-sqlite, hand-sqlite); default: a new file in a temporary directory")
	callers := flag.Int("callers", 8, "concurrent callers")
	seconds := flag.Float64("seconds", 10, "seconds of load")
	hot := flag.Bool("hot", false, "every order reserves the same stock row")
	window := flag.Duration("batch-window", 0, "with a positive window, the engine combines concurrent placements (oms.WithPlacementBatching, batches of at most 64)")
	bulk := flag.Int("bulk", 1, "orders per call: above 1, the engine places them with one PlaceOrders (engine modes only)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the load (not the setup) to this file")
	analyze := flag.Bool("analyze", false, "engine-postgres: ANALYZE the catalogue's tables after stocking them, before the load")
	storeCount := flag.Int("stores", 0, "engine modes and stock-postgres: add this many store locations holding none of the ordered SKUs (a tenant of many stores)")
	oneTx := flag.Bool("one-tx", false, "hand-sqlite-rows: write the order's rows in one transaction, not two like the saga")
	stocked := flag.Bool("stocked-stores", false, "with -stores: each store holds every SKU as well")
	schema := flag.String("schema", "", "stock-postgres: the schema to migrate and stock, left in place")
	overHTTP := flag.Bool("http", false, "engine modes: place through omshttp on a loopback port (POST /orders, or /orders/batch with -bulk)")
	flag.Parse()
	cfg := config{mode: *mode, dbURL: *dbURL, file: *file, callers: *callers, d: time.Duration(*seconds * float64(time.Second)),
		hot: *hot, window: *window, bulk: *bulk, cpuProfile: *cpuProfile, analyze: *analyze, http: *overHTTP, schema: *schema,
		stores: stores{count: *storeCount, stocked: *stocked}, oneTx: *oneTx}
	if err := run(cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "sidebyside:", err)
		os.Exit(1)
	}
}

// config is what the flags ask for.
type config struct {
	mode, dbURL, file string
	callers           int
	d                 time.Duration
	hot               bool
	window            time.Duration
	bulk              int
	cpuProfile        string
	analyze           bool
	http              bool
	schema            string
	stores            stores
	oneTx             bool
}

// stores are the locations a tenant has besides WH-1.
type stores struct {
	count   int
	stocked bool // each holds every SKU
}

// placer places the orders of the given SKUs (one order per entry) and
// returns how many it placed and the first failure.
type placer func(ctx context.Context, orders [][3]string) (placed int, err error)

// run runs the load cfg asks for and writes its result line to w.
func run(cfg config, w io.Writer) error {
	ctx := context.Background()
	mode, file := cfg.mode, cfg.file
	if cfg.callers < 1 || cfg.d <= 0 {
		return errors.New("callers and seconds must be positive")
	}
	if cfg.bulk < 1 || cfg.bulk > oms.MaxPlaceBatch || (cfg.bulk > 1 && strings.HasPrefix(mode, "hand-")) {
		return fmt.Errorf("bulk must be from 1 to %d, and 1 for the hand-written modes", oms.MaxPlaceBatch)
	}
	if cfg.analyze && mode != "engine-postgres" {
		return errors.New("analyze is for engine-postgres only")
	}
	if cfg.http && strings.HasPrefix(mode, "hand-") {
		return errors.New("http is for the engine modes only")
	}
	if file == "" && mode != "engine-postgres" {
		dir, err := os.MkdirTemp("", "sidebyside-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		file = filepath.Join(dir, "bench.db")
	}
	if mode == "stock-postgres" {
		return stockSchema(ctx, cfg.dbURL, cfg.schema, cfg.stores, w)
	}
	var place placer
	switch mode {
	case "engine-postgres", "engine-sqlite":
		store, closeStore, analyze, err := openStore(ctx, mode, cfg.dbURL, file, cfg.callers)
		if err != nil {
			return err
		}
		defer closeStore()
		var stop func()
		if place, stop, err = engine(ctx, store, cfg); err != nil {
			return err
		}
		defer stop()
		if cfg.analyze {
			if err := analyze(ctx); err != nil {
				return fmt.Errorf("analyze: %w", err)
			}
		}
	case "hand-sqlite":
		db, err := handSQLite(ctx, file)
		if err != nil {
			return err
		}
		defer db.Close()
		place = func(ctx context.Context, orders [][3]string) (int, error) {
			if err := handPlace(ctx, db, orders[0]); err != nil {
				return 0, err
			}
			return 1, nil
		}
	case "hand-sqlite-rows":
		db, loc, err := rowsSQLite(ctx, file)
		if err != nil {
			return err
		}
		defer db.Close()
		place = func(ctx context.Context, orders [][3]string) (int, error) {
			if err := handPlaceRows(ctx, db, loc, orders[0], cfg.oneTx); err != nil {
				return 0, err
			}
			return 1, nil
		}
	default:
		return fmt.Errorf("unknown mode %q", mode)
	}
	if cfg.cpuProfile != "" {
		f, err := os.Create(cfg.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	orders, failed, elapsed := load(ctx, cfg, place)
	if cfg.cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	fmt.Fprintf(w, "orders/s %.1f orders %d errors %d\n", float64(orders)/elapsed.Seconds(), orders, failed)
	if failed > 0 {
		return fmt.Errorf("%d orders failed", failed)
	}
	return nil
}

// load runs cfg.callers goroutines placing cfg.bulk orders per call for
// cfg.d and returns the orders placed, the failures (the first is printed)
// and the time taken.
func load(ctx context.Context, cfg config, place placer) (orders, failed int64, elapsed time.Duration) {
	var ok, bad atomic.Int64
	var once sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(cfg.d)
	for range cfg.callers {
		wg.Go(func() {
			batch := make([][3]string, cfg.bulk)
			for time.Now().Before(deadline) {
				for i := range batch {
					batch[i] = pick(cfg.hot)
				}
				n, err := place(ctx, batch)
				ok.Add(int64(n))
				bad.Add(int64(len(batch) - n))
				if err != nil {
					once.Do(func() { fmt.Fprintln(os.Stderr, "sidebyside: first failure:", err) })
				}
			}
		})
	}
	wg.Wait()
	return ok.Load(), bad.Load(), time.Since(start)
}

// pick returns the SKUs of one order, in ascending order (so that the
// hand-written transactions lock rows in one global order, as the engine
// does).
func pick(hot bool) [3]string {
	skus := [3]string{sku(rand.IntN(skusPerThird)), sku(skusPerThird + rand.IntN(skusPerThird)), sku(2*skusPerThird + rand.IntN(skusPerThird))}
	if hot {
		skus[0] = hotSKU
	}
	return skus
}

func sku(i int) string { return fmt.Sprintf("S-%03d", i) }

// allSKUs returns the catalogue: HOT and S-000..S-149.
func allSKUs() []string {
	out := []string{hotSKU}
	for i := range 3 * skusPerThird {
		out = append(out, sku(i))
	}
	return out
}

// openStore opens the engine's store: a fresh schema of its own on
// PostgreSQL (dropped by the returned close), with a pool of callers
// connections unless the URL sets pool_max_conns, or a SQLite file. On
// PostgreSQL, analyze analyzes the catalogue's tables.
func openStore(ctx context.Context, mode, dbURL, file string, callers int) (storage.Store, func(), func(context.Context) error, error) {
	if mode == "engine-sqlite" {
		st, err := sqlite.Open(ctx, file, sqlite.Options{})
		if err != nil {
			return nil, nil, nil, err
		}
		return st, func() { _ = st.Close() }, nil, nil
	}
	if dbURL == "" {
		return nil, nil, nil, errors.New("engine-postgres needs -url or OMS_TEST_POSTGRES_URL")
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("url: %w", err)
	}
	q := u.Query()
	if q.Get("pool_max_conns") == "" {
		q.Set("pool_max_conns", fmt.Sprint(callers))
		u.RawQuery = q.Encode()
	}
	schema := fmt.Sprintf("bench_engine_%d", time.Now().UnixNano())
	st, err := postgres.Open(ctx, postgres.Config{URL: u.String(), Schema: schema})
	if err != nil {
		return nil, nil, nil, err
	}
	closeStore := func() {
		st.Close()
		if err := onSchema(ctx, dbURL, schema, dropSchema); err != nil {
			fmt.Fprintln(os.Stderr, "sidebyside: drop schema:", err)
		}
	}
	analyze := func(ctx context.Context) error {
		return onSchema(ctx, dbURL, schema, analyzeTables("items", "locations", "stock_levels"))
	}
	return st, closeStore, analyze, nil
}

// onSchema runs do on a connection of its own to dbURL.
func onSchema(ctx context.Context, dbURL, schema string, do func(context.Context, *pgx.Conn, string) error) error {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	return do(ctx, conn, schema)
}

// dropSchema drops schema and everything in it.
func dropSchema(ctx context.Context, conn *pgx.Conn, schema string) error {
	_, err := conn.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
	return err
}

// analyzeTables returns a function analyzing the tables of a schema.
func analyzeTables(tables ...string) func(context.Context, *pgx.Conn, string) error {
	return func(ctx context.Context, conn *pgx.Conn, schema string) error {
		for _, t := range tables {
			if _, err := conn.Exec(ctx, "ANALYZE "+pgx.Identifier{schema, t}.Sanitize()); err != nil {
				return err
			}
		}
		return nil
	}
}

// stockCatalogue adds the location WH-1 and the catalogue's items to eng,
// each with 2^40 units on hand there, and the locations of st, and returns
// WH-1's ID.
func stockCatalogue(ctx context.Context, eng *oms.Engine, st stores) (uuid.UUID, error) {
	loc, err := eng.AddLocation(ctx, oms.DefaultTenant, oms.AddLocationRequest{Code: "WH-1", Name: "WH-1",
		Coordinates: inventory.Coordinates{Lat: 50, Lon: 10}})
	if err != nil {
		return uuid.Nil, err
	}
	for _, s := range allSKUs() {
		if err := eng.AddItem(ctx, oms.DefaultTenant, oms.AddItemRequest{SKU: s}); err != nil {
			return uuid.Nil, err
		}
		if _, err := eng.ReceiveStock(ctx, oms.DefaultTenant, oms.StockChangeRequest{SKU: s, LocationID: loc.ID, Quantity: 1 << 40}); err != nil {
			return uuid.Nil, err
		}
	}
	for i := range st.count {
		store, err := eng.AddLocation(ctx, oms.DefaultTenant, oms.AddLocationRequest{Code: fmt.Sprintf("ST-%04d", i),
			Name: fmt.Sprintf("Store %d", i), Coordinates: inventory.Coordinates{Lat: 48 + float64(i%40)/10, Lon: 8 + float64(i/40)/10}})
		if err != nil {
			return uuid.Nil, err
		}
		for _, s := range allSKUs() {
			if !st.stocked {
				break
			}
			if _, err := eng.ReceiveStock(ctx, oms.DefaultTenant, oms.StockChangeRequest{SKU: s, LocationID: store.ID, Quantity: 1 << 40}); err != nil {
				return uuid.Nil, err
			}
		}
	}
	return loc.ID, nil
}

// stockSchema migrates schema on dbURL, stocks the catalogue there through
// the engine and writes "location <id>" to w, leaving the schema in place
// for hand-written SQL on the engine's own tables (bench/pgbench/place_rows.sql).
func stockSchema(ctx context.Context, dbURL, schema string, more stores, w io.Writer) error {
	if dbURL == "" || schema == "" {
		return errors.New("stock-postgres needs -url (or OMS_TEST_POSTGRES_URL) and -schema")
	}
	st, err := postgres.Open(ctx, postgres.Config{URL: dbURL, Schema: schema})
	if err != nil {
		return err
	}
	defer st.Close()
	eng, err := oms.New(oms.WithStore(st))
	if err != nil {
		return err
	}
	loc, err := stockCatalogue(ctx, eng, more)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "location %s\n", loc)
	return err
}

// engine stocks the catalogue at one location through the engine on store
// and returns a placement of 3-line orders, one unit per line: one order
// with PlaceOrder, several with one PlaceOrders, or, with cfg.http, the
// same through omshttp; stop ends what it started.
func engine(ctx context.Context, store storage.Store, cfg config) (place placer, stop func(), err error) {
	opts := []oms.Option{oms.WithStore(store), oms.WithGateway("sandbox", payment.NewSandbox())}
	if cfg.window > 0 {
		opts = append(opts, oms.WithPlacementBatching(cfg.window, 64))
	}
	eng, err := oms.New(opts...)
	if err != nil {
		return nil, nil, err
	}
	if _, err := stockCatalogue(ctx, eng, cfg.stores); err != nil {
		return nil, nil, err
	}
	var seq atomic.Int64
	prices := [3]money.Money{money.MustParse("9.99", "EUR"), money.MustParse("19.99", "EUR"), money.MustParse("4.25", "EUR")}
	request := func(skus [3]string) oms.PlaceOrderRequest {
		lines := make([]order.DraftLine, 3)
		for i, s := range skus {
			lines[i] = order.DraftLine{SKU: s, Quantity: 1, UnitPrice: prices[i]}
		}
		return oms.PlaceOrderRequest{
			Order: order.Draft{
				Channel:     order.Channel{Kind: order.ChannelWeb, Name: "bench"},
				ExternalRef: fmt.Sprintf("SBS-%d", seq.Add(1)),
				Customer:    order.Customer{ID: "bench"},
				ShippingAddress: order.Address{Name: "Bench", Line1: "1 Main St", City: "Frankfurt",
					PostalCode: "60311", Country: "DE", Geo: &order.GeoPoint{Lat: 50.1, Lon: 8.7}},
				Currency:       "EUR",
				Lines:          lines,
				ShippingCharge: money.MustParse("4.95", "EUR"),
				TaxRate:        decimal.RequireFromString("0.19"),
			},
			Payment: oms.PaymentMethod{Token: payment.TokenApprove},
		}
	}
	if cfg.http {
		return overHTTP(eng, cfg.callers, request)
	}
	return func(ctx context.Context, orders [][3]string) (int, error) {
		if len(orders) == 1 {
			if _, err := eng.PlaceOrder(ctx, oms.DefaultTenant, request(orders[0])); err != nil {
				return 0, err
			}
			return 1, nil
		}
		reqs := make([]oms.PlaceOrderRequest, len(orders))
		for i, skus := range orders {
			reqs[i] = request(skus)
		}
		outs, err := eng.PlaceOrders(ctx, oms.DefaultTenant, reqs)
		if err != nil {
			return 0, err
		}
		placed := 0
		for _, o := range outs {
			if o.Err == nil {
				placed++
			} else if err == nil {
				err = o.Err
			}
		}
		return placed, err
	}, func() {}, nil
}
