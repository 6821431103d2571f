package oms

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/internal/uuidv7"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/returns"
	"github.com/ordersmith/oms/shipping"
	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/memory"
)

// DefaultTenant is the tenant of requests that name none: a single-merchant
// host never needs another.
const DefaultTenant = "default"

// Engine runs order lifecycles against a store. It is safe for concurrent
// use; build it with New.
type Engine struct {
	store        storage.Store
	gateways     map[string]payment.Gateway
	gatewayOrder []string
	carriers     []shipping.Carrier
	allocator    inventory.Allocator
	returnPolicy returns.Policy
	clock        func() time.Time
	newID        func() uuid.UUID
	ids          uuidv7.Generator // newID's default source
	log          *slog.Logger
	maxAttempts  int
	lowStock     *int64
	batching     batchLimits        // WithPlacementBatching's; zero when off
	combiner     *combiner          // nil unless WithPlacementBatching
	bulk         *batcher[placeJob] // PlaceOrders' first steps
	observer     Observer           // nil unless WithObserver
	scratch      sync.Pool          // of *[]byte: room for encodings that do not outlive a call
}

// maxScratch is the largest buffer the Engine keeps for reuse.
const maxScratch = 64 << 10

// getScratch returns an empty buffer for an encoding that does not
// outlive the call; putScratch gives it back.
func (e *Engine) getScratch() *[]byte {
	if b, ok := e.scratch.Get().(*[]byte); ok {
		return b
	}
	b := make([]byte, 0, 1024)
	return &b
}

// putScratch keeps b, last holding used, for the next getScratch, unless
// it grew too large to keep.
func (e *Engine) putScratch(b *[]byte, used []byte) {
	if cap(used) > maxScratch {
		return
	}
	*b = used[:0]
	e.scratch.Put(b)
}

// Option configures an Engine.
type Option func(*Engine) error

// WithStore sets the store. The default is a fresh storage/memory store.
func WithStore(s storage.Store) Option {
	return func(e *Engine) error {
		if s == nil {
			return errors.New("oms: WithStore: nil store")
		}
		e.store = s
		return nil
	}
}

// WithGateway registers a payment gateway under name. The first gateway
// registered is the default for orders that name none.
func WithGateway(name string, g payment.Gateway) Option {
	return func(e *Engine) error {
		if name == "" || g == nil {
			return errors.New("oms: WithGateway: empty name or nil gateway")
		}
		if _, dup := e.gateways[name]; dup {
			return fmt.Errorf("oms: WithGateway: gateway %q registered twice", name)
		}
		e.gateways[name] = g
		e.gatewayOrder = append(e.gatewayOrder, name)
		return nil
	}
}

// WithCarrier adds a carrier to shop rates from.
func WithCarrier(c shipping.Carrier) Option {
	return func(e *Engine) error {
		if c == nil {
			return errors.New("oms: WithCarrier: nil carrier")
		}
		e.carriers = append(e.carriers, c)
		return nil
	}
}

// WithAllocator sets the sourcing strategy: a built-in (inventory.Nearest,
// the default; inventory.Priority, inventory.FewestShipments,
// inventory.HighestStock) or the host's own, checked by
// inventory/allocatortest. Every plan is checked with
// inventory.Plan.Check before anything is written, so a faulty allocator
// makes a placement fail with inventory.ErrInvalidPlan, never reserve a
// wrong quantity.
func WithAllocator(a inventory.Allocator) Option {
	return func(e *Engine) error {
		if a == nil {
			return errors.New("oms: WithAllocator: nil allocator")
		}
		e.allocator = a
		return nil
	}
}

// WithReturnPolicy sets the return policy. The default is a 30-day window.
func WithReturnPolicy(p returns.Policy) Option {
	return func(e *Engine) error { e.returnPolicy = p; return nil }
}

// WithClock sets the source of time. The default is time.Now in UTC.
func WithClock(now func() time.Time) Option {
	return func(e *Engine) error {
		if now == nil {
			return errors.New("oms: WithClock: nil clock")
		}
		e.clock = now
		return nil
	}
}

// WithIDs sets the source of new IDs. The default makes UUID version 7
// (RFC 9562), strictly increasing across the engine, without allocating.
func WithIDs(newID func() uuid.UUID) Option {
	return func(e *Engine) error {
		if newID == nil {
			return errors.New("oms: WithIDs: nil ID source")
		}
		e.newID = newID
		return nil
	}
}

// WithLowStockThreshold makes the engine signal replenishment: when a
// movement brings a location's available quantity of a SKU from above n to
// n or below, it appends an EventStockLow event in the same transaction.
// Without this option no such events are emitted.
func WithLowStockThreshold(n int64) Option {
	return func(e *Engine) error {
		if n < 0 {
			return fmt.Errorf("oms: WithLowStockThreshold: negative threshold %d", n)
		}
		e.lowStock = &n
		return nil
	}
}

// WithLogger sets the logger. The default discards everything.
func WithLogger(l *slog.Logger) Option {
	return func(e *Engine) error {
		if l == nil {
			return errors.New("oms: WithLogger: nil logger")
		}
		e.log = l
		return nil
	}
}

// New returns an Engine configured by opts.
func New(opts ...Option) (*Engine, error) {
	e := &Engine{
		gateways:    make(map[string]payment.Gateway),
		allocator:   inventory.Nearest{},
		clock:       func() time.Time { return time.Now().UTC() },
		log:         slog.New(slog.DiscardHandler),
		maxAttempts: 8,
	}
	e.newID = e.ids.New
	for _, opt := range opts {
		if err := opt(e); err != nil {
			return nil, err
		}
	}
	if e.store == nil {
		e.store = memory.New()
	}
	// Built once every option is in, so that they see the final logger.
	if e.batching.window > 0 {
		e.combiner = e.newCombiner(e.batching)
	}
	e.bulk = e.newPlaceBatcher(batchLimits{MaxBatchWindow, MaxPlaceBatch})
	return e, nil
}

// Store returns the engine's store: for a host that reads reports from it,
// runs a relay's outbox side or a test kit (omstest reads the invariants
// through it). Writing through it bypasses the engine's rules, events and
// idempotency; every change belongs in an Engine method.
func (e *Engine) Store() storage.Store { return e.store }

// Now returns the time by the engine's clock (WithClock): the time it
// stamps on what it records, so that a host computes ages and deadlines
// (such as RecoverOptions' durations) on the same clock as the engine.
func (e *Engine) Now() time.Time { return e.clock() }

func tenantOf(t string) string {
	if t == "" {
		return DefaultTenant
	}
	return t
}

// inTx runs fn in one transaction, retrying the whole of it, after a
// jittered backoff, when the store reports an optimistic-concurrency
// conflict or a reservation lost a race for stock (a fresh attempt plans
// again). It is the engine's one retry loop over transactions: when the
// races go on, the last shortage is returned; when the conflicts go on, an
// error wrapping storage.ErrConflict.
func (e *Engine) inTx(ctx context.Context, tenant string, fn func(storage.Tx) error) error {
	if err := checkText(tenantField(tenant)); err != nil {
		return err
	}
	var err error
	for attempt := 1; attempt <= e.maxAttempts; attempt++ {
		err = e.store.Tx(ctx, tenant, fn)
		switch {
		case err == nil:
			return nil
		case isStockRace(err):
			e.log.DebugContext(ctx, "oms: a reservation lost a race for stock; planning again", "attempt", attempt, "err", err)
			if attempt == e.maxAttempts {
				return err
			}
			e.retried(ctx, tenant, attempt, RetryStockRace, err)
			continue // the stock moved on: plan again at once
		case !errors.Is(err, storage.ErrConflict):
			return err
		}
		e.log.DebugContext(ctx, "oms: retrying after conflict", "attempt", attempt, "err", err)
		if attempt < e.maxAttempts {
			e.retried(ctx, tenant, attempt, RetryConflict, err)
		}
		if werr := sleep(ctx, backoff(attempt)); werr != nil {
			return werr
		}
	}
	return fmt.Errorf("oms: gave up after %d conflicting attempts: %w", e.maxAttempts, err)
}

// withoutCancel is context.WithoutCancel, or ctx itself when it is never
// cancelled (a context without a Done channel has no deadline either).
func withoutCancel(ctx context.Context) context.Context {
	if ctx.Done() == nil {
		return ctx
	}
	return context.WithoutCancel(ctx)
}

// backoff is how long to wait before retry attempt+1: exponential from
// 1 ms, capped at 64 ms, with full jitter, so that callers that collided
// do not collide again in step.
func backoff(attempt int) time.Duration {
	ceiling := time.Millisecond << min(attempt-1, 6)
	return time.Duration(rand.Int64N(int64(ceiling))) + time.Millisecond/4
}

// sleep waits d, or returns ctx's error when it ends first.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (e *Engine) gateway(name string) (string, payment.Gateway, error) {
	if name == "" {
		if len(e.gatewayOrder) == 0 {
			return "", nil, fmt.Errorf("oms: no payment gateway configured: %w", ErrNotConfigured)
		}
		name = e.gatewayOrder[0]
	}
	g, ok := e.gateways[name]
	if !ok {
		return "", nil, fmt.Errorf("oms: payment gateway %q: %w", name, ErrNotConfigured)
	}
	return name, g, nil
}
