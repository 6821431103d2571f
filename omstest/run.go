package omstest

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/fulfillment"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/returns"
	"github.com/ordersmith/oms/storage"
)

// Fault targets: which wrapper a fault point fails.
const (
	targetStore   = "store"
	targetGateway = "gateway"
	targetCarrier = "carrier"
)

// The tenants of the fault suite's lifecycle, suffixed with the number of
// the run.
const (
	runTenant      = "acme"
	runOtherTenant = "globex"
)

// gatewayName is the name the suite registers its gateway under.
const gatewayName = "omstest"

// defaultStorePoints bounds the store's fault points per mode; see Run.
const defaultStorePoints = 40

// recoverAdvance is how far the clock moves before Recover: past every
// default threshold of oms.RecoverOptions (StaleAfter, ExpireAfter and
// GiveUpAfter).
const recoverAdvance = 25 * time.Hour

// envAllPoints names the environment variable that, set to 1, makes Run
// inject a fault at every store call instead of a sample.
const envAllPoints = "OMS_FAULTS_ALL"

// RunOption tunes Run.
type RunOption func(*runConfig)

type runConfig struct {
	storePoints int
	share       bool
}

// StorePoints sets about how many of the store's calls are fault points
// per mode (see Run); zero or negative makes every call one. The default
// is 40.
func StorePoints(n int) RunOption { return func(c *runConfig) { c.storePoints = n } }

// ShareStore makes Run call Harness.NewStore once and run every fault
// point on that store, each run with tenants of its own, instead of on a
// fresh store per run: for a store that is slow to create, such as a
// database schema with its migrations.
func ShareStore() RunOption { return func(c *runConfig) { c.share = true } }

// Run is the fault suite. It drives one representative lifecycle over two
// tenants through the harness's store, gateway and carrier, each wrapped
// in its fault wrapper (FaultyStore, FaultyGateway, FaultyCarrier): stock
// received at two locations; an order split over both locations that is
// fulfilled, picked, packed, shipped, tracked to delivery, partly refunded
// as a goodwill gesture, partly returned (requested, approved, received,
// refunded) and completed; an order cancelled; an order held, released
// and fulfilled; an order declined; and an order of the other tenant.
//
// It first runs the lifecycle without faults, to count the calls of each
// wrapper, and checks it. Then, in one subtest per fault point (wrapper,
// operation, call number, mode), it runs the lifecycle again with that
// single fault injected. The driver behaves as a host does: an operation
// that fails is retried once, and then the lifecycle moves on; an
// operation failed by a FailAfter fault is not retried (the host is taken
// to have died with the answer), so what it left half done is Recover's to
// finish. The operation hit by the fault may fail, but only with an error
// matching ErrInjected or oms.IsTransient; a panic is a violation. Once the lifecycle has run, the fault is
// disarmed, the clock is moved past Recover's default thresholds and
// oms.Engine.Recover runs for each tenant. Then CheckInvariants must pass
// with Settled set, the gateway's ledger (see Harness.NewGateway and
// FaultyGateway.Authorizations) and every outbox event; a second Recover
// must report nothing, change no order, payment, stock level or movement
// and append no event; and DriveToEnd must bring every order to an end,
// after which the invariants are checked again.
//
// Every gateway and carrier call is a fault point in every mode. The
// store's Tx calls are too when there are at most StorePoints of them (40
// by default); otherwise each mode takes every k-th call, k chosen so
// that at most StorePoints remain and offset by mode so that the modes
// cover different calls, plus the first and the last call. With the
// environment variable OMS_FAULTS_ALL=1 every store call is a fault
// point; with -short only every third point runs. The subtests run one
// after another, so Harness.NewStore need not be safe for concurrent use.
// Each run logs the operations it gave up and what Recover did.
func Run(t *testing.T, h Harness, opts ...RunOption) {
	t.Helper()
	cfg := runConfig{storePoints: defaultStorePoints}
	for _, o := range opts {
		o(&cfg)
	}
	if os.Getenv(envAllPoints) == "1" {
		cfg.storePoints = 0
	}
	var shared storage.Store
	if cfg.share {
		shared = h.store(t)
	}
	start := time.Now()
	clean := runOnce(t, h, shared, 0, nil)
	if clean.err != nil {
		t.Fatalf("omstest: the lifecycle without faults fails: %v", clean.err)
	}
	points := faultPoints(clean.calls, cfg.storePoints, testing.Short())
	t.Logf("omstest: a clean run calls the store %v, the gateway %v, the carrier %v; %d fault points",
		clean.calls[targetStore], clean.calls[targetGateway], clean.calls[targetCarrier], len(points))
	for i, p := range points {
		t.Run(p.String(), func(t *testing.T) {
			res := runOnce(t, h, shared, i+1, &p)
			for _, n := range res.notes {
				t.Log(n)
			}
			if res.err != nil {
				t.Error(res.err)
			}
		})
	}
	t.Logf("omstest: %d fault points in %s", len(points), time.Since(start).Round(time.Millisecond))
}

// faultPoint is one fault of one wrapper.
type faultPoint struct {
	target string
	fault  Fault
}

// String names the point as its subtest: "store/Tx#12/fail_after".
func (p faultPoint) String() string { return p.target + "/" + p.fault.String() }

// faultPoints lists the fault points of a clean run's calls (see Run).
func faultPoints(calls map[string]map[string]int, storePoints int, short bool) []faultPoint {
	var out []faultPoint
	for _, target := range []string{targetStore, targetGateway, targetCarrier} {
		for _, op := range sortedOps(calls[target]) {
			n := calls[target][op]
			for mi, mode := range Modes() {
				for i := 1; i <= n; i++ {
					if target == targetStore && !sampled(i, n, mi, storePoints) {
						continue
					}
					out = append(out, faultPoint{target: target, fault: Fault{Op: op, N: i, Mode: mode}})
				}
			}
		}
	}
	if short {
		var kept []faultPoint
		for i, p := range out {
			if i%3 == 0 {
				kept = append(kept, p)
			}
		}
		out = kept
	}
	return out
}

// sampled reports whether call i of n is a store fault point of the mode
// numbered mi, when at most about max calls are (max <= 0: all are).
func sampled(i, n, mi, max int) bool {
	if max <= 0 || n <= max || i == 1 || i == n {
		return true
	}
	k := (n + max - 1) / max
	return i%k == mi%k
}

// runResult is what one run of the lifecycle found.
type runResult struct {
	// calls counts each wrapper's calls per operation during the
	// lifecycle (before Recover).
	calls map[string]map[string]int
	// err joins every violation; nil when the run kept every promise.
	err error
	// notes says which operations failed and were given up (not
	// violations: a host moves on too).
	notes []string
}

// runOnce runs the lifecycle once, as run number run, with the fault
// point p injected (none when p is nil), then recovers, checks and drives
// every order to its end. It runs on shared, or on a fresh store of h when
// shared is nil. It reports violations in the result rather than through
// tb, which it uses only to build the store, gateway and carrier.
func runOnce(tb testing.TB, h Harness, shared storage.Store, run int, p *faultPoint) runResult {
	tb.Helper()
	ctx := context.Background()
	clk := NewClock(kitStart())
	inner := shared
	if inner == nil {
		inner = h.store(tb)
	}
	st := NewFaultyStore(inner)
	gw := NewFaultyGateway(h.gateway(tb))
	car := NewFaultyCarrier(h.carrier(tb, clk.Now))
	e, err := oms.New(
		oms.WithStore(st),
		oms.WithGateway(gatewayName, gw),
		oms.WithCarrier(car),
		oms.WithClock(clk.Now),
		oms.WithIDs(newRunIDs(run)),
	)
	if err != nil {
		return runResult{err: fmt.Errorf("omstest: build the engine: %w", err)}
	}
	d := &runDriver{e: e, clk: clk, clean: p == nil,
		tA: fmt.Sprintf("%s-%d", runTenant, run), tB: fmt.Sprintf("%s-%d", runOtherTenant, run), orders: map[string]uuid.UUID{}, locs: map[string]uuid.UUID{}}
	if p != nil {
		d.fault = p
		switch p.target {
		case targetStore:
			d.armed = &st.counter
		case targetGateway:
			d.armed = &gw.counter
		case targetCarrier:
			d.armed = &car.counter
		}
		d.armed.Inject(p.fault)
	}

	d.lifecycle(ctx)

	res := runResult{calls: map[string]map[string]int{
		targetStore: st.Calls(), targetGateway: gw.Calls(), targetCarrier: car.Calls(),
	}}
	if d.armed != nil {
		if left := d.armed.Disarm(); len(left) > 0 {
			d.violate("the fault %s was never reached: the lifecycle made other calls than the clean run", p)
		}
	}
	d.settle(ctx, gw)
	res.err = errors.Join(d.violations...)
	res.notes = d.notes
	return res
}

// runDriver drives the lifecycle as a host would and collects what went
// wrong.
type runDriver struct {
	e     *oms.Engine
	clk   *Clock
	clean bool
	tA    string // the tenant of most of the lifecycle
	tB    string // the other tenant
	fault *faultPoint
	armed *counter

	orders map[string]uuid.UUID // by the suite's name for the order
	locs   map[string]uuid.UUID // by tenant + "/" + location code

	violations []error
	notes      []string
}

func (d *runDriver) violate(format string, args ...any) {
	d.violations = append(d.violations, fmt.Errorf(format, args...))
}

// errSkip says a step had nothing to do because an earlier one failed.
var errSkip = errors.New("omstest: skipped: an earlier step failed")

// step runs fn, and once more if it fails, as a host retries an operation.
// In a clean run every failure is a violation. In a faulty run the
// attempt hit by the fault may fail only with an injected or transient
// error; any failure after the retry is noted and the lifecycle moves on.
// An attempt that a FailAfter fault failed is not retried: the host is
// taken to have died with the answer, and what the operation left half
// done is Recover's to finish.
func (d *runDriver) step(name string, fn func() error) {
	for attempt := 1; attempt <= 2; attempt++ {
		fired := d.firedCount()
		err, panicked := callSafely(fn)
		if panicked {
			d.violate("step %s panicked: %w", name, err)
			return
		}
		if err == nil || errors.Is(err, errSkip) {
			return
		}
		if d.clean {
			d.violate("step %s: %w", name, err)
			return
		}
		hit := d.firedCount() > fired
		if hit && !errors.Is(err, ErrInjected) && !oms.IsTransient(err) {
			d.violate("step %s: the fault %s surfaced as an error that is neither injected nor transient: %w", name, d.fault, err)
		}
		if hit && d.fault.fault.Mode == FailAfter {
			d.notes = append(d.notes, fmt.Sprintf("step %s not retried after the lost answer: %v", name, err))
			return
		}
		if attempt == 2 {
			d.notes = append(d.notes, fmt.Sprintf("step %s gave up: %v", name, err))
		}
	}
}

// callSafely calls fn and turns a panic into an error, with the stack.
func callSafely(fn func() error) (err error, panicked bool) {
	defer func() {
		if r := recover(); r != nil {
			err, panicked = fmt.Errorf("%v\n%s", r, debug.Stack()), true
		}
	}()
	return fn(), false
}

func (d *runDriver) firedCount() int {
	if d.armed == nil {
		return 0
	}
	return len(d.armed.Fired())
}

func eurAmount(s string) money.Money { return money.MustParse(s, "EUR") }

// lifecycle drives every operation the suite covers.
func (d *runDriver) lifecycle(ctx context.Context) {
	d.setup(ctx, d.tA, map[string][]stockLine{
		"BER": {{"MUG", 10}, {"CAP", 3}},
		"MUC": {{"MUG", 10}, {"TEE", 5}},
	})
	d.setup(ctx, d.tB, map[string][]stockLine{"BER": {{"CAP", 2}}})

	d.place(ctx, d.tA, "split", payment.TokenApprove, orderLine("MUG", 3, "9.99"), orderLine("TEE", 2, "19.99"), orderLine("CAP", 1, "7.49"))
	d.place(ctx, d.tA, "to-cancel", payment.TokenApprove, orderLine("MUG", 1, "9.99"))
	d.place(ctx, d.tA, "to-hold", payment.TokenApprove, orderLine("TEE", 1, "19.99"))
	d.place(ctx, d.tB, "other", payment.TokenApprove, orderLine("CAP", 1, "7.49"))
	d.step("place declined", func() error {
		o, err := d.e.PlaceOrder(ctx, d.tA, oms.PlaceOrderRequest{IdempotencyKey: "place-declined",
			Order: runDraft("declined", orderLine("MUG", 1, "9.99")), Payment: oms.PaymentMethod{Token: payment.TokenDecline}})
		switch {
		case errors.Is(err, payment.ErrDeclined):
			return nil
		case err != nil:
			return err
		case o.Status == order.StatusPending: // a repeat of a placement whose answer was lost
			return nil
		}
		d.violate("the order placed with a declining token is %s", o.Status)
		return nil
	})

	d.orderStep(d.tA, "to-cancel", "cancel", func(id uuid.UUID) error {
		_, err := d.e.CancelOrder(ctx, d.tA, oms.OrderRequest{OrderID: id, Reason: "customer changed their mind"})
		return err
	})
	d.orderStep(d.tA, "to-hold", "hold", func(id uuid.UUID) error {
		_, err := d.e.HoldOrder(ctx, d.tA, oms.OrderRequest{OrderID: id, Reason: "fraud review", IdempotencyKey: "hold-1"})
		return err
	})
	d.orderStep(d.tA, "to-hold", "release", func(id uuid.UUID) error {
		_, err := d.e.ReleaseHold(ctx, d.tA, oms.OrderRequest{OrderID: id, IdempotencyKey: "release-1"})
		return err
	})
	d.orderStep(d.tA, "to-hold", "fulfil", func(id uuid.UUID) error {
		_, err := d.e.CreateFulfillments(ctx, d.tA, oms.OrderRequest{OrderID: id})
		return err
	})

	d.orderStep(d.tA, "split", "fulfil", func(id uuid.UUID) error {
		fos, err := d.e.CreateFulfillments(ctx, d.tA, oms.OrderRequest{OrderID: id})
		if err == nil && len(fos) != 2 {
			return fmt.Errorf("the split order has %d fulfillment orders, want 2", len(fos))
		}
		return err
	})
	d.fulfillmentStep(ctx, "split", "pick", func(fo *fulfillment.FulfillmentOrder) error {
		var picks []fulfillment.Pick
		for _, l := range fo.Lines {
			picks = append(picks, fulfillment.Pick{OrderLineID: l.OrderLineID, Quantity: l.Quantity})
		}
		_, err := d.e.Pick(ctx, d.tA, oms.PickRequest{FulfillmentID: fo.ID, Picks: picks, IdempotencyKey: "pick-" + fo.ID.String()})
		return err
	})
	d.fulfillmentStep(ctx, "split", "pack", func(fo *fulfillment.FulfillmentOrder) error {
		var lines []fulfillment.PackageLine
		for _, l := range fo.Lines {
			lines = append(lines, fulfillment.PackageLine{OrderLineID: l.OrderLineID, SKU: l.SKU, Quantity: l.Quantity})
		}
		_, err := d.e.Pack(ctx, d.tA, oms.PackRequest{FulfillmentID: fo.ID, IdempotencyKey: "pack-" + fo.ID.String(),
			Packages: []fulfillment.PackageDraft{{WeightGrams: 900, LengthCm: 30, WidthCm: 20, HeightCm: 10, Lines: lines}}})
		return err
	})
	d.fulfillmentStep(ctx, "split", "ship", func(fo *fulfillment.FulfillmentOrder) error {
		_, err := d.e.Ship(ctx, d.tA, oms.ShipRequest{FulfillmentID: fo.ID})
		return err
	})
	// Tracking every other day keeps the carrier's fault points few.
	for day := 2; day <= 10; day += 2 {
		if d.orderStatus(ctx, d.tA, "split") == order.StatusDelivered {
			break
		}
		d.clk.Advance(48 * time.Hour)
		d.orderStep(d.tA, "split", fmt.Sprintf("track day %d", day), func(id uuid.UUID) error {
			det, err := d.e.OrderDetails(ctx, d.tA, id)
			if err != nil {
				return err
			}
			for _, s := range det.Shipments {
				if _, err := d.e.SyncTracking(ctx, d.tA, s.ID); err != nil {
					return err
				}
			}
			return nil
		})
	}
	// Read in every run, so that faulty runs make the clean run's calls.
	if delivered := d.orderStatus(ctx, d.tA, "split") == order.StatusDelivered; d.clean && !delivered {
		d.violate("the split order was not delivered after ten days of tracking")
	}

	d.orderStep(d.tA, "split", "goodwill refund", func(id uuid.UUID) error {
		_, err := d.e.RefundPayment(ctx, d.tA, oms.RefundRequest{OrderID: id, Amount: eurAmount("5.00"),
			Reason: "late delivery", IdempotencyKey: "goodwill-1"})
		return err
	})
	var returnID, mugLine uuid.UUID
	d.orderStep(d.tA, "split", "request return", func(id uuid.UUID) error {
		o, err := d.e.GetOrder(ctx, d.tA, id)
		if err != nil {
			return err
		}
		for _, l := range o.Lines {
			if l.SKU == "MUG" {
				mugLine = l.ID
			}
		}
		r, err := d.e.RequestReturn(ctx, d.tA, oms.ReturnRequest{OrderID: id, Reason: returns.ReasonDamaged,
			Lines: []oms.ReturnLine{{OrderLineID: mugLine, Quantity: 2}}, IdempotencyKey: "return-1"})
		if err == nil {
			returnID = r.ID
		}
		return err
	})
	returnStep := func(name string, fn func(id uuid.UUID) error) {
		d.step(name, func() error {
			if returnID == uuid.Nil {
				return errSkip
			}
			return fn(returnID)
		})
	}
	returnStep("approve return", func(id uuid.UUID) error {
		_, err := d.e.ApproveReturn(ctx, d.tA, oms.ReturnAction{ReturnID: id, IdempotencyKey: "approve-1"})
		return err
	})
	returnStep("receive return", func(id uuid.UUID) error {
		_, err := d.e.ReceiveReturn(ctx, d.tA, oms.ReceiveReturnRequest{ReturnID: id, IdempotencyKey: "receive-1",
			Receipts: []returns.Receipt{{OrderLineID: mugLine, Quantity: 2, Resellable: 1}}})
		return err
	})
	d.orderStep(d.tA, "split", "complete", func(id uuid.UUID) error {
		_, err := d.e.CompleteOrder(ctx, d.tA, oms.OrderRequest{OrderID: id, IdempotencyKey: "complete-1"})
		return err
	})
}

type stockLine struct {
	sku string
	qty int64
}

// setup creates a tenant's locations, catalogue and stock, each change
// with a key so that a retried call does not repeat it.
func (d *runDriver) setup(ctx context.Context, tenant string, stock map[string][]stockLine) {
	coords := map[string]inventory.Coordinates{"BER": {Lat: 52.52, Lon: 13.405}, "MUC": {Lat: 48.137, Lon: 11.575}}
	for _, code := range []string{"BER", "MUC"} {
		if _, ok := stock[code]; !ok {
			continue
		}
		d.step(tenant+" add location "+code, func() error {
			_, err := d.e.AddLocation(ctx, tenant, oms.AddLocationRequest{Code: code, Name: code, Coordinates: coords[code]})
			if errors.Is(err, storage.ErrDuplicate) { // the first attempt's answer was lost
				return nil
			}
			return err
		})
	}
	d.step(tenant+" read locations", func() error {
		locs, err := d.e.Locations(ctx, tenant)
		for _, l := range locs {
			d.locs[tenant+"/"+l.Code] = l.ID
		}
		return err
	})
	skus := map[string]bool{}
	for _, code := range []string{"BER", "MUC"} {
		for _, sl := range stock[code] {
			if !skus[sl.sku] {
				skus[sl.sku] = true
				d.step(tenant+" add item "+sl.sku, func() error {
					return d.e.AddItem(ctx, tenant, oms.AddItemRequest{SKU: sl.sku, Name: sl.sku})
				})
			}
			d.step(tenant+" receive "+sl.sku+" at "+code, func() error {
				loc, ok := d.locs[tenant+"/"+code]
				if !ok {
					return errSkip
				}
				_, err := d.e.ReceiveStock(ctx, tenant, oms.StockChangeRequest{SKU: sl.sku, LocationID: loc, Quantity: sl.qty,
					Reason: "delivery", IdempotencyKey: "receive-" + code + "-" + sl.sku})
				return err
			})
		}
	}
}

// place places the order named name; the order is remembered even when
// the placement failed, so later steps meet its real state.
func (d *runDriver) place(ctx context.Context, tenant, name, token string, lines ...order.DraftLine) {
	d.step("place "+name, func() error {
		o, err := d.e.PlaceOrder(ctx, tenant, oms.PlaceOrderRequest{IdempotencyKey: "place-" + name,
			Order: runDraft(name, lines...), Payment: oms.PaymentMethod{Gateway: gatewayName, Token: token}})
		if o != nil {
			d.orders[tenant+"/"+name] = o.ID
		}
		return err
	})
}

// orderStep runs fn on the order named name, skipping it when the order
// was never placed.
func (d *runDriver) orderStep(tenant, name, what string, fn func(id uuid.UUID) error) {
	d.step(what+" "+name, func() error {
		id, ok := d.orders[tenant+"/"+name]
		if !ok {
			return errSkip
		}
		return fn(id)
	})
}

// fulfillmentStep runs fn on every fulfillment order of the order named
// name (of the first tenant), in the order they were created.
func (d *runDriver) fulfillmentStep(ctx context.Context, name, what string, fn func(fo *fulfillment.FulfillmentOrder) error) {
	d.orderStep(d.tA, name, what, func(id uuid.UUID) error {
		det, err := d.e.OrderDetails(ctx, d.tA, id)
		if err != nil {
			return err
		}
		if len(det.Fulfillments) == 0 {
			return errSkip
		}
		for _, fo := range det.Fulfillments {
			if err := fn(fo); err != nil {
				return err
			}
		}
		return nil
	})
}

// orderStatus returns the order's status, or "" when it cannot be read.
func (d *runDriver) orderStatus(ctx context.Context, tenant, name string) order.Status {
	id, ok := d.orders[tenant+"/"+name]
	if !ok {
		return ""
	}
	o, err := d.e.GetOrder(ctx, tenant, id)
	if err != nil {
		return ""
	}
	return o.Status
}

// settle moves the clock past Recover's thresholds, recovers every
// tenant, checks the invariants (with the gateway's ledger and every
// event of the outbox), checks that a second Recover has nothing to do
// and changes nothing, drives every order to its end and checks again.
func (d *runDriver) settle(ctx context.Context, gw *FaultyGateway) {
	tenants := []string{d.tA, d.tB}
	opts := CheckOptions{Settled: true, Exact: d.clean, Ledger: gw, Events: NewEventLog(d.e)}
	d.clk.Advance(recoverAdvance)
	for _, tenant := range tenants {
		rep, err := d.e.Recover(ctx, tenant, oms.RecoverOptions{})
		if err != nil {
			d.violate("Recover(%s): %w", tenant, err)
		}
		if !rep.Empty() {
			d.notes = append(d.notes, fmt.Sprintf("Recover(%s): %+v", tenant, rep))
		}
	}
	if err := CheckInvariants(ctx, d.e, tenants, opts); err != nil {
		d.violate("after Recover: %w", err)
	}
	before, err := snapshotTenants(ctx, d.e, tenants)
	if err != nil {
		d.violate("snapshot: %w", err)
		return
	}
	for _, tenant := range tenants {
		rep, err := d.e.Recover(ctx, tenant, oms.RecoverOptions{})
		if err != nil {
			d.violate("second Recover(%s): %w", tenant, err)
		}
		if !rep.Empty() {
			d.violate("second Recover(%s) did something: %+v", tenant, rep)
		}
	}
	after, err := snapshotTenants(ctx, d.e, tenants)
	if err != nil {
		d.violate("snapshot: %w", err)
		return
	}
	if before != after {
		d.violate("the second Recover changed the store:\nbefore: %s\nafter:  %s", before, after)
	}
	events := opts.Events.Len()
	if err := opts.Events.Collect(ctx); err != nil {
		d.violate("collect events: %w", err)
	} else if n := opts.Events.Len() - events; n > 0 {
		d.violate("the second Recover appended %d event(s)", n)
	}
	if err := DriveToEnd(ctx, d.e, tenants, d.clk.Advance); err != nil {
		d.violate("DriveToEnd: %w", err)
	}
	if err := CheckInvariants(ctx, d.e, tenants, opts); err != nil {
		d.violate("after DriveToEnd: %w", err)
	}
}

// snapshotTenants returns, as JSON, every order of the tenants with its
// payments, reservations, fulfillments, shipments and returns, and the
// tenants' stock levels and ledgers.
func snapshotTenants(ctx context.Context, e *oms.Engine, tenants []string) (string, error) {
	type tenantSnap struct {
		Orders    []*oms.OrderDetails
		Stock     []inventory.StockLevel
		Movements []inventory.Movement
	}
	snap := map[string]*tenantSnap{}
	for _, tenant := range tenants {
		ts := &tenantSnap{}
		f := storage.OrderFilter{Limit: 100}
		for {
			page, err := e.ListOrders(ctx, tenant, f)
			if err != nil {
				return "", err
			}
			for _, o := range page.Orders {
				det, err := e.OrderDetails(ctx, tenant, o.ID)
				if err != nil {
					return "", err
				}
				ts.Orders = append(ts.Orders, det)
			}
			if page.Next == "" {
				break
			}
			f.Cursor = page.Next
		}
		var err error
		if ts.Stock, err = e.StockLevels(ctx, tenant); err != nil {
			return "", err
		}
		if ts.Movements, err = e.Movements(ctx, tenant, storage.MovementFilter{}); err != nil {
			return "", err
		}
		snap[tenant] = ts
	}
	b, err := json.Marshal(snap)
	return string(b), err
}

func orderLine(sku string, qty int64, price string) order.DraftLine {
	return order.DraftLine{SKU: sku, Quantity: qty, UnitPrice: eurAmount(price)}
}

// runDraft is an order of the web shop, shipped to Berlin.
func runDraft(ref string, lines ...order.DraftLine) order.Draft {
	return order.Draft{
		Channel:     order.Channel{Kind: order.ChannelWeb, Name: "webshop"},
		ExternalRef: ref,
		Customer:    order.Customer{ID: "cus_" + ref, Name: "Grace Hopper", Email: "grace@example.com"},
		ShippingAddress: order.Address{Name: "Grace Hopper", Line1: "Unter den Linden 1", City: "Berlin",
			PostalCode: "10117", Country: "DE", Geo: &order.GeoPoint{Lat: 52.517, Lon: 13.389}},
		Currency:       "EUR",
		Lines:          lines,
		ShippingCharge: eurAmount("4.95"),
		TaxRate:        decimal.RequireFromString("0.19"),
	}
}

// newRunIDs returns a source of UUIDs (version 7 layout) that grow with
// every call, the same in every run of the same number, so that runs are
// reproducible; runs of different numbers share none.
func newRunIDs(run int) func() uuid.UUID {
	var (
		mu sync.Mutex
		n  uint64
	)
	return func() uuid.UUID {
		mu.Lock()
		defer mu.Unlock()
		n++
		var id uuid.UUID
		binary.BigEndian.PutUint64(id[0:8], (uint64(0x019a_0000_0000)+uint64(run))<<16) // the run's millisecond timestamp
		binary.BigEndian.PutUint64(id[8:16], n)
		id[6] = 0x70 // version 7
		id[8] = 0x80 | id[8]&0x3f
		return id
	}
}
