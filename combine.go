package oms

import (
	"context"
	"errors"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

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
// A call in a batch with others sees it through even when its context
// ends meanwhile: the batch is every caller's. A panic in a batch (in a
// host's allocator, say) reaches only the call whose order raises it:
// the batch's other calls each run their own step again, alone.
//
// The window bounds the latency a call may add to each of the two steps
// to wait for company: it counts only while a batch runs, and when it ends
// first, the waiting calls start a batch beside the running one. Under
// load a window about as long as a batch takes does best, so that batches
// follow one another instead of queueing for the same stock rows: 5 to 10
// ms on PostgreSQL, where 64 callers on one hot row placed two to three
// times as many orders with 10 ms as with 1 ms (BENCHMARKS.md), and a lone
// call or a few callers gain or lose nothing either way. window must be
// positive and at most MaxBatchWindow, max from 2 to MaxBatchSize. Off by
// default.
func WithPlacementBatching(window time.Duration, max int) Option {
	return func(e *Engine) error {
		if window <= 0 || window > MaxBatchWindow {
			return errors.New("oms: WithPlacementBatching: window must be positive and at most 50ms")
		}
		if max < 2 || max > MaxBatchSize {
			return errors.New("oms: WithPlacementBatching: max must be from 2 to 1000")
		}
		e.batching = batchLimits{window, max}
		return nil
	}
}

// batchLimits bound a batcher's batches: each waits at most window and
// holds at most max (by size; a larger job runs alone).
type batchLimits struct {
	window time.Duration
	max    int
}

// combiner gathers concurrent PlaceOrder calls of each tenant into
// batches: one batcher for the first steps, one for the confirmations.
// (PlaceOrders' first steps go through a place batcher of their own,
// Engine.bulk, whose jobs are whole calls.)
type combiner struct {
	places   *batcher[placeJob]
	confirms *batcher[confirmJob]
}

// newCombiner returns a combiner whose batches, counted in placements,
// keep to limits.
func (e *Engine) newCombiner(limits batchLimits) *combiner {
	return &combiner{
		places:   e.newPlaceBatcher(limits),
		confirms: newBatcher(limits, func(j *confirmJob) int { return len(j.ps) }, e.confirmJobs, e.log),
	}
}

// newPlaceBatcher returns a batcher of first steps whose batches, counted
// in placements, keep to limits.
func (e *Engine) newPlaceBatcher(limits batchLimits) *batcher[placeJob] {
	return newBatcher(limits, func(j *placeJob) int { return len(j.ps) }, e.placeJobs, e.log)
}

// placeJob is placements whose first step runs in a batch; placed and own
// are their outcome as placeBatch gives it.
type placeJob struct {
	ps     []*placement
	placed []*placement
	own    map[*placement]error
}

// confirmJob is placements whose first step committed, each fully
// authorized (results, zero when there is nothing to pay), to be
// confirmed in a batch; outs are their outcomes, as confirmBatch gives
// them.
type confirmJob struct {
	ps      []*placement
	results []payment.Result
	outs    []PlaceOutcome
}

// place runs the first step of ps in a batch of b's, as placeBatch does.
func place(ctx context.Context, b *batcher[placeJob], tenant string, ps []*placement) ([]*placement, map[*placement]error) {
	j := &placeJob{ps: ps}
	b.do(ctx, tenant, j)
	return j.placed, j.own
}

// confirm confirms ps, as confirmBatch does, in a batch.
func (c *combiner) confirm(ctx context.Context, tenant string, ps []*placement, results []payment.Result) []PlaceOutcome {
	j := &confirmJob{ps: ps, results: results}
	c.confirms.do(ctx, tenant, j)
	return j.outs
}

// placeJobs is the combiner's first step: it runs the jobs' placements in
// one batch and gives each job its own outcome.
func (e *Engine) placeJobs(ctx context.Context, tenant string, jobs []*placeJob) {
	var all []*placement
	job := make(map[*placement]*placeJob)
	for _, j := range jobs {
		j.placed = nil // a job run again alone starts afresh
		all = append(all, j.ps...)
		for _, p := range j.ps {
			job[p] = j
		}
	}
	placed, own := e.placeBatch(ctx, tenant, all)
	for _, j := range jobs {
		j.own = own // read only, and each job looks up its own
	}
	for _, p := range placed {
		j := job[p]
		j.placed = append(j.placed, p)
	}
}

// confirmJobs is the combiner's last step: it confirms the jobs'
// placements in one transaction (each on its own when that fails).
func (e *Engine) confirmJobs(ctx context.Context, _ string, jobs []*confirmJob) {
	var (
		ps      []*placement
		results []payment.Result
	)
	for _, j := range jobs {
		ps, results = append(ps, j.ps...), append(results, j.results...)
	}
	outs := e.confirmBatch(ctx, ps, results)
	for _, j := range jobs {
		j.outs, outs = outs[:len(j.ps):len(j.ps)], outs[len(j.ps):]
	}
}

// batcher gathers concurrent calls of each tenant into batches, each run
// by one of its calls for all of them with run, which sets every job's
// outcome. A call that finds no batch of its tenant running runs at once,
// so a lone call waits for nobody; calls that come while a batch runs
// gather, and run together when it ends, when jobs of size max wait, or
// when the first of them has waited the window, whichever comes first
// (group commit). When a batch of several jobs panics (a host's
// allocator, say, panicking on one order), each of its calls runs its own
// job alone, so that the panic reaches only the call whose job raises it
// and no other call waits for a batch that never ends; run must therefore
// set a job's whole outcome each time it runs it.
type batcher[J any] struct {
	window time.Duration
	max    int              // the most a batch holds, by size
	size   func(job *J) int // how much of a batch a job takes
	run    func(ctx context.Context, tenant string, jobs []*J)
	log    *slog.Logger // where a batch's panic is reported

	mu     sync.Mutex
	queues map[string]*batchQueue[J] // by tenant
}

// newBatcher returns a batcher of batches that keep to limits (by size),
// run by run, which reports a batch's panic to log.
func newBatcher[J any](limits batchLimits, size func(*J) int, run func(context.Context, string, []*J), log *slog.Logger) *batcher[J] {
	return &batcher[J]{window: limits.window, max: limits.max, size: size, run: run, log: log, queues: make(map[string]*batchQueue[J])}
}

// batchQueue is one tenant's jobs waiting for a batch to take them, and
// the batches of them running.
type batchQueue[J any] struct {
	waiting []*joined[J]
	size    int           // the waiting jobs' size
	leading bool          // a call is gathering the next batch
	full    chan struct{} // closed when size reaches max
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
	if q.size >= max {
		q.signalFull()
	}
}

// joined is one job waiting in a batch.
type joined[J any] struct {
	job  *J
	size int
	done chan struct{} // closed when its batch has run
	lead chan struct{} // closed when it is to gather the next batch
	// alone is set before done closes when the batch ended without
	// setting the job's outcome (it panicked): the job is to be run
	// again, on its own.
	alone bool
}

// do runs job in a batch of tenant's and returns once the batch has run.
// It waits for its batch whatever ctx does: a batch of several calls is
// every caller's, and a step once queued is to be recorded. A batch of
// one job runs with its call's ctx, and so does a job run alone after its
// batch panicked, in its own call: a panic of its own is its call's.
func (b *batcher[J]) do(ctx context.Context, tenant string, job *J) {
	j := &joined[J]{job: job, size: b.size(job), done: make(chan struct{}), lead: make(chan struct{})}
	b.mu.Lock()
	q := b.queues[tenant]
	if q == nil {
		q = &batchQueue[J]{}
		b.queues[tenant] = q
	}
	q.waiting = append(q.waiting, j)
	q.size += j.size
	leader := !q.leading
	if leader {
		q.leading = true
		q.reset(b.max)
	} else if q.size >= b.max {
		q.signalFull()
	}
	b.mu.Unlock()
	if !leader {
		select {
		case <-j.done:
		case <-j.lead:
			leader = true
		}
	}
	if leader {
		b.lead(ctx, tenant, q)
		<-j.done // the batch it gathered holds it
	}
	if j.alone {
		b.run(ctx, tenant, []*J{job})
	}
}

// lead gathers the waiting jobs of q while a batch of q runs (for at most
// the window, and no longer than it takes jobs of size max to wait),
// hands the gathering of the next batch to the first job waiting after
// them (or to the next to come), and runs them as one batch.
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
	n, size := 1, q.waiting[0].size // the first job, however large, and as many more as fit
	for n < len(q.waiting) && size+q.waiting[n].size <= b.max {
		size += q.waiting[n].size
		n++
	}
	batch := q.waiting[:n]
	q.waiting, q.size = q.waiting[n:], q.size-size
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
	shared, ran := len(jobs) > 1, false
	defer func() { // also when run panics or exits the goroutine
		if shared && !ran {
			for _, j := range batch {
				j.alone = true // its outcome was not set: its own call runs it
			}
		}
		b.finish(tenant, q, batch)
	}()
	if !shared {
		b.run(ctx, tenant, jobs)
		return
	}
	// The batch is every caller's: one caller giving up must not end it.
	if p, stack := b.runShared(context.WithoutCancel(ctx), tenant, jobs); p != nil {
		b.log.ErrorContext(ctx, "oms: a batch panicked; each of its calls runs alone", "jobs", len(jobs), "panic", p, "stack", string(stack))
		return
	}
	ran = true
}

// runShared runs a batch of several jobs and returns what it panicked
// with, if it did, and where.
func (b *batcher[J]) runShared(ctx context.Context, tenant string, jobs []*J) (panicked any, stack []byte) {
	defer func() {
		if panicked = recover(); panicked != nil {
			stack = debug.Stack()
		}
	}()
	b.run(ctx, tenant, jobs)
	return nil, nil
}

// finish ends a batch of q's: it counts it as no longer running and
// returns its calls.
func (b *batcher[J]) finish(tenant string, q *batchQueue[J], batch []*joined[J]) {
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
