package oms

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/storage"
)

// Handler receives one outbox event. Delivery is at least once: a handler
// may see the same event again (same ID) after a failure, a timeout or a
// crash, and must de-duplicate on Event.ID if that matters. Returning an
// error leaves the event, and every later event of the same aggregate, for
// a later delivery, so each aggregate's events arrive in order.
//
// ctx ends at the delivery deadline (RelayOptions.DeliveryTimeout); a
// handler should return when it does. One that overruns is abandoned, not
// stopped: it may still be running when the relay calls the handlers
// again, for other events or for the same one, so a handler that can
// overrun must be safe for concurrent use.
type Handler func(ctx context.Context, e storage.Event) error

// RelayOptions configures a Relay; the zero value works.
type RelayOptions struct {
	// Owner names this relay in leases; empty picks a random name. Each
	// running relay needs its own.
	Owner string
	// BatchSize is how many events one claim takes; zero means 100.
	BatchSize int
	// Lease is how long claimed events stay reserved to this relay before
	// another may take them; zero means 30 seconds.
	Lease time.Duration
	// Interval is how long Run waits when the outbox is empty; zero means
	// 200 milliseconds.
	Interval time.Duration
	// MaxAttempts, with DeadLetter, bounds how often this relay tries an
	// event its handlers keep failing: after that many failed deliveries
	// the event goes to DeadLetter instead, and when DeadLetter returns
	// nil the event counts as delivered, so the aggregate's later events
	// flow again. Attempts are counted by this Relay value, not stored: a
	// restarted process counts afresh. Zero means try for ever.
	MaxAttempts int
	// DeadLetter receives an event that failed MaxAttempts times, with the
	// last error. If it fails too, the event stays undelivered.
	DeadLetter func(ctx context.Context, e storage.Event, cause error) error
	// DeliveryTimeout bounds one delivery: the handlers' calls for one
	// event, and a DeadLetter call. Each gets a context with this deadline,
	// and the relay stops waiting when it passes even if the call does
	// not return: the overrun counts as a failed attempt (the error wraps
	// ErrDeliveryTimeout), so MaxAttempts and DeadLetter apply, and the
	// other aggregates' events keep flowing. An abandoned call runs on
	// alone and its result is dropped. Zero (or negative) means 10
	// seconds: there is no "wait for ever", because one stuck subscriber
	// would then stop delivery for every aggregate of every tenant. Keep
	// it well under Lease: a batch that outlives its lease may be claimed
	// by another relay and delivered twice.
	DeliveryTimeout time.Duration
}

// ErrDeliveryTimeout means a handler, or DeadLetter, did not return within
// RelayOptions.DeliveryTimeout; the relay counted a failed attempt and
// moved on. An error wrapping it also matches context.DeadlineExceeded.
var ErrDeliveryTimeout = errors.New("oms: delivery timed out")

// defaultDeliveryTimeout is a third of the default lease, so a batch held
// up by a stuck subscriber still ends while its lease holds.
const defaultDeliveryTimeout = 10 * time.Second

// Relay delivers outbox events to subscribers at least once, in order per
// aggregate. Several relays, in one process or many, may run against one
// store. A Relay is safe for concurrent use.
type Relay struct {
	outbox storage.OutboxRelay
	clock  func() time.Time
	opts   RelayOptions

	mu       sync.RWMutex
	handlers []Handler

	// delivering makes one batch at a time: the store hands an owner back
	// the events it leased, so two batches of one relay would overlap. It
	// also guards attempts.
	delivering sync.Mutex
	attempts   map[uuid.UUID]int // failed deliveries per event, while it fails
}

// NewRelay returns a relay over the engine's store.
func (e *Engine) NewRelay(opts RelayOptions) *Relay {
	if opts.Owner == "" {
		opts.Owner = "relay-" + uuid.NewString()
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 100
	}
	if opts.Lease <= 0 {
		opts.Lease = 30 * time.Second
	}
	if opts.Interval <= 0 {
		opts.Interval = 200 * time.Millisecond
	}
	if opts.DeliveryTimeout <= 0 {
		opts.DeliveryTimeout = defaultDeliveryTimeout
	}
	return &Relay{outbox: e.store.Outbox(), clock: e.clock, opts: opts}
}

// Subscribe adds a handler; every event goes to every handler, in the
// order they were added.
func (r *Relay) Subscribe(h Handler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.handlers = append(r.handlers, h)
}

// DeliverOnce claims one batch and delivers it; concurrent calls on one
// Relay take turns (run several Relays, each with its own Owner, to
// deliver in parallel). It returns how many events were delivered. An
// event whose delivery failed or overran DeliveryTimeout holds back only
// its own aggregate's later events; it and they are released for the next
// run (or dead-lettered, see MaxAttempts). If ctx is cancelled part way,
// the events delivered so far are acknowledged and the rest are released
// for the next run, so nothing is lost. Once so little of the batch's
// lease is left that a delivery might outlast it, the rest of the batch is
// released for the next claim too.
//
// The error joins, each under its event's ID, the handlers' errors and
// ErrDeliveryTimeout for overruns, then any Claim, Ack or Release error of
// the store and ctx's error.
func (r *Relay) DeliverOnce(ctx context.Context) (int, error) {
	r.delivering.Lock()
	defer r.delivering.Unlock()
	now := r.clock()
	leaseEnd := now.Add(r.opts.Lease)
	events, err := r.outbox.Claim(ctx, r.opts.Owner, r.opts.BatchSize, now, r.opts.Lease)
	if err != nil {
		return 0, fmt.Errorf("oms: relay claim: %w", err)
	}
	r.mu.RLock()
	handlers := append([]Handler(nil), r.handlers...)
	r.mu.RUnlock()

	var (
		done, undone []uuid.UUID
		failed       = make(map[uuid.UUID]bool) // aggregates with an undelivered event
		errs         []error
		tried        bool
	)
	for _, ev := range events {
		if failed[ev.AggregateID] || ctx.Err() != nil {
			undone = append(undone, ev.ID)
			continue
		}
		if tried && r.clock().Add(r.opts.DeliveryTimeout).After(leaseEnd) {
			// The lease could run out during this delivery, and another
			// relay take the event: leave the rest to the next claim.
			undone = append(undone, ev.ID)
			continue
		}
		tried = true
		if err := r.call(ctx, deliverTo(handlers, ev)); err != nil {
			if r.deadLettered(ctx, ev, err) {
				done = append(done, ev.ID)
				continue
			}
			failed[ev.AggregateID] = true
			undone = append(undone, ev.ID)
			errs = append(errs, fmt.Errorf("event %s (%s): %w", ev.ID, ev.Type, err))
			continue
		}
		delete(r.attempts, ev.ID)
		done = append(done, ev.ID)
	}
	bg := context.WithoutCancel(ctx)
	if len(done) > 0 {
		if err := r.outbox.Ack(bg, r.opts.Owner, done); err != nil {
			errs = append(errs, fmt.Errorf("ack: %w", err))
		}
	}
	if len(undone) > 0 {
		if err := r.outbox.Release(bg, r.opts.Owner, undone); err != nil {
			errs = append(errs, fmt.Errorf("release: %w", err))
		}
	}
	if err := ctx.Err(); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return len(done), fmt.Errorf("oms: relay: %w", errors.Join(errs...))
	}
	return len(done), nil
}

// deadLettered counts a failed delivery and, once the event has failed
// MaxAttempts times, hands it to DeadLetter; it reports whether the event
// is now dealt with.
func (r *Relay) deadLettered(ctx context.Context, ev storage.Event, cause error) bool {
	if r.opts.MaxAttempts <= 0 || r.opts.DeadLetter == nil || ctx.Err() != nil {
		return false // a failure while shutting down is not the subscriber's verdict
	}
	if r.attempts == nil {
		r.attempts = make(map[uuid.UUID]int)
	}
	r.attempts[ev.ID]++
	if r.attempts[ev.ID] < r.opts.MaxAttempts {
		return false
	}
	deadLetter := r.opts.DeadLetter
	if err := r.call(ctx, func(ctx context.Context) error { return deadLetter(ctx, ev, cause) }); err != nil {
		return false
	}
	delete(r.attempts, ev.ID)
	return true
}

// deliverTo returns the delivery of ev to every handler, in order.
func deliverTo(handlers []Handler, ev storage.Event) func(context.Context) error {
	return func(ctx context.Context) error {
		for _, h := range handlers {
			if err := h(ctx, ev); err != nil {
				return err
			}
		}
		return nil
	}
}

// shutdownGrace is how long a delivery still waits for its handler's
// answer after the relay's own context ended.
const shutdownGrace = 100 * time.Millisecond

// call runs f with a context that ends at the delivery deadline or when
// ctx does, and waits for f's answer until the deadline, or until
// shutdownGrace after ctx ended: an answer f gives meanwhile counts. Then
// it stops waiting even if f has not returned. An abandoned f runs on in its goroutine; it only ever sends
// its result to a buffered channel nobody reads any more, so it cannot
// block, and it must capture nothing of the relay's own state.
func (r *Relay) call(ctx context.Context, f func(context.Context) error) error {
	timeout := r.opts.DeliveryTimeout
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel() // tells an abandoned f to stop, if it listens
	result := make(chan error, 1)
	go func() { result <- protect(dctx, f) }()
	// Wait for the answer until the deadline. When the caller gives up
	// first, wait a short grace more: a handler that has acted and is
	// returning (it sees dctx end) is counted, not delivered again; one
	// that hangs does not hold the shutdown back.
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case err := <-result:
		return err
	case <-timer.C:
	case <-ctx.Done():
		grace := time.NewTimer(min(shutdownGrace, timeout))
		defer grace.Stop()
		select {
		case err := <-result:
			return err
		case <-grace.C:
		case <-timer.C:
		}
	}
	select {
	case err := <-result: // it returned just as the deadline passed: its answer counts
		return err
	default:
	}
	if err := ctx.Err(); err != nil {
		return err // the caller gave up: not the subscriber's verdict
	}
	return fmt.Errorf("%w: no answer within %s: %w", ErrDeliveryTimeout, timeout, context.DeadlineExceeded)
}

// protect runs f, turning a panic into an error.
func protect(ctx context.Context, f func(context.Context) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("handler panicked: %v", p)
		}
	}()
	return f(ctx)
}

// Drain delivers until the outbox has nothing left that this relay can
// claim, and returns how many events it delivered.
func (r *Relay) Drain(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := r.DeliverOnce(ctx)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
}

// Run delivers until ctx is cancelled, waiting Interval whenever the outbox
// is empty or a delivery fails. It returns ctx's error.
func (r *Relay) Run(ctx context.Context) error {
	for {
		n, err := r.DeliverOnce(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err == nil && n > 0 {
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(r.opts.Interval):
		}
	}
}
