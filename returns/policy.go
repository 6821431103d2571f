package returns

import (
	"fmt"
	"time"
)

// DefaultWindow is the return window of a zero [Policy]: 30 days.
const DefaultWindow = 30 * 24 * time.Hour

// Policy is a merchant's return policy.
type Policy struct {
	// Window is how long after delivery a return may be requested; zero or
	// negative means DefaultWindow.
	Window time.Duration
}

// Deadline returns the last moment a return of an order delivered at
// deliveredAt may be requested.
func (p Policy) Deadline(deliveredAt time.Time) time.Time {
	w := p.Window
	if w <= 0 {
		w = DefaultWindow
	}
	return deliveredAt.Add(w)
}

// Check reports whether a return may be requested at now for an order
// delivered at deliveredAt. The window is counted from delivery and includes
// its deadline. It returns an error matching ErrNotDelivered when
// deliveredAt is nil, and a *WindowError (ErrWindowClosed) after the
// deadline.
func (p Policy) Check(deliveredAt *time.Time, now time.Time) error {
	if deliveredAt == nil {
		return fmt.Errorf("returns: policy: %w", ErrNotDelivered)
	}
	if deadline := p.Deadline(*deliveredAt); now.After(deadline) {
		return &WindowError{DeliveredAt: *deliveredAt, Deadline: deadline}
	}
	return nil
}
