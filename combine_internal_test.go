package oms

import (
	"context"
	"fmt"
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
		b := newBatcher(time.Millisecond, max, func(j *sizedJob) int { return j.size }, run)
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
