package oms

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
)

// Bounds of WithPlacementBatching.
const (
	// MaxBatchWindow is the longest window WithPlacementBatching accepts.
	MaxBatchWindow = 50 * time.Millisecond
	// MaxBatchSize is the largest batch WithPlacementBatching accepts.
	MaxBatchSize = MaxPlaceBatch
)

// WithPlacementBatching makes concurrent PlaceOrder calls of one tenant
// share the saga's transactions, as PlaceOrders does, the way a database
// groups commits: a call that finds no first step of its tenant running
// runs its own at once; the calls that come while one runs gather, and
// their first steps run together, in one transaction, when it ends (or
// when max of them wait, or when the first has waited window). Every call
// then authorizes on its own, and the fully authorized ones are confirmed
// in batches the same way. A flash sale then pays one lock of its hot
// stock rows and one commit per batch and step instead of per order,
// while a lone call waits for nobody. Each order's outcome is still its
// own: one buyer's shortage, bad input or declined payment never fails
// another's order, and a batch whose transaction fails is run one by one.
//
// The window bounds the latency a call may add to each of the two steps
// to wait for company; a few hundred microseconds to a few milliseconds
// suits most stores. window must be positive and at most MaxBatchWindow,
// max from 2 to MaxBatchSize. Off by default.
func WithPlacementBatching(window time.Duration, max int) Option {
	return func(e *Engine) error {
		if window <= 0 || window > MaxBatchWindow {
			return errors.New("oms: WithPlacementBatching: window must be positive and at most 50ms")
		}
		if max < 2 || max > MaxBatchSize {
			return errors.New("oms: WithPlacementBatching: max must be from 2 to 1000")
		}
		e.combiner = &combiner{
			places:   newBatcher(window, max, e.placeJobs),
			confirms: newBatcher(window, max, e.confirmJobs),
		}
		return nil
	}
}

// combiner gathers concurrent placements of each tenant into batches: one
// batcher for the first steps, one for the confirmations.
type combiner struct {
	places   *batcher[placeJob]
	confirms *batcher[confirmJob]
}

// placeJob is a placement whose first step runs in a batch; err is the
// placement's own error.
type placeJob struct {
	p   *placement
	err error
}

// confirmJob is a placement whose payment is fully authorized (res), or
// that has nothing to pay, to be confirmed in a batch; o and err are its
// outcome, as confirmPlaced returns them.
type confirmJob struct {
	p   *placement
	res payment.Result
	o   *order.Order
	err error
}

// place runs p's first step in a batch, and returns p's own error.
func (c *combiner) place(ctx context.Context, p *placement) error {
	j := &placeJob{p: p}
	c.places.do(ctx, p.tenant, j)
	return j.err
}

// confirm confirms p, whose first step committed and whose gateway
// authorized res (zero when there is nothing to pay), in a batch.
func (c *combiner) confirm(ctx context.Context, p *placement, res payment.Result) (*order.Order, error) {
	j := &confirmJob{p: p, res: res}
	c.confirms.do(ctx, p.tenant, j)
	return j.o, j.err
}

// placeJobs is the combiner's first step: it runs the jobs' placements in
// one batch and gives each job its own error.
func (e *Engine) placeJobs(ctx context.Context, tenant string, jobs []*placeJob) {
	ps := make([]*placement, len(jobs))
	for i, j := range jobs {
		ps[i] = j.p
	}
	_, own := e.placeBatch(ctx, tenant, ps)
	for _, j := range jobs {
		j.err = own[j.p]
	}
}

// confirmJobs is the combiner's last step: it confirms the jobs'
// placements in one transaction (each on its own when that fails).
func (e *Engine) confirmJobs(ctx context.Context, _ string, jobs []*confirmJob) {
	ps := make([]*placement, len(jobs))
	results := make([]payment.Result, len(jobs))
	for i, j := range jobs {
		ps[i], results[i] = j.p, j.res
	}
	for i, out := range e.confirmBatch(ctx, ps, results) {
		jobs[i].o, jobs[i].err = out.Order, out.Err
	}
}

// batcher gathers concurrent calls of each tenant into batches, each run
// by one of its calls for all of them with run, which sets every job's
// outcome. A call that finds no batch of its tenant running runs at once,
// so a lone call waits for nobody; calls that come while a batch runs
// gather, and run together when it ends, when max of them wait, or when
// the first of them has waited the window, whichever comes first (group
// commit).
type batcher[J any] struct {
	window time.Duration
	max    int
	run    func(ctx context.Context, tenant string, jobs []*J)

	mu     sync.Mutex
	queues map[string]*batchQueue[J] // by tenant
}

func newBatcher[J any](window time.Duration, max int, run func(context.Context, string, []*J)) *batcher[J] {
	return &batcher[J]{window: window, max: max, run: run, queues: make(map[string]*batchQueue[J])}
}

// batchQueue is one tenant's jobs waiting for a batch to take them, and
// the batches of them running.
type batchQueue[J any] struct {
	waiting []*joined[J]
	leading bool          // a call is gathering the next batch
	full    chan struct{} // closed when waiting reaches max
	isFull  bool          // full is closed
	running int           // batches running
	idle    chan struct{} // closed when the running batches end; nil when none runs
}

// signalFull tells the gathering call that a whole batch is waiting.
func (q *batchQueue[J]) signalFull() {
	if !q.isFull {
		q.isFull = true
		close(q.full)
	}
}

// reset starts gathering the next batch.
func (q *batchQueue[J]) reset(max int) {
	q.full, q.isFull = make(chan struct{}), false
	if len(q.waiting) >= max {
		q.signalFull()
	}
}

// joined is one job waiting in a batch.
type joined[J any] struct {
	job  *J
	done chan struct{} // closed when its batch has run
	lead chan struct{} // closed when it is to gather the next batch
}

// do runs job in a batch of tenant's and returns once the batch has run.
// It waits for its batch whatever ctx does: the batch is every caller's,
// and a step once queued is to be recorded.
func (b *batcher[J]) do(ctx context.Context, tenant string, job *J) {
	j := &joined[J]{job: job, done: make(chan struct{}), lead: make(chan struct{})}
	b.mu.Lock()
	q := b.queues[tenant]
	if q == nil {
		q = &batchQueue[J]{}
		b.queues[tenant] = q
	}
	q.waiting = append(q.waiting, j)
	leader := !q.leading
	if leader {
		q.leading = true
		q.reset(b.max)
	} else if len(q.waiting) >= b.max {
		q.signalFull()
	}
	b.mu.Unlock()
	if !leader {
		select {
		case <-j.done:
			return
		case <-j.lead:
		}
	}
	b.lead(ctx, tenant, q)
	<-j.done // the batch it gathered holds it
}

// lead gathers the waiting jobs of q while a batch of q runs (for at most
// the window, and no longer than it takes max to wait), hands the
// gathering of the next batch to the first job waiting after them (or to
// the next to come), and runs them as one batch.
func (b *batcher[J]) lead(ctx context.Context, tenant string, q *batchQueue[J]) {
	b.mu.Lock()
	full, idle := q.full, q.idle
	b.mu.Unlock()
	if idle != nil {
		t := time.NewTimer(b.window)
		select {
		case <-t.C:
		case <-full:
		case <-idle:
		}
		t.Stop()
	}
	b.mu.Lock()
	batch := q.waiting[:min(len(q.waiting), b.max)]
	q.waiting = q.waiting[len(batch):]
	q.reset(b.max)
	if len(q.waiting) > 0 {
		close(q.waiting[0].lead)
	} else {
		q.leading = false
	}
	if q.running++; q.running == 1 {
		q.idle = make(chan struct{})
	}
	b.mu.Unlock()

	jobs := make([]*J, len(batch))
	for i, j := range batch {
		jobs[i] = j.job
	}
	// The batch is every caller's: one caller giving up must not end it.
	b.run(context.WithoutCancel(ctx), tenant, jobs)

	b.mu.Lock()
	if q.running--; q.running == 0 {
		close(q.idle)
		q.idle = nil
		if !q.leading {
			delete(b.queues, tenant)
		}
	}
	b.mu.Unlock()
	for _, j := range batch {
		close(j.done)
	}
}
