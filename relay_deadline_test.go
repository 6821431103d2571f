package oms_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/storage"
)

// hangingSubscriber records the events it is given, except those its
// predicate picks: on those it blocks, ignoring its context, until the test
// ends (or unhang is called), as a subscriber stuck on a dead socket does.
type hangingSubscriber struct {
	mu        sync.Mutex
	hangOn    func(storage.Event) bool
	delivered []storage.Event
	hung      []storage.Event // calls that blocked
	release   chan struct{}
	once      sync.Once
}

func newHangingSubscriber(t *testing.T) *hangingSubscriber {
	t.Helper()
	s := &hangingSubscriber{release: make(chan struct{})}
	t.Cleanup(s.unhang) // lets every abandoned call end, so no goroutine outlives the test
	return s
}

// hang makes the subscriber block on every event for which pick is true.
func (s *hangingSubscriber) hang(pick func(storage.Event) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hangOn = pick
}

// unhang ends every blocked call and stops blocking.
func (s *hangingSubscriber) unhang() {
	s.mu.Lock()
	s.hangOn = nil
	s.mu.Unlock()
	s.once.Do(func() { close(s.release) })
}

func (s *hangingSubscriber) handle(_ context.Context, e storage.Event) error {
	s.mu.Lock()
	if s.hangOn != nil && s.hangOn(e) {
		s.hung = append(s.hung, e)
		s.mu.Unlock()
		<-s.release // deaf to ctx
		return nil  // too late: the relay gave up on this call
	}
	s.delivered = append(s.delivered, e)
	s.mu.Unlock()
	return nil
}

// types returns the types of the delivered events of one aggregate, in
// delivery order.
func (s *hangingSubscriber) types(aggregate uuid.UUID) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, e := range s.delivered {
		if e.AggregateID == aggregate {
			out = append(out, e.Type)
		}
	}
	return out
}

func (s *hangingSubscriber) counts() (delivered, hung int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.delivered), len(s.hung)
}

// deliverOnceWithin runs one DeliverOnce and fails the test, instead of
// hanging it, if the call has not returned after a generous bound.
func deliverOnceWithin(t *testing.T, ctx context.Context, r *oms.Relay) (int, error) {
	t.Helper()
	type result struct {
		n   int
		err error
	}
	done := make(chan result, 1)
	go func() {
		n, err := r.DeliverOnce(ctx)
		done <- result{n, err}
	}()
	select {
	case res := <-done:
		return res.n, res.err
	case <-time.After(10 * time.Second):
		t.Fatal("DeliverOnce is still waiting for a hung subscriber after 10s")
		return 0, nil
	}
}

func aggregateIs(id uuid.UUID) func(storage.Event) bool {
	return func(e storage.Event) bool { return e.AggregateID == id }
}

// A subscriber hung on one order's event holds back only that order: the
// other orders of the tenant, and another tenant's, are delivered in the
// same DeliverOnce call, and the hung order follows once the subscriber
// recovers.
func TestRelayDeadlineKeepsOtherAggregatesFlowing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	const acme = "acme"
	loc, err := f.eng.AddLocation(ctx, acme, oms.AddLocationRequest{Code: "BER", Name: "Acme Berlin", Coordinates: inventory.Coordinates{Lat: 52.5, Lon: 13.4}})
	require.NoError(t, err)
	f.stock(t, acme, "MUG", loc.ID, 10)

	relay := f.eng.NewRelay(oms.RelayOptions{DeliveryTimeout: 50 * time.Millisecond})
	sub := newHangingSubscriber(t)
	relay.Subscribe(sub.handle)
	_, err = relay.Drain(ctx) // the fixture's own events
	require.NoError(t, err)

	stuck := f.place(t, "HANG-1", line("MUG", 1, "10.00")) // first in the outbox
	sub.hang(aggregateIs(stuck.ID))
	mine := f.place(t, "FLOW-1", line("MUG", 1, "10.00"))
	theirs, err := f.eng.PlaceOrder(ctx, acme, oms.PlaceOrderRequest{Order: draft("FLOW-2", line("MUG", 1, "10.00")),
		Payment: oms.PaymentMethod{Token: payment.TokenApprove}})
	require.NoError(t, err)

	before, _ := sub.counts()
	n, err := deliverOnceWithin(t, ctx, relay)
	require.ErrorIs(t, err, oms.ErrDeliveryTimeout)
	require.ErrorIs(t, err, context.DeadlineExceeded, "a timeout is a deadline that passed")
	placed := []string{oms.EventOrderPlaced, oms.EventOrderConfirmed}
	assert.Equal(t, placed, sub.types(mine.ID), "the same tenant's other order flows")
	assert.Equal(t, placed, sub.types(theirs.ID), "another tenant's order flows")
	assert.Empty(t, sub.types(stuck.ID))
	delivered, hung := sub.counts()
	assert.Equal(t, delivered-before, n, "DeliverOnce counts what it delivered")
	assert.Equal(t, 1, hung, "the hung order's later events are not tried behind its first")

	sub.unhang()
	_, err = deliverOnceWithin(t, ctx, relay)
	require.NoError(t, err)
	assert.Equal(t, placed, sub.types(stuck.ID), "released for redelivery, in order")
	assert.Equal(t, placed, sub.types(mine.ID), "nothing delivered twice")
}

// An event whose subscriber keeps overrunning the deadline counts a failed
// attempt each time, goes to the dead letter after MaxAttempts, and the
// aggregate's later events then flow.
func TestRelayDeadLettersAnEventThatKeepsTimingOut(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	var (
		mu   sync.Mutex
		dead []storage.Event
		why  []error
	)
	relay := f.eng.NewRelay(oms.RelayOptions{DeliveryTimeout: 50 * time.Millisecond, MaxAttempts: 2,
		DeadLetter: func(_ context.Context, e storage.Event, cause error) error {
			mu.Lock()
			defer mu.Unlock()
			dead = append(dead, e)
			why = append(why, cause)
			return nil
		}})
	sub := newHangingSubscriber(t)
	relay.Subscribe(sub.handle)
	_, err := relay.Drain(ctx)
	require.NoError(t, err)

	o := f.place(t, "HANG-2", line("MUG", 1, "10.00"))
	sub.hang(func(e storage.Event) bool { return e.AggregateID == o.ID && e.Type == oms.EventOrderPlaced })

	_, err = deliverOnceWithin(t, ctx, relay)
	require.ErrorIs(t, err, oms.ErrDeliveryTimeout, "first attempt")
	assert.Empty(t, sub.types(o.ID), "the later events wait behind the timed-out one")
	mu.Lock()
	assert.Empty(t, dead, "one attempt is not yet MaxAttempts")
	mu.Unlock()

	_, err = deliverOnceWithin(t, ctx, relay)
	require.NoError(t, err, "second attempt: dead-lettered, so dealt with")
	mu.Lock()
	require.Len(t, dead, 1)
	assert.Equal(t, o.ID, dead[0].AggregateID)
	assert.Equal(t, oms.EventOrderPlaced, dead[0].Type)
	assert.ErrorIs(t, why[0], oms.ErrDeliveryTimeout)
	mu.Unlock()
	assert.Equal(t, []string{oms.EventOrderConfirmed}, sub.types(o.ID), "the order's later events flow")
	_, hung := sub.counts()
	assert.Equal(t, 2, hung, "tried exactly MaxAttempts times")

	n, err := deliverOnceWithin(t, ctx, relay)
	require.NoError(t, err)
	assert.Zero(t, n, "nothing left: the dead-lettered event is not delivered again")
}

// Each handler call gets a context with the deadline: a handler that
// watches it returns when it passes; one that does not is abandoned at the
// deadline; and a host's own cancellation stops the wait too, without
// counting against the event.
func TestRelayDeliveryDeadline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// timeout is the relay's DeliveryTimeout; callTimeout, when set,
		// bounds the DeliverOnce call itself (a host shutting down).
		timeout, callTimeout time.Duration
		respectsCtx          bool
		wantDead             bool
	}{
		{name: "handler watches its context", timeout: 50 * time.Millisecond, respectsCtx: true, wantDead: true},
		{name: "handler ignores its context", timeout: 50 * time.Millisecond, wantDead: true},
		{name: "host cancels first", timeout: time.Hour, callTimeout: 20 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			f := newFixture(t)
			var (
				mu   sync.Mutex
				dead []error
			)
			relay := f.eng.NewRelay(oms.RelayOptions{DeliveryTimeout: tt.timeout, MaxAttempts: 1,
				DeadLetter: func(_ context.Context, _ storage.Event, cause error) error {
					mu.Lock()
					defer mu.Unlock()
					dead = append(dead, cause)
					return nil
				}})
			_, err := relay.Drain(ctx)
			require.NoError(t, err)
			o := f.place(t, "DEADLINE-1", line("MUG", 1, "10.00"))

			returned := make(chan struct{})
			release := make(chan struct{})
			t.Cleanup(func() { close(release) })
			var hasDeadline bool
			relay.Subscribe(func(ctx context.Context, e storage.Event) error {
				if e.AggregateID != o.ID || e.Type != oms.EventOrderPlaced {
					return nil
				}
				defer close(returned)
				if !tt.respectsCtx {
					<-release
					return nil
				}
				_, hasDeadline = ctx.Deadline()
				<-ctx.Done()
				return ctx.Err()
			})

			call := ctx
			if tt.callTimeout > 0 {
				var cancel context.CancelFunc
				call, cancel = context.WithTimeout(ctx, tt.callTimeout)
				defer cancel()
			}
			_, err = deliverOnceWithin(t, call, relay)
			mu.Lock()
			if tt.wantDead {
				require.NoError(t, err, "the overrun counted as the one allowed attempt")
				require.Len(t, dead, 1)
				assert.ErrorIs(t, dead[0], context.DeadlineExceeded)
			} else {
				require.ErrorIs(t, err, context.DeadlineExceeded)
				assert.Empty(t, dead, "a host's shutdown is not the subscriber's verdict")
			}
			mu.Unlock()
			if tt.respectsCtx {
				select {
				case <-returned:
				case <-time.After(10 * time.Second):
					t.Fatal("the handler did not see its deadline")
				}
				assert.True(t, hasDeadline, "the handler's context carries the deadline")
			}
		})
	}
}

// A batch stops starting deliveries once one might outlast its lease: the
// rest is released for the next claim, so no other relay can take an event
// this one is still delivering.
func TestRelayReleasesWhatItCannotDeliverWithinTheLease(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	relay := f.eng.NewRelay(oms.RelayOptions{Lease: 30 * time.Second, DeliveryTimeout: 10 * time.Second})
	_, err := relay.Drain(ctx)
	require.NoError(t, err)
	f.place(t, "LEASE-1", line("MUG", 1, "10.00"))
	f.place(t, "LEASE-2", line("MUG", 1, "10.00"))

	var mu sync.Mutex
	seen := make(map[uuid.UUID]int)
	relay.Subscribe(func(_ context.Context, e storage.Event) error {
		mu.Lock()
		defer mu.Unlock()
		seen[e.ID]++
		f.clock.Advance(15 * time.Second) // a slow subscriber
		return nil
	})
	n, err := deliverOnceWithin(t, ctx, relay)
	require.NoError(t, err)
	assert.Equal(t, 2, n, "after 30s of the lease gone, a third delivery could outlast it")

	rest, err := relay.Drain(ctx)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, rest, 2, "the released events follow")
	mu.Lock()
	defer mu.Unlock()
	assert.Len(t, seen, n+rest)
	for id, times := range seen {
		assert.Equal(t, 1, times, "event %s delivered %d times", id, times)
	}
}

// A handler that acts and answers after its relay was told to stop is
// counted as delivered: the event is not delivered again. (The relay used
// to stop waiting at once when the caller's context ended, racing the
// handler's answer.)
func TestRelayCountsAnAnswerGivenAfterShutdown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for range 3 {
		f := newFixture(t)
		f.place(t, "SD-1", line("MUG", 1, "10.00"))
		f.place(t, "SD-2", line("MUG", 1, "10.00"))
		seen := make(map[uuid.UUID]int)
		runCtx, stop := context.WithCancel(ctx)
		first := f.eng.NewRelay(oms.RelayOptions{Owner: "first", DeliveryTimeout: time.Second})
		first.Subscribe(func(_ context.Context, ev storage.Event) error {
			seen[ev.ID]++
			if len(seen) == 3 {
				stop()                           // shut down while this handler is still running,
				time.Sleep(5 * time.Millisecond) // and let it finish its work
			}
			return nil
		})
		n, err := first.DeliverOnce(runCtx)
		require.ErrorIs(t, err, context.Canceled)
		require.Equal(t, 3, n, "the third answer came after the shutdown and counts")
		next := f.eng.NewRelay(oms.RelayOptions{Owner: "next"})
		next.Subscribe(func(_ context.Context, ev storage.Event) error { seen[ev.ID]++; return nil })
		_, err = next.Drain(ctx)
		require.NoError(t, err)
		for id, times := range seen {
			require.Equal(t, 1, times, "event %s", id)
		}
	}
}
