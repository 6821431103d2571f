package omstest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/shipping"
	"github.com/ordersmith/oms/storage"
)

// ErrInjected matches (errors.Is) every error a fault wrapper makes up, so
// a test can tell an injected failure from one of the wrapped
// implementation.
var ErrInjected = errors.New("omstest: injected fault")

// Mode says how an injected fault fails a call.
type Mode int

// The fault modes.
const (
	// FailBefore fails the call with a transient error without calling the
	// wrapped implementation: nothing happened.
	FailBefore Mode = iota + 1
	// FailAfter calls the wrapped implementation and lets it act (a
	// store's transaction commits, a gateway captures, a carrier buys the
	// label), then returns a transient error instead of its answer: the
	// answer is lost. When the wrapped call itself fails, its error is
	// returned unchanged.
	FailAfter
	// Timeout waits until the call's context is done or the wrapper's
	// timeout bound passes, whichever comes first, and then fails the call
	// with an error matching context.DeadlineExceeded, without calling the
	// wrapped implementation.
	Timeout
)

// Modes returns every fault mode, in the order the fault suite runs them.
func Modes() []Mode { return []Mode{FailBefore, FailAfter, Timeout} }

// String returns the mode's name: "fail_before", "fail_after", "timeout".
func (m Mode) String() string {
	switch m {
	case FailBefore:
		return "fail_before"
	case FailAfter:
		return "fail_after"
	case Timeout:
		return "timeout"
	}
	return fmt.Sprintf("mode(%d)", int(m))
}

// Operation names: the operations the wrappers count and can fail.
const (
	// OpTx is storage.Store.Tx.
	OpTx = "Tx"
	// OpClaim, OpAck and OpRelease are the storage.OutboxRelay methods.
	OpClaim   = "Claim"
	OpAck     = "Ack"
	OpRelease = "Release"
	// OpAuthorize, OpCapture, OpVoid and OpRefund are the payment.Gateway
	// methods.
	OpAuthorize = "Authorize"
	OpCapture   = "Capture"
	OpVoid      = "Void"
	OpRefund    = "Refund"
	// OpRates, OpBuyLabel, OpTrack and OpVoidLabel are the
	// shipping.Carrier methods that can fail (Name cannot and is not
	// counted).
	OpRates     = "Rates"
	OpBuyLabel  = "BuyLabel"
	OpTrack     = "Track"
	OpVoidLabel = "VoidLabel"
)

// DefaultTimeout bounds how long a Timeout fault waits for the call's
// context when the wrapper's Timeout field is zero.
const DefaultTimeout = 20 * time.Millisecond

// Fault plans one failure: the N-th call (counting from 1) of the
// operation Op, or of any operation when Op is empty, fails in Mode.
type Fault struct {
	// Op names the operation whose calls are counted (OpTx, OpCapture,
	// ...); empty counts every call of the wrapper.
	Op string
	// N is the number of the call that fails, from 1; zero or negative
	// never fails.
	N int
	// Mode is how the call fails.
	Mode Mode
}

// String describes the fault, as "Capture#2/fail_after".
func (f Fault) String() string {
	op := f.Op
	if op == "" {
		op = "any"
	}
	return fmt.Sprintf("%s#%d/%s", op, f.N, f.Mode)
}

// injector holds the call counts and the fault plan of one wrapper; it is
// safe for concurrent use.
type injector struct {
	mu      sync.Mutex
	calls   map[string]int
	total   int
	plan    []Fault
	fired   []Fault
	timeout time.Duration
}

// decide counts one call of op and returns the fault that hits it, if
// any; a fault fires once.
func (in *injector) decide(op string) (Fault, bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.calls == nil {
		in.calls = map[string]int{}
	}
	in.calls[op]++
	in.total++
	for i, f := range in.plan {
		n := in.total
		if f.Op != "" {
			if f.Op != op {
				continue
			}
			n = in.calls[op]
		}
		if f.N > 0 && n == f.N {
			in.plan = append(in.plan[:i:i], in.plan[i+1:]...)
			in.fired = append(in.fired, f)
			return f, true
		}
	}
	return Fault{}, false
}

func (in *injector) inject(faults []Fault) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.plan = append([]Fault(nil), faults...)
}

func (in *injector) disarm() []Fault {
	in.mu.Lock()
	defer in.mu.Unlock()
	left := in.plan
	in.plan = nil
	return left
}

func (in *injector) counts() map[string]int {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := make(map[string]int, len(in.calls))
	for op, n := range in.calls {
		out[op] = n
	}
	return out
}

func (in *injector) count(op string) int {
	in.mu.Lock()
	defer in.mu.Unlock()
	if op == "" {
		return in.total
	}
	return in.calls[op]
}

func (in *injector) firedFaults() []Fault {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]Fault(nil), in.fired...)
}

// wait blocks until ctx is done or the timeout bound passes.
func (in *injector) wait(ctx context.Context) {
	in.mu.Lock()
	d := in.timeout
	in.mu.Unlock()
	if d <= 0 {
		d = DefaultTimeout
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// injectedError is the error of a fault: it matches ErrInjected, the
// wrapped kind's transient sentinel and, for Timeout, also
// context.DeadlineExceeded.
type injectedError struct {
	fault     Fault
	transient error
}

func (e *injectedError) Error() string {
	return fmt.Sprintf("omstest: injected %s: %v", e.fault, e.transient)
}

func (e *injectedError) Is(target error) bool {
	switch target {
	case ErrInjected, e.transient:
		return true
	case context.DeadlineExceeded:
		return e.fault.Mode == Timeout
	}
	return false
}

// counter is the part of the wrappers' API that reads and arms faults;
// every wrapper embeds it.
type counter struct{ in injector }

// Inject replaces the wrapper's fault plan with faults. Each fault fires
// at most once; calls are counted from the wrapper's creation, so a plan
// names call numbers as Calls reports them.
func (c *counter) Inject(faults ...Fault) { c.in.inject(faults) }

// Disarm removes the faults that have not fired yet and returns them.
func (c *counter) Disarm() []Fault { return c.in.disarm() }

// Calls returns how many calls of each operation the wrapper has seen.
func (c *counter) Calls() map[string]int { return c.in.counts() }

// Count returns how many calls of op the wrapper has seen; an empty op
// counts every call.
func (c *counter) Count(op string) int { return c.in.count(op) }

// Fired returns the faults that have fired, in the order they did.
func (c *counter) Fired() []Fault { return c.in.firedFaults() }

// SetTimeout sets how long a Timeout fault waits for the call's context
// at most; zero or negative means DefaultTimeout.
func (c *counter) SetTimeout(d time.Duration) {
	c.in.mu.Lock()
	defer c.in.mu.Unlock()
	c.in.timeout = d
}

// FaultyStore wraps a storage.Store and fails the calls its fault plan
// names: Tx calls (OpTx) and, through Outbox, the relay's Claim, Ack and
// Release (OpClaim, OpAck, OpRelease). Injected errors match ErrInjected
// and storage.ErrUnavailable (Timeout: also context.DeadlineExceeded). A
// FailAfter Tx lets the transaction commit and then loses the answer; a
// FailAfter relay call acts (claims, acknowledges or releases) and loses
// the answer. FaultyStore is safe for concurrent use.
type FaultyStore struct {
	counter
	inner storage.Store
}

var _ storage.Store = (*FaultyStore)(nil)

// NewFaultyStore wraps inner with the fault plan faults.
func NewFaultyStore(inner storage.Store, faults ...Fault) *FaultyStore {
	s := &FaultyStore{inner: inner}
	s.Inject(faults...)
	return s
}

// Unwrap returns the wrapped store.
func (s *FaultyStore) Unwrap() storage.Store { return s.inner }

// Tx runs fn in a transaction of the wrapped store, unless a fault hits
// the call. It returns fn's or the wrapped store's error unchanged, or an
// injected error (see FaultyStore).
func (s *FaultyStore) Tx(ctx context.Context, tenant string, fn func(storage.Tx) error) error {
	f, hit := s.in.decide(OpTx)
	if !hit {
		return s.inner.Tx(ctx, tenant, fn)
	}
	return runFault(ctx, &s.in, f, storage.ErrUnavailable, func() error {
		return s.inner.Tx(ctx, tenant, fn)
	})
}

// Outbox returns the wrapped store's relay side, its calls counted and
// failed by the same plan as Tx.
func (s *FaultyStore) Outbox() storage.OutboxRelay {
	return &faultyRelay{s: s, inner: s.inner.Outbox()}
}

// runFault applies fault f to a call that does act and returns only an
// error.
func runFault(ctx context.Context, in *injector, f Fault, transient error, act func() error) error {
	err := &injectedError{fault: f, transient: transient}
	switch f.Mode {
	case FailAfter:
		if aerr := act(); aerr != nil {
			return aerr
		}
	case Timeout:
		in.wait(ctx)
	}
	return err
}

type faultyRelay struct {
	s     *FaultyStore
	inner storage.OutboxRelay
}

func (r *faultyRelay) Claim(ctx context.Context, owner string, limit int, now time.Time, lease time.Duration) ([]storage.Event, error) {
	f, hit := r.s.in.decide(OpClaim)
	if !hit {
		return r.inner.Claim(ctx, owner, limit, now, lease)
	}
	return nil, runFault(ctx, &r.s.in, f, storage.ErrUnavailable, func() error {
		_, err := r.inner.Claim(ctx, owner, limit, now, lease)
		return err
	})
}

func (r *faultyRelay) Ack(ctx context.Context, owner string, ids []uuid.UUID) error {
	f, hit := r.s.in.decide(OpAck)
	if !hit {
		return r.inner.Ack(ctx, owner, ids)
	}
	return runFault(ctx, &r.s.in, f, storage.ErrUnavailable, func() error { return r.inner.Ack(ctx, owner, ids) })
}

func (r *faultyRelay) Release(ctx context.Context, owner string, ids []uuid.UUID) error {
	f, hit := r.s.in.decide(OpRelease)
	if !hit {
		return r.inner.Release(ctx, owner, ids)
	}
	return runFault(ctx, &r.s.in, f, storage.ErrUnavailable, func() error { return r.inner.Release(ctx, owner, ids) })
}

// FaultyGateway wraps a payment.Gateway and fails the calls its fault plan
// names (OpAuthorize, OpCapture, OpVoid, OpRefund). Injected errors match
// ErrInjected and payment.ErrTransient (Timeout: also
// context.DeadlineExceeded), as the Gateway contract classifies a
// retryable failure. It also keeps its own record of what the wrapped
// gateway did (every successful answer, including those a FailAfter fault
// then hid), which Authorizations returns when the wrapped gateway keeps
// none. FaultyGateway is safe for concurrent use.
type FaultyGateway struct {
	counter
	inner payment.Gateway

	mu    sync.Mutex
	auths map[string]*payment.AuthorizationState
	order []string
	seen  map[string]bool // idempotency keys of recorded successes
}

var (
	_ payment.Gateway = (*FaultyGateway)(nil)
	_ Ledger          = (*FaultyGateway)(nil)
)

// NewFaultyGateway wraps inner with the fault plan faults.
func NewFaultyGateway(inner payment.Gateway, faults ...Fault) *FaultyGateway {
	g := &FaultyGateway{inner: inner, auths: map[string]*payment.AuthorizationState{}, seen: map[string]bool{}}
	g.Inject(faults...)
	return g
}

// Unwrap returns the wrapped gateway.
func (g *FaultyGateway) Unwrap() payment.Gateway { return g.inner }

// Authorize authorizes through the wrapped gateway unless a fault hits the
// call; it returns the wrapped gateway's answer or an injected error.
func (g *FaultyGateway) Authorize(ctx context.Context, req payment.AuthorizeRequest) (payment.Result, error) {
	return g.call(ctx, OpAuthorize, func() (payment.Result, error) {
		res, err := g.inner.Authorize(ctx, req)
		if err == nil {
			g.record(OpAuthorize, req.IdempotencyKey, func() {
				if _, ok := g.auths[res.Ref]; !ok {
					cur := res.Amount.Currency()
					g.auths[res.Ref] = &payment.AuthorizationState{Ref: res.Ref, Amount: res.Amount,
						Captured: money.Zero(cur), Refunded: money.Zero(cur)}
					g.order = append(g.order, res.Ref)
				}
			})
		}
		return res, err
	})
}

// Capture captures through the wrapped gateway unless a fault hits the
// call; it returns the wrapped gateway's answer or an injected error.
func (g *FaultyGateway) Capture(ctx context.Context, req payment.CaptureRequest) (payment.Result, error) {
	return g.call(ctx, OpCapture, func() (payment.Result, error) {
		res, err := g.inner.Capture(ctx, req)
		if err == nil {
			g.record(OpCapture, req.IdempotencyKey, func() {
				if a := g.auths[req.AuthorizationRef]; a != nil {
					if sum, err := a.Captured.Add(req.Amount); err == nil {
						a.Captured = sum
					}
				}
			})
		}
		return res, err
	})
}

// Void voids through the wrapped gateway unless a fault hits the call; it
// returns the wrapped gateway's answer or an injected error.
func (g *FaultyGateway) Void(ctx context.Context, req payment.VoidRequest) (payment.Result, error) {
	return g.call(ctx, OpVoid, func() (payment.Result, error) {
		res, err := g.inner.Void(ctx, req)
		if err == nil {
			g.record(OpVoid, req.IdempotencyKey, func() {
				if a := g.auths[req.AuthorizationRef]; a != nil {
					a.Voided = true
				}
			})
		}
		return res, err
	})
}

// Refund refunds through the wrapped gateway unless a fault hits the
// call; it returns the wrapped gateway's answer or an injected error.
func (g *FaultyGateway) Refund(ctx context.Context, req payment.RefundRequest) (payment.Result, error) {
	return g.call(ctx, OpRefund, func() (payment.Result, error) {
		res, err := g.inner.Refund(ctx, req)
		if err == nil {
			g.record(OpRefund, req.IdempotencyKey, func() {
				if a := g.auths[req.AuthorizationRef]; a != nil {
					if sum, err := a.Refunded.Add(req.Amount); err == nil {
						a.Refunded = sum
					}
				}
			})
		}
		return res, err
	})
}

// Authorizations returns every authorization the gateway holds: the
// wrapped gateway's own record when it has the method Authorizations,
// else the wrapper's record of the wrapped gateway's successful answers
// (a repeat of an idempotency key counted once), in the order they were
// first authorized.
func (g *FaultyGateway) Authorizations() []payment.AuthorizationState {
	if l, ok := g.inner.(Ledger); ok {
		return l.Authorizations()
	}
	return g.Observed()
}

// Observed returns the wrapper's own record of what the wrapped gateway
// did, whatever the wrapped gateway keeps itself.
func (g *FaultyGateway) Observed() []payment.AuthorizationState {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]payment.AuthorizationState, 0, len(g.order))
	for _, ref := range g.order {
		out = append(out, *g.auths[ref])
	}
	return out
}

// record applies change once per operation and idempotency key.
func (g *FaultyGateway) record(op, key string, change func()) {
	g.mu.Lock()
	defer g.mu.Unlock()
	k := op + "\x00" + key
	if g.seen[k] {
		return
	}
	g.seen[k] = true
	change()
}

func (g *FaultyGateway) call(ctx context.Context, op string, act func() (payment.Result, error)) (payment.Result, error) {
	f, hit := g.in.decide(op)
	if !hit {
		return act()
	}
	return payment.Result{}, runFault(ctx, &g.in, f, payment.ErrTransient, func() error {
		_, err := act()
		return err
	})
}

// FaultyCarrier wraps a shipping.Carrier and fails the calls its fault
// plan names (OpRates, OpBuyLabel, OpTrack, OpVoidLabel; Name is passed
// through and not counted). Injected errors match ErrInjected and
// shipping.ErrTransient (Timeout: also context.DeadlineExceeded), as the
// Carrier contract classifies a retryable failure. FaultyCarrier is safe
// for concurrent use.
type FaultyCarrier struct {
	counter
	inner shipping.Carrier
}

var _ shipping.Carrier = (*FaultyCarrier)(nil)

// NewFaultyCarrier wraps inner with the fault plan faults.
func NewFaultyCarrier(inner shipping.Carrier, faults ...Fault) *FaultyCarrier {
	c := &FaultyCarrier{inner: inner}
	c.Inject(faults...)
	return c
}

// Unwrap returns the wrapped carrier.
func (c *FaultyCarrier) Unwrap() shipping.Carrier { return c.inner }

// Name returns the wrapped carrier's name.
func (c *FaultyCarrier) Name() string { return c.inner.Name() }

// Rates quotes through the wrapped carrier unless a fault hits the call;
// it returns the wrapped carrier's answer or an injected error.
func (c *FaultyCarrier) Rates(ctx context.Context, req shipping.RateRequest) ([]shipping.Rate, error) {
	f, hit := c.in.decide(OpRates)
	if !hit {
		return c.inner.Rates(ctx, req)
	}
	return nil, runFault(ctx, &c.in, f, shipping.ErrTransient, func() error {
		_, err := c.inner.Rates(ctx, req)
		return err
	})
}

// BuyLabel buys through the wrapped carrier unless a fault hits the call;
// it returns the wrapped carrier's answer or an injected error.
func (c *FaultyCarrier) BuyLabel(ctx context.Context, req shipping.LabelRequest) (shipping.Label, error) {
	f, hit := c.in.decide(OpBuyLabel)
	if !hit {
		return c.inner.BuyLabel(ctx, req)
	}
	return shipping.Label{}, runFault(ctx, &c.in, f, shipping.ErrTransient, func() error {
		_, err := c.inner.BuyLabel(ctx, req)
		return err
	})
}

// Track tracks through the wrapped carrier unless a fault hits the call;
// it returns the wrapped carrier's answer or an injected error.
func (c *FaultyCarrier) Track(ctx context.Context, trackingNumber string) (shipping.TrackingInfo, error) {
	f, hit := c.in.decide(OpTrack)
	if !hit {
		return c.inner.Track(ctx, trackingNumber)
	}
	return shipping.TrackingInfo{}, runFault(ctx, &c.in, f, shipping.ErrTransient, func() error {
		_, err := c.inner.Track(ctx, trackingNumber)
		return err
	})
}

// VoidLabel voids through the wrapped carrier unless a fault hits the
// call; it returns the wrapped carrier's error or an injected error.
func (c *FaultyCarrier) VoidLabel(ctx context.Context, trackingNumber string) error {
	f, hit := c.in.decide(OpVoidLabel)
	if !hit {
		return c.inner.VoidLabel(ctx, trackingNumber)
	}
	return runFault(ctx, &c.in, f, shipping.ErrTransient, func() error { return c.inner.VoidLabel(ctx, trackingNumber) })
}

// sortedOps returns the operations of counts in name order.
func sortedOps(counts map[string]int) []string {
	ops := make([]string, 0, len(counts))
	for op := range counts {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	return ops
}
