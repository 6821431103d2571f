// Command httpservice is a runnable order management service: the
// omshttp endpoints and their OpenAPI document, the operations page at
// /ops/, the outbox relay and the recovery sweep in the background, on
// SQLite by default or on PostgreSQL.
//
//	go run ./examples/httpservice                              # SQLite file httpservice.db here
//	go run ./examples/httpservice -db /tmp/oms.db -addr :9090
//	go run ./examples/httpservice -postgres postgres://postgres@127.0.0.1:5432/postgres
//
// On its first start it seeds a demo catalogue (SKUs MUG-BLK and TEE-M,
// 100 units each at location DEMO-WH), idempotently, so the README's curl
// calls work. SIGINT or SIGTERM shuts it down gracefully: the server stops
// taking requests and finishes the ones in flight, then the background
// loops stop and the store closes.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/address"
	"github.com/ordersmith/oms/examples/internal/storeflag"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/omshttp"
	"github.com/ordersmith/oms/omshttp/opspage"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/shipping"
	"github.com/ordersmith/oms/storage"
)

// maxTimeScale bounds -time-scale so that the scaled durations below
// (a day times the scale) fit in a time.Duration.
const maxTimeScale = 100_000

type config struct {
	addr, db, postgres string
	timeScale          int64
	recoverEvery       time.Duration
}

func main() {
	var c config
	flag.StringVar(&c.addr, "addr", "127.0.0.1:8080", "the address to listen on (port 0: any free port; the address is printed)")
	flag.StringVar(&c.db, "db", "httpservice.db", "the SQLite file to keep the data in (created when missing)")
	flag.StringVar(&c.postgres, "postgres", "", "a PostgreSQL URL (postgres://...) to use instead of SQLite")
	flag.Int64Var(&c.timeScale, "time-scale", 1, fmt.Sprintf("run the engine's clock this many times faster than real time, 1 to %d (for demos and tests: the sandbox carrier delivers on that clock)", maxTimeScale))
	flag.DurationVar(&c.recoverEvery, "recover-every", 30*time.Second, "how often the recovery sweep runs")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, c, os.Stdout, log); err != nil {
		log.Error("httpservice: failed", "err", err)
		os.Exit(1)
	}
}

// scaledClock returns a clock that starts at the real time and runs scale
// times faster; it saturates instead of overflowing.
func scaledClock(scale int64) func() time.Time {
	start := time.Now()
	return func() time.Time {
		el := time.Since(start)
		if scale > 1 && el > time.Duration(math.MaxInt64/scale) {
			el = time.Duration(math.MaxInt64)
		} else {
			el *= time.Duration(scale)
		}
		return start.Add(el).UTC()
	}
}

// run serves until ctx ends, then shuts down. It writes the address it
// listens on to out as "httpservice: listening on http://ADDR".
func run(ctx context.Context, c config, out io.Writer, log *slog.Logger) error {
	if c.timeScale < 1 || c.timeScale > maxTimeScale {
		return fmt.Errorf("-time-scale %d: must be 1 to %d", c.timeScale, maxTimeScale)
	}
	if c.recoverEvery <= 0 {
		return fmt.Errorf("-recover-every %s: must be positive", c.recoverEvery)
	}
	spec := c.db
	if c.postgres != "" {
		if !storeflag.IsPostgres(c.postgres) {
			return fmt.Errorf("-postgres %q: not a postgres:// URL", c.postgres)
		}
		spec = c.postgres
	}
	store, closeStore, err := storeflag.Open(ctx, spec)
	if err != nil {
		return err
	}
	defer closeStore()

	clock := scaledClock(c.timeScale)
	eng, err := oms.New(
		oms.WithStore(store),
		oms.WithClock(clock),
		oms.WithGateway("sandbox", payment.NewSandbox()),
		oms.WithCarrier(shipping.NewSandbox(clock)),
		oms.WithLogger(log),
	)
	if err != nil {
		return err
	}
	if err := seed(ctx, eng); err != nil {
		return fmt.Errorf("seed the demo catalogue: %w", err)
	}

	// A single-merchant host: every request is the default tenant. A
	// multi-tenant host authenticates the caller here.
	tenant := func(*http.Request) (string, error) { return oms.DefaultTenant, nil }
	api, err := omshttp.New(eng, omshttp.Options{Tenant: tenant, Title: "ordersmith httpservice", Logger: log})
	if err != nil {
		return err
	}
	dead := opspage.NewDeadLetters(0, nil)
	mux := http.NewServeMux()
	mux.Handle("/", api)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	// The operations page, under /ops/.
	ops, err := opspage.New(eng, tenant, opspage.Options{BasePath: "/ops", DeadLetters: dead, Logger: log})
	if err != nil {
		return err
	}
	mux.Handle("/ops/", ops)

	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}

	// The background loops: the relay delivering the outbox (here to the
	// log) and the recovery sweep.
	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	defer stopBG()
	var wg sync.WaitGroup
	relay := eng.NewRelay(oms.RelayOptions{MaxAttempts: 10, DeadLetter: dead.Record})
	relay.Subscribe(func(ctx context.Context, e storage.Event) error {
		log.InfoContext(ctx, "event", "type", e.Type, "aggregate", e.AggregateID, "id", e.ID)
		return nil
	})
	wg.Go(func() {
		if err := relay.Run(bg); err != nil && !errors.Is(err, context.Canceled) {
			log.Error("httpservice: relay stopped", "err", err)
		}
	})
	scale := time.Duration(c.timeScale)
	wg.Go(func() { sweep(bg, eng, c.recoverEvery, scale, log) })

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(out, "httpservice: listening on http://%s\n", ln.Addr())

	select {
	case err = <-served:
	case <-ctx.Done():
		log.Info("httpservice: shutting down")
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err = srv.Shutdown(sctx)
		cancel()
		if serr := <-served; !errors.Is(serr, http.ErrServerClosed) && err == nil {
			err = serr
		}
	}
	stopBG()
	wg.Wait()
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Fprintln(out, "httpservice: stopped")
	return nil
}

// sweep runs Engine.Recover every interval until ctx ends. The recovery
// durations are the defaults in real time, scaled to the engine's clock.
func sweep(ctx context.Context, eng *oms.Engine, every, scale time.Duration, log *slog.Logger) {
	opts := oms.RecoverOptions{StaleAfter: time.Minute * scale, ExpireAfter: 15 * time.Minute * scale, GiveUpAfter: 24 * time.Hour * scale}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		rep, err := eng.Recover(ctx, oms.DefaultTenant, opts)
		if err != nil && ctx.Err() == nil {
			log.Error("httpservice: recovery sweep", "err", err)
			continue
		}
		log.Debug("httpservice: recovery sweep", "report", rep)
	}
}

// seed adds the demo catalogue unless it is there: adding an item
// replaces it with the same, a location is idempotent by its code, and
// each opening stock receipt by its idempotency key. The location's code,
// DEMO-WH, is one no other example uses, so the service may share a
// database with the quickstart (whose BER is another location).
func seed(ctx context.Context, eng *oms.Engine) error {
	loc, err := eng.AddLocation(ctx, oms.DefaultTenant, oms.AddLocationRequest{
		Code: "DEMO-WH", Name: "Demo warehouse, Berlin", Coordinates: inventory.Coordinates{Lat: 52.52, Lon: 13.405},
		Address:  address.Address{Line1: "Alexanderplatz 1", City: "Berlin", PostalCode: "10178", Country: "DE"},
		TimeZone: "Europe/Berlin",
	})
	if err != nil {
		return err
	}
	for _, it := range []struct{ sku, name string }{{"MUG-BLK", "Black mug"}, {"TEE-M", "T-shirt, size M"}} {
		if err := eng.AddItem(ctx, oms.DefaultTenant, oms.AddItemRequest{SKU: it.sku, Name: it.name}); err != nil {
			return err
		}
		if _, err := eng.ReceiveStock(ctx, oms.DefaultTenant, oms.StockChangeRequest{
			SKU: it.sku, LocationID: loc.ID, Quantity: 100, Reason: "demo opening stock", IdempotencyKey: "seed-" + it.sku,
		}); err != nil {
			return err
		}
	}
	return nil
}
