package oms

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// sizedJob is a job of a given size, for the batcher's property test.
type sizedJob struct {
	id, size int
	tenant   string
	runs     int // how many batches ran it
}

// The batcher runs every job exactly once, in a batch of its own tenant,
// and never puts more than max into a batch unless the batch is one job
// larger than max; a call returns only after its job has run.
func TestBatcherRunsEveryJobOnceWithinMax(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		max := rapid.IntRange(2, 12).Draw(rt, "max")
		sizes := rapid.SliceOfN(rapid.IntRange(1, 15), 1, 40).Draw(rt, "sizes")
		tenants := rapid.IntRange(1, 3).Draw(rt, "tenants")
		var (
			mu       sync.Mutex
			problems []string
		)
		run := func(_ context.Context, tenant string, jobs []*sizedJob) {
			time.Sleep(200 * time.Microsecond) // as a transaction takes time, so that batches form
			total := 0
			mu.Lock()
			defer mu.Unlock()
			for _, j := range jobs {
				total += j.size
				j.runs++
				if j.tenant != tenant {
					problems = append(problems, fmt.Sprintf("job %d of tenant %s ran in a batch of %s", j.id, j.tenant, tenant))
				}
			}
			if len(jobs) > 1 && total > max {
				problems = append(problems, fmt.Sprintf("a batch of %d jobs holds %d, more than %d", len(jobs), total, max))
			}
		}
		b := newBatcher(batchLimits{time.Millisecond, max}, func(j *sizedJob) int { return j.size }, run, slog.New(slog.DiscardHandler))
		jobs := make([]*sizedJob, len(sizes))
		var wg sync.WaitGroup
		for i, size := range sizes {
			jobs[i] = &sizedJob{id: i, size: size, tenant: fmt.Sprint("t", i%tenants)}
			wg.Go(func() {
				j := jobs[i]
				b.do(context.Background(), j.tenant, j)
				mu.Lock()
				defer mu.Unlock()
				if j.runs != 1 {
					problems = append(problems, fmt.Sprintf("job %d returned after %d runs", j.id, j.runs))
				}
			})
		}
		wg.Wait()
		require.Empty(rt, problems)
		b.mu.Lock()
		defer b.mu.Unlock()
		assert.Empty(rt, b.queues, "no queue is left behind once every job has run")
	})
}

// A batch that panics ends every call in it: each runs its own job
// again, alone, so the panic reaches only the call whose job raises it,
// every other job runs once, and no call waits for a batch that never
// ends. A batch whose run exits its goroutine (as t.FailNow does) ends the
// call that ran it, its leader, and every other call runs its own job
// again the same way.
func TestBatcherPanicReachesOnlyItsOwnCall(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		fail func()
	}{
		{"panic", func() { panic("allocator bug") }},
		{"goexit", runtime.Goexit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			batchFailure(t, tc.name == "panic", tc.fail)
		})
	}
}

func batchFailure(t *testing.T, panics bool, fail func()) {
	const calls, bad = 12, 5
	var (
		mu     sync.Mutex
		ran    = make(map[int]int) // runs that completed, by job
		shared int                 // the largest batch the bad job was in
		leader = -1                // the job whose call ran it
	)
	var b *batcher[sizedJob]
	first := make(chan struct{}) // job 0's batch runs
	run := func(_ context.Context, _ string, jobs []*sizedJob) {
		if jobs[0].id == 0 {
			close(first)
			waitFor(t, func() bool { // until every other call waits for the next batch
				b.mu.Lock()
				defer b.mu.Unlock()
				return len(b.queues["t"].waiting) == calls-1
			})
		}
		mu.Lock()
		defer mu.Unlock()
		for _, j := range jobs {
			if j.id == bad {
				if len(jobs) > shared {
					shared, leader = len(jobs), jobs[0].id
				}
				fail()
			}
		}
		for _, j := range jobs {
			ran[j.id]++
		}
	}
	b = newBatcher(batchLimits{50 * time.Millisecond, 64}, func(j *sizedJob) int { return j.size }, run, slog.New(slog.DiscardHandler))
	recovered := make([]any, calls)
	returned := make([]bool, calls)
	var wg sync.WaitGroup
	call := func(i int) {
		wg.Go(func() {
			defer func() { recovered[i] = recover() }()
			b.do(context.Background(), "t", &sizedJob{id: i, size: 1, tenant: "t"})
			returned[i] = true
		})
	}
	call(0)
	<-first
	for i := 1; i < calls; i++ {
		call(i)
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(10 * time.Second):
		t.Fatal("calls still wait for a batch that failed")
	}
	mu.Lock()
	defer mu.Unlock()
	require.Greater(t, shared, 1, "the bad job shared a batch")
	for i := range calls {
		if i == leader && !panics && i != bad {
			assert.False(t, returned[i], "the leader's call exited with the run")
			assert.Zero(t, ran[i])
			continue
		}
		if i == bad {
			if panics {
				assert.Equal(t, "allocator bug", recovered[i], "the bad job's own call panics")
			}
			assert.False(t, returned[i], "the bad job's own call does not return")
			assert.Zero(t, ran[i])
			continue
		}
		assert.Nil(t, recovered[i], "job %d", i)
		assert.True(t, returned[i], "job %d", i)
		assert.Equal(t, 1, ran[i], "job %d runs once", i)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	assert.Empty(t, b.queues, "no queue is left behind")
}

// waitFor polls cond until it holds, failing t after 10 seconds.
func waitFor(t *testing.T, cond func() bool) {
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Error("waited 10 s in vain")
			return
		}
		time.Sleep(100 * time.Microsecond)
	}
}
