package omstest

import (
	"sync"
	"time"
)

// Clock is a clock a test moves by hand, for oms.WithClock and the
// sandbox carrier. It is safe for concurrent use; the zero value reads the
// zero time, so start it with NewClock.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock that reads start until it is moved.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// kitStart is when the kit's runs begin.
func kitStart() time.Time { return time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC) }
