package opspage

import (
	"context"
	"sync"
	"time"

	"github.com/ordersmith/oms/storage"
)

// Bounds of a DeadLetters recorder.
const (
	// DefaultDeadLetters is how many dead letters NewDeadLetters keeps
	// when given zero or a negative limit.
	DefaultDeadLetters = 200
	// MaxDeadLetters is the most dead letters a recorder keeps, whatever
	// limit it is given.
	MaxDeadLetters = 10000
)

// DeadLetter is one event a relay gave up on.
type DeadLetter struct {
	// Event is the event as the relay claimed it, payload included.
	Event storage.Event
	// Cause is the text of the last delivery error.
	Cause string
	// At is when the relay handed it over, by the recorder's clock.
	At time.Time
}

// DeadLetters records, in this process's memory, the events relays gave up
// on, for the operations page to list. Its Record method is an
// oms.RelayOptions.DeadLetter:
//
//	dl := opspage.NewDeadLetters(0, nil)
//	relay := eng.NewRelay(oms.RelayOptions{MaxAttempts: 5, DeadLetter: dl.Record})
//
// It is per process and bounded: it keeps the newest limit entries, and
// they are gone when the process ends. Record returns nil, and the relay
// then counts the event as delivered, so the outbox will not offer it
// again: a host that must keep dead letters durably records them in its
// own store as well, with Chain. A DeadLetters is safe for concurrent use.
type DeadLetters struct {
	clock func() time.Time

	mu      sync.Mutex
	ring    []DeadLetter // at most cap(ring); next is the oldest once full
	next    int
	total   int64
	limitOf int
}

// NewDeadLetters returns an empty recorder keeping the newest limit dead
// letters: DefaultDeadLetters when limit is zero or negative, at most
// MaxDeadLetters. clock stamps each entry; nil means time.Now in UTC.
func NewDeadLetters(limit int, clock func() time.Time) *DeadLetters {
	switch {
	case limit <= 0:
		limit = DefaultDeadLetters
	case limit > MaxDeadLetters:
		limit = MaxDeadLetters
	}
	if clock == nil {
		clock = func() time.Time { return time.Now().UTC() }
	}
	return &DeadLetters{clock: clock, limitOf: limit}
}

// Record keeps e and the cause's text, dropping the oldest entry once the
// recorder is full, and returns nil. It has the signature of
// oms.RelayOptions.DeadLetter; ctx is not used.
func (d *DeadLetters) Record(_ context.Context, e storage.Event, cause error) error {
	dl := DeadLetter{Event: e, At: d.clock()}
	dl.Event.Payload = append([]byte(nil), e.Payload...)
	if cause != nil {
		dl.Cause = cause.Error()
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.total++
	if len(d.ring) < d.limitOf {
		d.ring = append(d.ring, dl)
		return nil
	}
	d.ring[d.next] = dl
	d.next = (d.next + 1) % d.limitOf
	return nil
}

// Chain returns an oms.RelayOptions.DeadLetter that calls next (such as
// one writing to the host's durable store) and records the event only
// when next succeeded; next's error is returned, so the event then stays
// undelivered and the relay tries it again later.
func (d *DeadLetters) Chain(next func(context.Context, storage.Event, error) error) func(context.Context, storage.Event, error) error {
	return func(ctx context.Context, e storage.Event, cause error) error {
		if err := next(ctx, e, cause); err != nil {
			return err
		}
		return d.Record(ctx, e, cause)
	}
}

// List returns the kept dead letters, newest first, and how many were
// recorded in all since the recorder was made (kept or dropped).
func (d *DeadLetters) List() ([]DeadLetter, int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]DeadLetter, 0, len(d.ring))
	n := len(d.ring)
	for i := range n {
		// Walk back from the newest: index next-1 once the ring wrapped.
		out = append(out, d.ring[((d.next-1-i)%n+n)%n])
	}
	return out, d.total
}

// Limit returns how many dead letters the recorder keeps.
func (d *DeadLetters) Limit() int { return d.limitOf }
