package omstest

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/fulfillment"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/returns"
	"github.com/ordersmith/oms/shipping"
	"github.com/ordersmith/oms/storage"
)

// ModelOption tunes RunModel.
type ModelOption func(*modelConfig)

type modelConfig struct {
	sequences int
	steps     int
}

// Sequences sets how many random sequences RunModel runs at least; the
// default is 200. A larger -rapid.checks raises it.
func Sequences(n int) ModelOption { return func(c *modelConfig) { c.sequences = n } }

// Steps sets the least number of operations in a sequence; the default is
// 50. Each sequence draws between n and n+n/5.
func Steps(n int) ModelOption { return func(c *modelConfig) { c.steps = n } }

// RunModel is the engine's model-based random test. Each sequence builds a
// fresh engine (fresh gateway, carrier and pair of tenants) over one store
// made by h.NewStore for the whole run, and applies a random sequence of
// every engine operation: receive and adjust stock; place with approving,
// declining, insufficient-funds, transient-once and transient tokens, and
// with more than is in stock; cancel, hold, release; create fulfillments,
// pick, pack, ship, sync tracking with the clock advanced; request,
// approve, reject, receive, refund and close returns; goodwill refunds;
// complete; recover; and calls naming the other tenant's rows. The domains
// are small (three SKUs, two locations, a few units) so that operations
// collide. After every step CheckInvariants runs (with the gateway's
// record when it has one, and the event log); an operation the engine
// refuses must fail with one of the library's typed errors and, unless the
// gateway refused or failed it, change nothing in the tenant. At the end
// the clock passes RecoverOptions.GiveUpAfter, Recover runs for each
// tenant (twice: the second call must change nothing), the settled
// invariants are checked, and DriveToEnd must finish every order.
//
// It reads rapid's flags (-rapid.checks, -rapid.seed, ...); it runs
// rapid.Check as often as it takes to reach the number of sequences (a
// larger -rapid.checks runs that many). Under the race detector it runs an
// eighth of them (at least ten), with -short a fifth.
func RunModel(t *testing.T, h Harness, opts ...ModelOption) {
	cfg := modelConfig{sequences: 200, steps: 50}
	for _, o := range opts {
		o(&cfg)
	}
	budget := cfg.sequences
	if raceDetector {
		budget = max(budget/8, 10)
	}
	if testing.Short() {
		budget = max(budget/5, 1)
	}
	r := &modelRun{h: h, t: t, cfg: cfg, budget: budget, store: h.store(t), clock: newClock(), done: map[string]int{}, refusedBy: map[string]int{}}
	per, asked := 100, false
	if f := flag.Lookup("rapid.checks"); f != nil {
		if n, err := strconv.Atoi(f.Value.String()); err == nil && n > 0 {
			per = n
		}
	}
	flag.Visit(func(f *flag.Flag) { asked = asked || f.Name == "rapid.checks" })
	if testing.Short() {
		per = max(per/5, 1) // as rapid does
	}
	if asked && per > budget {
		budget = per // -rapid.checks asked for more
		r.budget = per
	}
	start := time.Now()
	for done := 0; done < budget && !t.Failed(); done += per {
		rapid.Check(t, r.sequence)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	t.Logf("model: %d sequences, %d steps (%d refused), %d orders, %d shipments, %d returns, %d events, in %s (%s checking invariants)",
		r.sequences, r.steps, r.refused, r.orders, r.shipments, r.returns, r.events,
		time.Since(start).Round(time.Millisecond), r.checking.Round(time.Millisecond))
	for _, o := range ops {
		t.Logf("model: %-24s %5d done, %5d refused", o.name, r.done[o.name], r.refusedBy[o.name])
	}
}

// clock is a test clock that only moves forward, shared by the sequences
// of a run.
func newClock() *Clock { return NewClock(kitStart()) }

type modelRun struct {
	h   Harness
	t   *testing.T
	cfg modelConfig
	// budget is how many sequences to run; the checks rapid runs beyond it
	// return at once.
	budget int
	store  storage.Store
	clock  *Clock

	mu                                           sync.Mutex
	n, sequences, steps, refused, orders, events int
	shipments, returns                           int
	checking                                     time.Duration
	// done and refusedBy count each operation's outcomes over the run.
	done, refusedBy map[string]int
}

var modelSKUs = []string{"A", "B", "C"}

// model is one sequence.
type model struct {
	rt      *rapid.T
	ctx     context.Context
	eng     *oms.Engine
	clock   *Clock
	tenants []string
	locs    map[string][]uuid.UUID
	opts    CheckOptions
	// state is what the last check read, per tenant.
	state map[string]*tenantState
	keys  int
	// refused counts the refused operations.
	refused, steps int
	// done and refusedBy count each operation's outcomes.
	done, refusedBy map[string]int
	// checking is the time spent checking invariants.
	checking time.Duration
	// touched lists the tenants that steps named since every tenant was
	// last read.
	touched map[string]bool
	// unchanged is set by an operation whose success must change nothing
	// (a repeated request).
	unchanged bool
	// placed and refunds remember requests, per tenant, to repeat them.
	placed  map[string][]oms.PlaceOrderRequest
	refunds map[string][]oms.RefundRequest
}

func (r *modelRun) sequence(rt *rapid.T) {
	r.mu.Lock()
	if r.sequences >= r.budget {
		r.mu.Unlock()
		return
	}
	r.n++
	n := r.n
	r.mu.Unlock()

	ctx := context.Background()
	gw := r.h.gateway(r.t)
	eng, err := oms.New(
		oms.WithStore(r.store),
		oms.WithClock(r.clock.Now),
		oms.WithGateway("gw", gw),
		oms.WithCarrier(r.h.carrier(r.t, r.clock.Now)),
	)
	if err != nil {
		rt.Fatalf("new engine: %v", err)
	}
	m := &model{
		rt: rt, ctx: ctx, eng: eng, clock: r.clock,
		tenants: []string{fmt.Sprintf("model-%d-a", n), fmt.Sprintf("model-%d-b", n)},
		locs:    map[string][]uuid.UUID{},
		state:   map[string]*tenantState{},
		done:    map[string]int{}, refusedBy: map[string]int{},
		touched: map[string]bool{},
		placed:  map[string][]oms.PlaceOrderRequest{}, refunds: map[string][]oms.RefundRequest{},
	}
	m.opts.Events = NewEventLog(eng)
	m.opts.Exact = true
	if l, ok := gw.(Ledger); ok {
		m.opts.Ledger = l
	}
	for _, tenant := range m.tenants {
		m.setup(tenant)
	}
	m.check("setup")

	steps := rapid.IntRange(r.cfg.steps, r.cfg.steps+r.cfg.steps/5).Draw(rt, "steps")
	for m.steps < steps {
		m.step()
	}
	m.finish()

	r.mu.Lock()
	defer r.mu.Unlock()
	r.sequences++
	r.steps += m.steps
	r.refused += m.refused
	for _, st := range m.state {
		r.orders += len(st.orders)
		r.shipments += len(st.shipments)
		r.returns += len(st.returns)
	}
	r.checking += m.checking
	r.events += m.opts.Events.Len()
	for k, v := range m.done {
		r.done[k] += v
	}
	for k, v := range m.refusedBy {
		r.refusedBy[k] += v
	}
}

func (m *model) setup(tenant string) {
	for _, sku := range modelSKUs {
		if err := m.eng.AddItem(m.ctx, tenant, oms.AddItemRequest{SKU: sku, Name: sku}); err != nil {
			m.rt.Fatalf("add item: %v", err)
		}
	}
	for i, loc := range []struct {
		code     string
		lat, lon float64
	}{{"BER", 52.52, 13.405}, {"MUC", 48.137, 11.575}} {
		l, err := m.eng.AddLocation(m.ctx, tenant, oms.AddLocationRequest{Code: loc.code, Name: loc.code,
			Coordinates: inventory.Coordinates{Lat: loc.lat, Lon: loc.lon}, Priority: i})
		if err != nil {
			m.rt.Fatalf("add location: %v", err)
		}
		m.locs[tenant] = append(m.locs[tenant], l.ID)
	}
	for _, sku := range modelSKUs {
		for _, loc := range m.locs[tenant] {
			if q := rapid.IntRange(0, 6).Draw(m.rt, "initial stock"); q > 0 {
				if _, err := m.eng.ReceiveStock(m.ctx, tenant, oms.StockChangeRequest{SKU: sku, LocationID: loc, Quantity: int64(q)}); err != nil {
					m.rt.Fatalf("receive stock: %v", err)
				}
			}
		}
	}
}

// check runs the invariants and keeps what they read. With only set, the
// other tenant is not read again but taken as the last check read it;
// without, every tenant is read, and a tenant that no step touched since
// it was last read must be exactly as it was (an operation in one tenant
// changes nothing in the other).
func (m *model) check(after string, only ...string) {
	m.rt.Helper()
	start := time.Now()
	known := map[string]*tenantState{}
	if len(only) > 0 {
		for _, tenant := range m.tenants {
			if tenant != only[0] {
				known[tenant] = m.state[tenant]
			}
		}
	}
	before := map[string]snapshot{}
	for _, tenant := range m.tenants {
		if m.state[tenant] != nil && !m.touched[tenant] {
			before[tenant] = m.snapshot(tenant)
		}
	}
	states, err := check(m.ctx, m.eng, m.tenants, m.opts, known)
	m.checking += time.Since(start)
	m.opts.SkipLookups = false
	if err != nil {
		m.rt.Fatalf("after %s: %v", after, err)
	}
	for _, st := range states {
		m.state[st.tenant] = st
	}
	if len(only) > 0 {
		return
	}
	for tenant, was := range before {
		if a, b := m.fingerprint(was), m.fingerprint(m.snapshot(tenant)); a != b {
			m.rt.Fatalf("after %s: tenant %s changed although no step named it: %s", after, tenant, diff(a, b))
		}
	}
	m.touched = map[string]bool{}
}

// diff shows where two fingerprints part.
func diff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(i-300, 0)
	return fmt.Sprintf("at byte %d:\nbefore …%s\nafter  …%s", i, a[from:min(i+300, len(a))], b[from:min(i+300, len(b))])
}

// snapshot is what the last check read of a tenant, and how many events
// it had then.
type snapshot struct {
	st     *tenantState
	events int
}

func (m *model) snapshot(tenant string) snapshot {
	return snapshot{m.state[tenant], m.opts.Events.count(tenant)}
}

// fingerprint is everything a snapshot holds, as JSON.
func (m *model) fingerprint(s snapshot) string {
	st := s.st
	b, err := json.Marshal(struct {
		O, P, F, S, R, Res, L, M, Loc any
		Events                        int
	}{st.orders, st.payments, st.fulfillments, st.shipments, st.returns, st.reservations, st.levels, st.movements, st.locations,
		s.events})
	if err != nil {
		m.rt.Fatalf("fingerprint: %v", err)
	}
	return string(b)
}

// typedErrors are the library's sentinels: every refusal must match one.
var typedErrors = []error{
	fulfillment.ErrInvalidInput, fulfillment.ErrInvalidTransition, fulfillment.ErrNotFound, fulfillment.ErrNotFullyPicked,
	fulfillment.ErrOverPick, fulfillment.ErrPackMismatch, fulfillment.ErrUnknownLine,
	inventory.ErrInsufficientStock, inventory.ErrInvalidInput, inventory.ErrReservationClosed, inventory.ErrUnknownLocation, inventory.ErrUnknownSKU,
	oms.ErrIdempotencyKeyRequired, oms.ErrIdempotencyKeyReused, oms.ErrNotConfigured, oms.ErrPaymentNotAuthorized,
	oms.ErrPlacementInProgress, oms.ErrPlacementExpired, oms.ErrReturnInProgress, oms.ErrShippingInProgress,
	order.ErrFeedbackExists, order.ErrFeedbackNotAllowed, order.ErrInvalidOrder, order.ErrInvalidTransition, order.ErrNotFound,
	order.ErrQuantityExceeded, order.ErrUnknownLine,
	payment.ErrAlreadyCaptured, payment.ErrDeclined, payment.ErrExceedsAuthorized, payment.ErrExceedsCaptured, payment.ErrIdempotencyConflict,
	payment.ErrInsufficientFunds, payment.ErrInvalidAmount, payment.ErrInvalidInput, payment.ErrInvalidTransition, payment.ErrNotFound,
	payment.ErrTransient, payment.ErrUnknownAuthorization, payment.ErrVoided,
	returns.ErrInvalidInput, returns.ErrInvalidTransition, returns.ErrNotDelivered, returns.ErrNotFound, returns.ErrQuantityExceeded,
	returns.ErrUnknownLine, returns.ErrWindowClosed,
	shipping.ErrInvalidInput, shipping.ErrInvalidTransition, shipping.ErrNoRate, shipping.ErrNotFound, shipping.ErrTransient,
	shipping.ErrUnknownTracking, shipping.ErrVoidNotAllowed,
	storage.ErrConflict, storage.ErrDuplicate, storage.ErrInvalidCursor, storage.ErrNotFound, storage.ErrUnavailable,
}

func typed(err error) bool {
	for _, s := range typedErrors {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// mayChange reports whether a refusal may leave changes behind: the
// gateway declined or failed after the engine had written its first step.
func mayChange(err error) bool {
	return errors.Is(err, payment.ErrDeclined) || oms.IsTransient(err)
}

// op is one operation of the model.
type op struct {
	name string
	// weight is how often it is drawn, relative to the others.
	weight int
	// compound operations make several engine calls: a refusal of a later
	// call may follow changes by an earlier one.
	compound bool
	run      func(m *model, tenant string) (ran bool, err error)
}

var ops = []op{
	{"progress", 24, true, (*model).progress},
	{"receive stock", 2, false, (*model).receiveStock},
	{"adjust stock", 2, false, (*model).adjustStock},
	{"place", 6, false, (*model).place},
	{"cancel", 1, false, (*model).cancel},
	{"hold", 1, false, (*model).hold},
	{"release", 1, false, (*model).release},
	{"create fulfillments", 3, false, (*model).createFulfillments},
	{"pick", 3, false, (*model).pick},
	{"pack", 3, false, (*model).pack},
	{"ship", 3, false, (*model).ship},
	{"track", 4, false, (*model).track},
	{"request return", 2, false, (*model).requestReturn},
	{"approve or reject return", 2, false, (*model).decideReturn},
	{"receive return", 2, false, (*model).receiveReturn},
	{"refund return", 1, false, (*model).refundReturn},
	{"close return", 1, false, (*model).closeReturn},
	{"goodwill refund", 2, false, (*model).goodwill},
	{"complete", 2, false, (*model).complete},
	{"recover", 1, false, (*model).recover},
	{"foreign", 1, false, (*model).foreign},
	{"repeat placement", 1, false, (*model).repeatPlacement},
	{"repeat goodwill refund", 1, false, (*model).repeatRefund},
	{"feedback", 1, false, (*model).feedback},
}

var opTable = func() []int {
	var t []int
	for i, o := range ops {
		for range o.weight {
			t = append(t, i)
		}
	}
	return t
}()

func (m *model) step() {
	tenant := rapid.SampledFrom(m.tenants).Draw(m.rt, "tenant")
	o := ops[rapid.SampledFrom(opTable).Draw(m.rt, "op")]
	before := m.snapshot(tenant)
	m.unchanged = false
	ran, err := o.run(m, tenant)
	if !ran {
		return
	}
	m.steps++
	m.touched[tenant] = true
	name := fmt.Sprintf("step %d (%s in %s)", m.steps, o.name, tenant)
	if err != nil {
		m.refused++
		m.refusedBy[o.name]++
	} else {
		m.done[o.name]++
	}
	if err != nil {
		if !typed(err) {
			m.rt.Fatalf("%s: untyped error: %v", name, err)
		}
	}
	// Every tenth step, and at the end, every tenant is read and checked
	// and the isolation check looks every row up from the other tenant
	// too; in between only the tenant the step named is read again.
	if m.steps%10 == 0 {
		m.check(name)
	} else {
		m.opts.SkipLookups = true
		m.check(name, tenant)
	}
	if m.unchanged || (err != nil && !o.compound && !mayChange(err)) {
		if was, now := m.fingerprint(before), m.fingerprint(m.snapshot(tenant)); was != now {
			m.rt.Fatalf("%s: returned %v, but the tenant changed %s", name, err, diff(was, now))
		}
	}
}

func (m *model) finish() {
	m.clock.Advance(25 * time.Hour)
	for _, tenant := range m.tenants {
		m.touched[tenant] = true
		if _, err := recoverTenant(m.ctx, m.eng, tenant); err != nil {
			m.rt.Fatalf("recover %s: %v", tenant, err)
		}
	}
	settled := m.opts
	settled.Settled = true
	m.opts = settled
	m.check("recover")
	fp := map[string]string{}
	for _, tenant := range m.tenants {
		fp[tenant] = m.fingerprint(m.snapshot(tenant))
		m.touched[tenant] = true // compared below, with a message of its own
		rep, err := recoverTenant(m.ctx, m.eng, tenant)
		if err != nil {
			m.rt.Fatalf("recover %s again: %v", tenant, err)
		}
		if !rep.Empty() {
			m.rt.Fatalf("a second recover of %s did something: %+v", tenant, rep)
		}
	}
	m.check("recover again")
	for _, tenant := range m.tenants {
		if got := m.fingerprint(m.snapshot(tenant)); got != fp[tenant] {
			m.rt.Fatalf("a second recover changed tenant %s %s", tenant, diff(fp[tenant], got))
		}
	}
	for _, tenant := range m.tenants {
		m.touched[tenant] = true
	}
	if err := DriveToEnd(m.ctx, m.eng, m.tenants, m.clock.Advance); err != nil {
		m.rt.Fatalf("liveness: %v", err)
	}
	m.check("drive to end")
}

// pick draws one of all, preferring (nine times in ten) one of those for
// which want holds, so that most operations are meaningful and some are
// refused.
func pick[T any](m *model, label string, all []T, want func(T) bool) (T, bool) {
	var zero T
	if len(all) == 0 {
		return zero, false
	}
	var good []T
	for _, x := range all {
		if want(x) {
			good = append(good, x)
		}
	}
	if len(good) > 0 && rapid.IntRange(0, 9).Draw(m.rt, label+" preferred") > 0 {
		return good[rapid.IntRange(0, len(good)-1).Draw(m.rt, label)], true
	}
	return all[rapid.IntRange(0, len(all)-1).Draw(m.rt, label)], true
}

func (m *model) key(prefix string) string {
	m.keys++
	return fmt.Sprintf("%s-%d", prefix, m.keys)
}

func (m *model) receiveStock(tenant string) (bool, error) {
	_, err := m.eng.ReceiveStock(m.ctx, tenant, oms.StockChangeRequest{
		SKU:        rapid.SampledFrom(append([]string{"UNKNOWN"}, modelSKUs...)).Draw(m.rt, "sku"),
		LocationID: rapid.SampledFrom(m.locs[tenant]).Draw(m.rt, "location"),
		Quantity:   int64(rapid.IntRange(1, 5).Draw(m.rt, "quantity"))})
	return true, err
}

func (m *model) adjustStock(tenant string) (bool, error) {
	q := rapid.IntRange(-4, 3).Draw(m.rt, "adjustment")
	if q >= 0 {
		q++
	}
	_, err := m.eng.AdjustStock(m.ctx, tenant, oms.StockChangeRequest{
		SKU:        rapid.SampledFrom(modelSKUs).Draw(m.rt, "sku"),
		LocationID: rapid.SampledFrom(m.locs[tenant]).Draw(m.rt, "location"),
		Quantity:   int64(q), Reason: "count"})
	return true, err
}

var tokens = []string{payment.TokenApprove, payment.TokenApprove, payment.TokenApprove, payment.TokenDecline,
	payment.TokenInsufficientFunds, payment.TokenTransientOnce, payment.TokenTransient}

func (m *model) place(tenant string) (bool, error) {
	n := rapid.IntRange(1, 2).Draw(m.rt, "lines")
	d := order.Draft{
		Channel:     order.Channel{Kind: order.ChannelWeb, Name: "webshop"},
		ExternalRef: m.key("ref"),
		Customer:    order.Customer{ID: "cus_1", Name: "Grace Hopper", Email: "grace@example.com"},
		ShippingAddress: order.Address{Name: "Grace Hopper", Line1: "Unter den Linden 1", City: "Berlin",
			PostalCode: "10117", Country: "DE", Geo: &order.GeoPoint{Lat: 52.517, Lon: 13.389}},
		Currency:       "EUR",
		ShippingCharge: money.MustParse("4.95", "EUR"),
		TaxRate:        decimal.RequireFromString("0.19"),
	}
	need := map[string]int64{}
	for range n {
		sku := rapid.SampledFrom(modelSKUs).Draw(m.rt, "sku")
		q := int64(rapid.IntRange(1, 3).Draw(m.rt, "quantity"))
		need[sku] += q
		d.Lines = append(d.Lines, order.DraftLine{SKU: sku, Quantity: q,
			UnitPrice: money.FromMinor(int64(rapid.IntRange(1, 5000).Draw(m.rt, "price")), "EUR")})
	}
	token := rapid.SampledFrom(tokens).Draw(m.rt, "token")
	avail := map[string]int64{}
	for _, l := range m.state[tenant].levels {
		avail[l.SKU] += l.OnHand - l.Reserved
	}
	enough := true
	for sku, q := range need {
		enough = enough && avail[sku] >= q
	}
	req := oms.PlaceOrderRequest{Order: d, Payment: oms.PaymentMethod{Token: token}}
	o, err := m.eng.PlaceOrder(m.ctx, tenant, req)
	if o != nil {
		m.placed[tenant] = append(m.placed[tenant], req)
	}
	if !enough {
		if !errors.Is(err, inventory.ErrInsufficientStock) {
			m.rt.Fatalf("place %v with %v available: want inventory.ErrInsufficientStock, got %v", need, avail, err)
		}
		return true, err
	}
	switch token {
	case payment.TokenApprove, payment.TokenTransientOnce:
		if err != nil || o.Status != order.StatusConfirmed {
			m.rt.Fatalf("place %v (%s) with %v available: got %v, %v", need, token, avail, statusOf(o), err)
		}
	case payment.TokenDecline, payment.TokenInsufficientFunds:
		want := payment.ErrDeclined
		if token == payment.TokenInsufficientFunds {
			want = payment.ErrInsufficientFunds
		}
		if !errors.Is(err, want) || o == nil || o.Status != order.StatusCancelled {
			m.rt.Fatalf("place (%s): want %v and a cancelled order, got %v, %v", token, want, statusOf(o), err)
		}
	case payment.TokenTransient:
		if !oms.IsTransient(err) {
			m.rt.Fatalf("place (%s): want a transient error, got %v, %v", token, statusOf(o), err)
		}
	}
	return true, err
}

func statusOf(o *order.Order) string {
	if o == nil {
		return "no order"
	}
	return "order " + string(o.Status)
}

func (m *model) anyOrder(tenant string, want ...order.Status) (*order.Order, bool) {
	return pick(m, "order", m.state[tenant].orders, func(o *order.Order) bool {
		for _, s := range want {
			if o.Status == s {
				return true
			}
		}
		return false
	})
}

func (m *model) orderReq(tenant string, want ...order.Status) (oms.OrderRequest, bool) {
	o, ok := m.anyOrder(tenant, want...)
	if !ok {
		return oms.OrderRequest{}, false
	}
	return oms.OrderRequest{OrderID: o.ID, Reason: "model"}, true
}

func (m *model) cancel(tenant string) (bool, error) {
	req, ok := m.orderReq(tenant, order.StatusConfirmed, order.StatusOnHold, order.StatusProcessing)
	if !ok {
		return false, nil
	}
	_, err := m.eng.CancelOrder(m.ctx, tenant, req)
	return true, err
}

func (m *model) hold(tenant string) (bool, error) {
	req, ok := m.orderReq(tenant, order.StatusConfirmed, order.StatusProcessing)
	if !ok {
		return false, nil
	}
	_, err := m.eng.HoldOrder(m.ctx, tenant, req)
	return true, err
}

func (m *model) release(tenant string) (bool, error) {
	req, ok := m.orderReq(tenant, order.StatusOnHold)
	if !ok {
		return false, nil
	}
	_, err := m.eng.ReleaseHold(m.ctx, tenant, req)
	return true, err
}

func (m *model) createFulfillments(tenant string) (bool, error) {
	req, ok := m.orderReq(tenant, order.StatusConfirmed)
	if !ok {
		return false, nil
	}
	_, err := m.eng.CreateFulfillments(m.ctx, tenant, req)
	return true, err
}

func (m *model) anyFulfillment(tenant string, want fulfillment.Status) (*fulfillment.FulfillmentOrder, bool) {
	return pick(m, "fulfillment", m.state[tenant].fulfillments, func(f *fulfillment.FulfillmentOrder) bool { return f.Status == want })
}

func (m *model) pick(tenant string) (bool, error) {
	f, ok := pick(m, "fulfillment", m.state[tenant].fulfillments, func(f *fulfillment.FulfillmentOrder) bool {
		return f.Status == fulfillment.StatusPending || f.Status == fulfillment.StatusPicking
	})
	if !ok {
		return false, nil
	}
	var picks []fulfillment.Pick
	for _, l := range f.Lines {
		left := l.Quantity - l.Picked
		// Mostly all that is left, sometimes less, sometimes one too many.
		q := left
		switch rapid.IntRange(0, 5).Draw(m.rt, "pick how") {
		case 0:
			q = left + 1
		case 1:
			q = int64(rapid.IntRange(0, int(max(left, 0))).Draw(m.rt, "pick quantity"))
		}
		if q > 0 {
			picks = append(picks, fulfillment.Pick{OrderLineID: l.OrderLineID, Quantity: q})
		}
	}
	if len(picks) == 0 {
		return false, nil
	}
	_, err := m.eng.Pick(m.ctx, tenant, oms.PickRequest{FulfillmentID: f.ID, Picks: picks})
	return true, err
}

func (m *model) pack(tenant string) (bool, error) {
	f, ok := pick(m, "fulfillment", m.state[tenant].fulfillments, func(f *fulfillment.FulfillmentOrder) bool {
		return f.Status == fulfillment.StatusPicking && f.FullyPicked()
	})
	if !ok {
		return false, nil
	}
	var lines []fulfillment.PackageLine
	for _, l := range f.Lines {
		q := l.Picked
		if rapid.IntRange(0, 9).Draw(m.rt, "pack mismatch") == 0 {
			q++
		}
		if q > 0 {
			lines = append(lines, fulfillment.PackageLine{OrderLineID: l.OrderLineID, Quantity: q})
		}
	}
	if len(lines) == 0 {
		return false, nil
	}
	_, err := m.eng.Pack(m.ctx, tenant, oms.PackRequest{FulfillmentID: f.ID,
		Packages: []fulfillment.PackageDraft{{WeightGrams: int64(rapid.IntRange(100, 5000).Draw(m.rt, "weight")), Lines: lines}}})
	return true, err
}

func (m *model) ship(tenant string) (bool, error) {
	f, ok := m.anyFulfillment(tenant, fulfillment.StatusPacked)
	if !ok {
		return false, nil
	}
	_, err := m.eng.Ship(m.ctx, tenant, oms.ShipRequest{FulfillmentID: f.ID, Fastest: rapid.Bool().Draw(m.rt, "fastest")})
	if err == nil || f.Status != fulfillment.StatusPacked {
		return true, err
	}
	for _, o := range m.state[tenant].orders {
		if o.ID == f.OrderID && o.Status != order.StatusOnHold && o.Status != order.StatusCancelled {
			m.rt.Fatalf("ship packed fulfillment %s of %s order %s (payment %s): %v", f.ID, o.Status, o.ID, o.Payment.Status, err)
		}
	}
	return true, err
}

func (m *model) track(tenant string) (bool, error) {
	m.clock.Advance(time.Duration(rapid.IntRange(1, 72).Draw(m.rt, "hours")) * time.Hour)
	s, ok := pick(m, "shipment", m.state[tenant].shipments, func(s *shipping.Shipment) bool {
		return s.Status != shipping.StatusDelivered && s.Status != shipping.StatusVoided
	})
	if !ok {
		return true, nil // time passed all the same
	}
	_, err := m.eng.SyncTracking(m.ctx, tenant, s.ID)
	return true, err
}

func (m *model) requestReturn(tenant string) (bool, error) {
	o, ok := m.anyOrder(tenant, order.StatusDelivered, order.StatusPartiallyReturned)
	if !ok {
		return false, nil
	}
	return m.requestReturnOf(tenant, o)
}

func (m *model) requestReturnOf(tenant string, o *order.Order) (bool, error) {
	var lines []oms.ReturnLine
	for _, l := range o.Lines {
		if rapid.Bool().Draw(m.rt, "return line") {
			q := int64(rapid.IntRange(1, int(l.Quantity)+1).Draw(m.rt, "return quantity"))
			lines = append(lines, oms.ReturnLine{OrderLineID: l.ID, Quantity: q})
		}
	}
	if len(lines) == 0 {
		lines = append(lines, oms.ReturnLine{OrderLineID: o.Lines[0].ID, Quantity: 1})
	}
	_, err := m.eng.RequestReturn(m.ctx, tenant, oms.ReturnRequest{OrderID: o.ID, Reason: returns.ReasonNoLongerNeeded, Lines: lines})
	return true, err
}

func (m *model) anyReturn(tenant string, want ...returns.Status) (*returns.Return, bool) {
	return pick(m, "return", m.state[tenant].returns, func(r *returns.Return) bool {
		for _, s := range want {
			if r.Status == s {
				return true
			}
		}
		return false
	})
}

func (m *model) decideReturn(tenant string) (bool, error) {
	r, ok := m.anyReturn(tenant, returns.StatusRequested)
	if !ok {
		return false, nil
	}
	act := oms.ReturnAction{ReturnID: r.ID, Reason: "model"}
	var err error
	if rapid.IntRange(0, 3).Draw(m.rt, "reject") == 0 {
		_, err = m.eng.RejectReturn(m.ctx, tenant, act)
	} else {
		_, err = m.eng.ApproveReturn(m.ctx, tenant, act)
	}
	return true, err
}

func (m *model) receiveReturn(tenant string) (bool, error) {
	r, ok := m.anyReturn(tenant, returns.StatusApproved)
	if !ok {
		return false, nil
	}
	var receipts []returns.Receipt
	for _, l := range r.Lines {
		q := int64(rapid.IntRange(0, int(l.Quantity)).Draw(m.rt, "received"))
		if q == 0 {
			continue
		}
		receipts = append(receipts, returns.Receipt{OrderLineID: l.OrderLineID, Quantity: q,
			Resellable: int64(rapid.IntRange(0, int(q)).Draw(m.rt, "resellable"))})
	}
	_, err := m.eng.ReceiveReturn(m.ctx, tenant, oms.ReceiveReturnRequest{ReturnID: r.ID, Receipts: receipts})
	return true, err
}

func (m *model) refundReturn(tenant string) (bool, error) {
	r, ok := m.anyReturn(tenant, returns.StatusReceived)
	if !ok {
		return false, nil
	}
	_, err := m.eng.RefundReturn(m.ctx, tenant, oms.ReturnAction{ReturnID: r.ID})
	return true, err
}

func (m *model) closeReturn(tenant string) (bool, error) {
	r, ok := m.anyReturn(tenant, returns.StatusRefunded, returns.StatusRejected)
	if !ok {
		return false, nil
	}
	_, err := m.eng.CloseReturn(m.ctx, tenant, oms.ReturnAction{ReturnID: r.ID})
	return true, err
}

func (m *model) goodwill(tenant string) (bool, error) {
	st := m.state[tenant]
	p, ok := pick(m, "payment", st.payments, func(p *payment.Payment) bool { return p.Captured.IsPositive() })
	if !ok {
		return false, nil
	}
	refundable, err := p.Captured.Sub(orZero(p.Refunded, p.Amount.Currency()))
	if err != nil {
		m.rt.Fatalf("refundable: %v", err)
	}
	cents := refundable.Amount().Shift(2).IntPart()
	amount := money.FromMinor(int64(rapid.IntRange(1, int(cents)+2).Draw(m.rt, "refund cents")), p.Amount.Currency())
	req := oms.RefundRequest{OrderID: p.OrderID, Amount: amount, Reason: "goodwill", IdempotencyKey: m.key("goodwill")}
	_, err = m.eng.RefundPayment(m.ctx, tenant, req)
	if err == nil {
		m.refunds[tenant] = append(m.refunds[tenant], req)
	}
	over, _ := amount.Cmp(refundable)
	if over > 0 && !errors.Is(err, payment.ErrExceedsCaptured) {
		m.rt.Fatalf("goodwill refund of %s with %s refundable: want payment.ErrExceedsCaptured, got %v", amount, refundable, err)
	}
	if over <= 0 && err != nil {
		m.rt.Fatalf("goodwill refund of %s with %s refundable: %v", amount, refundable, err)
	}
	return true, err
}

func (m *model) complete(tenant string) (bool, error) {
	req, ok := m.orderReq(tenant, order.StatusDelivered, order.StatusPartiallyReturned, order.StatusReturned)
	if !ok {
		return false, nil
	}
	_, err := m.eng.CompleteOrder(m.ctx, tenant, req)
	return true, err
}

func (m *model) recover(tenant string) (bool, error) {
	_, err := recoverTenant(m.ctx, m.eng, tenant)
	return true, err
}

// foreign names a row of the other tenant: the engine must not find it.
func (m *model) foreign(tenant string) (bool, error) {
	other := m.tenants[0]
	if other == tenant {
		other = m.tenants[1]
	}
	o, ok := m.anyOrder(other)
	if !ok {
		return false, nil
	}
	req := oms.OrderRequest{OrderID: o.ID, Reason: "foreign"}
	var err error
	switch rapid.IntRange(0, 3).Draw(m.rt, "foreign op") {
	case 0:
		_, err = m.eng.CancelOrder(m.ctx, tenant, req)
	case 1:
		_, err = m.eng.HoldOrder(m.ctx, tenant, req)
	case 2:
		_, err = m.eng.CreateFulfillments(m.ctx, tenant, req)
	default:
		_, err = m.eng.RefundPayment(m.ctx, tenant, oms.RefundRequest{OrderID: o.ID,
			Amount: money.FromMinor(1, "EUR"), IdempotencyKey: m.key("foreign")})
	}
	if !errors.Is(err, storage.ErrNotFound) {
		m.rt.Fatalf("a call in tenant %s naming order %s of tenant %s: want storage.ErrNotFound, got %v", tenant, o.ID, other, err)
	}
	return true, err
}

// progress takes one order, preferably unfinished, one step along its
// lifecycle as DriveToEnd would, except that a delivered order is as
// likely to get a return request as to be completed.
func (m *model) progress(tenant string) (bool, error) {
	unfinished := func(o *order.Order) bool {
		return o.Status != order.StatusCompleted && o.Status != order.StatusCancelled
	}
	o, ok := pick(m, "order", m.state[tenant].orders, unfinished)
	if !ok {
		return false, nil
	}
	if rapid.Bool().Draw(m.rt, "oldest") {
		// Half the time the oldest unfinished order, so that orders get
		// deep into their lifecycle (returns, refunds) within a sequence.
		for _, x := range m.state[tenant].orders {
			if unfinished(x) {
				o = x
				break
			}
		}
	}
	d, err := m.eng.OrderDetails(m.ctx, tenant, o.ID)
	if err != nil {
		m.rt.Fatalf("order details: %v", err)
	}
	if finished(d) || d.Order.Status == order.StatusCompleted {
		return false, nil
	}
	switch d.Order.Status {
	case order.StatusDelivered, order.StatusPartiallyReturned:
		open := false
		for _, r := range d.Returns {
			open = open || (r.Status != returns.StatusClosed)
		}
		if !open && rapid.Bool().Draw(m.rt, "return instead") {
			return m.requestReturnOf(tenant, d.Order)
		}
	case order.StatusShipped:
		m.clock.Advance(time.Duration(rapid.IntRange(12, 72).Draw(m.rt, "hours")) * time.Hour)
	}
	_, _, err = driveStep(m.ctx, m.eng, tenant, d)
	return true, err
}

// repeatPlacement places an earlier draft again: while its order is not
// cancelled, the engine returns that order and changes nothing.
func (m *model) repeatPlacement(tenant string) (bool, error) {
	if len(m.placed[tenant]) == 0 {
		return false, nil
	}
	req := m.placed[tenant][rapid.IntRange(0, len(m.placed[tenant])-1).Draw(m.rt, "placement")]
	var first *order.Order
	for _, o := range m.state[tenant].orders {
		if o.ExternalRef == req.Order.ExternalRef && o.Status != order.StatusCancelled {
			first = o
		}
	}
	if first == nil {
		return false, nil // cancelled: its reference was freed for a new attempt
	}
	m.unchanged = true
	o, err := m.eng.PlaceOrder(m.ctx, tenant, req)
	if err != nil || o == nil || o.ID != first.ID {
		m.rt.Fatalf("repeat of the placement of order %s (%s): got %v, %v", first.ID, first.Status, o, err)
	}
	return true, err
}

// repeatRefund repeats an earlier goodwill refund, on its own order (the
// repeat refunds nothing) or on another (ErrIdempotencyKeyReused).
func (m *model) repeatRefund(tenant string) (bool, error) {
	if len(m.refunds[tenant]) == 0 {
		return false, nil
	}
	req := m.refunds[tenant][rapid.IntRange(0, len(m.refunds[tenant])-1).Draw(m.rt, "refund")]
	m.unchanged = true
	other, ok := m.anyOrder(tenant)
	if ok && other.ID != req.OrderID && rapid.Bool().Draw(m.rt, "other order") {
		req.OrderID = other.ID
		_, err := m.eng.RefundPayment(m.ctx, tenant, req)
		if !errors.Is(err, oms.ErrIdempotencyKeyReused) {
			m.rt.Fatalf("refund key %s reused on order %s: want oms.ErrIdempotencyKeyReused, got %v", req.IdempotencyKey, other.ID, err)
		}
		return true, err
	}
	_, err := m.eng.RefundPayment(m.ctx, tenant, req)
	if err != nil {
		m.rt.Fatalf("repeat of goodwill refund %s: %v", req.IdempotencyKey, err)
	}
	return true, err
}

// feedback leaves a rating, sometimes out of range, on a delivered order.
func (m *model) feedback(tenant string) (bool, error) {
	o, ok := m.anyOrder(tenant, order.StatusDelivered, order.StatusPartiallyReturned, order.StatusReturned, order.StatusCompleted)
	if !ok {
		return false, nil
	}
	_, err := m.eng.LeaveFeedback(m.ctx, tenant, oms.FeedbackRequest{OrderID: o.ID,
		Rating: rapid.IntRange(0, 6).Draw(m.rt, "rating"), Comment: "model"})
	return true, err
}
