package oms

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Bounds of WithPlacementBatching.
const (
	// MaxBatchWindow is the longest window WithPlacementBatching accepts.
	MaxBatchWindow = 50 * time.Millisecond
	// MaxBatchSize is the largest batch WithPlacementBatching accepts.
	MaxBatchSize = MaxPlaceBatch
)

// WithPlacementBatching makes concurrent PlaceOrder calls of one tenant
// share the saga's first step, as PlaceOrders does: a call that finds no
// batch forming starts one, waits up to window for others to join (or
// until max have), and runs the first step of all of them in one
// transaction; every call then authorizes and confirms on its own. A flash
// sale then pays one lock of its hot stock rows and one commit per batch
// instead of per order. Each order's outcome is still its own: one buyer's
// shortage or bad input never fails another's order, and a batch whose
// transaction fails is placed one by one.
//
// The window is the latency a call may add to wait for company; a few
// hundred microseconds to a few milliseconds suits most stores. window
// must be positive and at most MaxBatchWindow, max from 2 to
// MaxBatchSize. Off by default.
func WithPlacementBatching(window time.Duration, max int) Option {
	return func(e *Engine) error {
		if window <= 0 || window > MaxBatchWindow {
			return errors.New("oms: WithPlacementBatching: window must be positive and at most 50ms")
		}
		if max < 2 || max > MaxBatchSize {
			return errors.New("oms: WithPlacementBatching: max must be from 2 to 1000")
		}
		e.combiner = &combiner{window: window, max: max, queues: make(map[string]*batchQueue)}
		return nil
	}
}

// combiner gathers concurrent placements of each tenant into batches.
type combiner struct {
	window time.Duration
	max    int

	mu     sync.Mutex
	queues map[string]*batchQueue // by tenant
}

// batchQueue is one tenant's placements waiting for a batch to take them.
type batchQueue struct {
	waiting []*joined
	leading bool          // a call is gathering or running a batch
	full    chan struct{} // closed when waiting reaches max
	isFull  bool          // full is closed
}

// signalFull tells the gathering call that a whole batch is waiting.
func (q *batchQueue) signalFull() {
	if !q.isFull {
		q.isFull = true
		close(q.full)
	}
}

// reset starts gathering the next batch.
func (q *batchQueue) reset(max int) {
	q.full, q.isFull = make(chan struct{}), false
	if len(q.waiting) >= max {
		q.signalFull()
	}
}

// joined is one placement waiting in a batch.
type joined struct {
	p    *placement
	err  error         // the placement's own first-step error
	done chan struct{} // closed when its first step has run
	lead chan struct{} // closed when it is to gather the next batch
}

// place runs p's first step in a batch, and returns p's own error.
func (c *combiner) place(ctx context.Context, e *Engine, p *placement) error {
	j := &joined{p: p, done: make(chan struct{}), lead: make(chan struct{})}
	c.mu.Lock()
	q := c.queues[p.tenant]
	if q == nil {
		q = &batchQueue{}
		c.queues[p.tenant] = q
	}
	q.waiting = append(q.waiting, j)
	leader := !q.leading
	if leader {
		q.leading = true
		q.reset(c.max)
	} else if len(q.waiting) >= c.max {
		q.signalFull()
	}
	c.mu.Unlock()
	if !leader {
		select {
		case <-j.done:
			return j.err
		case <-j.lead:
		}
	}
	c.lead(ctx, e, p.tenant, q)
	<-j.done // the batch it gathered holds it
	return j.err
}

// lead gathers the waiting placements of q for up to the window, hands
// the gathering of the next batch to the first placement waiting after
// them (or to the next to come), and runs their first step as one batch,
// so batches gather while earlier ones run.
func (c *combiner) lead(ctx context.Context, e *Engine, tenant string, q *batchQueue) {
	c.mu.Lock()
	full := q.full
	c.mu.Unlock()
	t := time.NewTimer(c.window)
	select {
	case <-t.C:
	case <-full:
		t.Stop()
	}
	c.mu.Lock()
	batch := q.waiting[:min(len(q.waiting), c.max)]
	q.waiting = q.waiting[len(batch):]
	q.reset(c.max)
	if len(q.waiting) > 0 {
		close(q.waiting[0].lead)
	} else {
		q.leading = false
		delete(c.queues, tenant)
	}
	c.mu.Unlock()

	ps := make([]*placement, len(batch))
	for i, j := range batch {
		ps[i] = j.p
	}
	// The batch is every caller's: one caller giving up must not end it.
	_, own := e.placeBatch(context.WithoutCancel(ctx), tenant, ps)
	for _, j := range batch {
		j.err = own[j.p]
		close(j.done)
	}
}
