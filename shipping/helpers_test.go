package shipping_test

import (
	"sync"
	"time"

	"github.com/ordersmith/oms/shipping"
)

// testClock is a settable clock safe for concurrent use.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock(start time.Time) *testClock { return &testClock{now: start} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// t0 is a Monday morning.
var t0 = time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)

var (
	origin = shipping.Address{Name: "Acme Warehouse", Line1: "1 Dock Road", City: "Hamburg", PostalCode: "20457", Country: "DE"}
	dest   = shipping.Address{Name: "Jane Doe", Line1: "5 Rue de Rivoli", City: "Paris", PostalCode: "75001", Country: "FR"}
)
