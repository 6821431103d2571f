package storage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
)

// EventFilter selects a tenant's recorded events by aggregate. Events are
// read by aggregate only, so that stores serve the read with the index by
// aggregate that ordering delivery needs anyway, and add none to the
// outbox's write path.
type EventFilter struct {
	// AggregateIDs keeps the events of these aggregates; empty selects
	// none. An ID given twice counts once.
	AggregateIDs []uuid.UUID
	// AfterSequence keeps events whose Sequence is greater: a caller pages
	// on by passing the Sequence of the last event of the previous page.
	AfterSequence int64
	// Limit caps the page size: zero or negative means DefaultPageSize
	// (100), and a Limit above MaxPageSize (1000) means MaxPageSize. See
	// PageSize.
	Limit int
}

// PageSize returns the most events a page of f holds: f.Limit clamped to
// MaxPageSize, or DefaultPageSize when f.Limit is zero or negative.
// Adapters size their pages with it.
func (f EventFilter) PageSize() int {
	switch {
	case f.Limit <= 0:
		return DefaultPageSize
	case f.Limit > MaxPageSize:
		return MaxPageSize
	}
	return f.Limit
}

// Match reports whether e passes the filters of f (Limit aside): what a
// store's ReadEvents must select among the tenant's events.
func (f EventFilter) Match(e Event) bool {
	return e.Sequence > f.AfterSequence && slices.Contains(f.AggregateIDs, e.AggregateID)
}

// EventReader is an optional ability of a [Tx]: reading back the events
// the tenant's transactions appended to the outbox, delivered or not, as a
// history. A store that has it keeps delivered events (marked delivered)
// instead of deleting them. Without it, [ReadEvents] returns an error
// wrapping errors.ErrUnsupported: the outbox is then only a queue, and
// nothing else in the library reads it back.
type EventReader interface {
	// ReadEvents returns one page of the tenant's committed events
	// matching f, in Sequence order, at most f.PageSize() of them, with
	// their payloads. Whether events appended by this same transaction
	// are included is up to the store. A short page (fewer than
	// f.PageSize() events) is the last.
	ReadEvents(ctx context.Context, f EventFilter) ([]Event, error)
}

// ReadEvents returns one page of tx's tenant's events matching f, in
// Sequence order, with tx's [EventReader]; without one, an error wrapping
// errors.ErrUnsupported.
func ReadEvents(ctx context.Context, tx Tx, f EventFilter) ([]Event, error) {
	if r, ok := tx.(EventReader); ok {
		return r.ReadEvents(ctx, f)
	}
	return nil, fmt.Errorf("storage: this store keeps no event history: %w", errors.ErrUnsupported)
}

// OutboxStatus is a snapshot of the outbox of every tenant, as a relay
// sees it.
type OutboxStatus struct {
	// Undelivered counts the events not yet acknowledged (or
	// dead-lettered), leased or not.
	Undelivered int64 `json:"undelivered"`
	// Leased counts the undelivered events under a lease that had not
	// expired at the time asked about: events a relay is delivering now.
	Leased int64 `json:"leased"`
	// OldestUndelivered is the OccurredAt of the oldest undelivered
	// event; zero when every event is delivered.
	OldestUndelivered time.Time `json:"oldest_undelivered,omitzero"`
}

// Lag returns how long the oldest undelivered event has been waiting at
// now: zero when there is none, or when its time is after now (clocks of
// several processes differ).
func (s OutboxStatus) Lag(now time.Time) time.Duration {
	if s.OldestUndelivered.IsZero() || now.Before(s.OldestUndelivered) {
		return 0
	}
	return now.Sub(s.OldestUndelivered)
}

// OutboxInspector is an optional ability of an [OutboxRelay]: reporting
// how far delivery lags. Without it, [InspectOutbox] returns an error
// wrapping errors.ErrUnsupported.
type OutboxInspector interface {
	// OutboxStatus counts the undelivered events of every tenant, and the
	// leased ones among them by the time now, and finds the oldest. It
	// changes nothing.
	OutboxStatus(ctx context.Context, now time.Time) (OutboxStatus, error)
}

// InspectOutbox returns the state of r's outbox at now with r's
// [OutboxInspector]; without one, an error wrapping
// errors.ErrUnsupported.
func InspectOutbox(ctx context.Context, r OutboxRelay, now time.Time) (OutboxStatus, error) {
	if i, ok := r.(OutboxInspector); ok {
		return i.OutboxStatus(ctx, now)
	}
	return OutboxStatus{}, fmt.Errorf("storage: this store's outbox reports no status: %w", errors.ErrUnsupported)
}
