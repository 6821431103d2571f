package webhook

import (
	"bytes"
	"container/list"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/storage"
)

// ContentTypeCloudEvents is the Content-Type of every delivery: the
// CloudEvents structured JSON format.
const ContentTypeCloudEvents = "application/cloudevents+json"

// Endpoint is a receiver subscribed to events.
type Endpoint struct {
	// Name identifies the endpoint in errors and dead letters; empty means
	// its URL. Names must be unique within a Dispatcher.
	Name string
	// URL is where events are POSTed: an absolute http or https URL.
	URL string
	// Secrets sign each delivery, one signature per secret. During a
	// rotation list the new and the old secret, so a receiver holding
	// either verifies; drop the old one once the receiver has moved.
	Secrets []Secret
	// EventTypes, when not empty, limits the endpoint to these event
	// types (such as oms.EventOrderShipped); empty means every type.
	EventTypes []string
	// Tenants, when not empty, limits the endpoint to these tenants'
	// events; empty means every tenant's.
	Tenants []string
}

// wants reports whether the endpoint subscribes to e.
func (ep *Endpoint) wants(e storage.Event) bool {
	return (len(ep.EventTypes) == 0 || slices.Contains(ep.EventTypes, e.Type)) &&
		(len(ep.Tenants) == 0 || slices.Contains(ep.Tenants, e.Tenant))
}

// DeadLetter is an event an endpoint did not accept: after
// Options.MaxAttempts failed deliveries, or at once when it answered 410
// Gone.
type DeadLetter struct {
	// Endpoint is the endpoint that refused the event.
	Endpoint Endpoint
	// Event is the outbox event.
	Event storage.Event
	// Attempts is how many deliveries to this endpoint failed.
	Attempts int
	// Err is the last delivery's error.
	Err error
}

// Options configures a Dispatcher; the zero value works.
type Options struct {
	// Source is the CloudEvents source of every delivery; empty means
	// oms.DefaultSource.
	Source string
	// MaxAttempts is how many deliveries of one event to one endpoint may
	// fail before the event goes to DeadLetterFunc for that endpoint; zero
	// (or negative) means DefaultMaxAttempts.
	MaxAttempts int
	// BackoffBase and BackoffMax shape the default retry schedule: the
	// n-th failure of an event at an endpoint waits BackoffBase·2^(n-1),
	// at most BackoffMax, before the next delivery to it. Zero (or
	// negative) means DefaultBackoffBase and DefaultBackoffMax. The
	// schedule has no jitter, so it is deterministic; set Backoff for
	// another.
	BackoffBase, BackoffMax time.Duration
	// Backoff, when set, replaces the default schedule: it returns how
	// long to wait after the failed-th failure (failed >= 1). A negative
	// result counts as zero.
	Backoff func(failed int) time.Duration
	// Clock tells the time, for the retry schedule and each delivery's
	// webhook-timestamp; nil means time.Now.
	Clock func() time.Time
	// DeadLetterFunc receives each event an endpoint refused for good
	// (see DeadLetter). When it returns nil the endpoint is done with the
	// event; when it fails it is called again on the relay's next
	// delivery of the event, which is not posted again. Nil means drop
	// the event for that endpoint.
	DeadLetterFunc func(ctx context.Context, dl DeadLetter) error
	// MaxTracked bounds how many events the Dispatcher holds state for
	// (which endpoints have the event, attempts, next try); zero (or
	// negative) means DefaultMaxTracked. An event drops out once every
	// endpoint is done with it; past the bound, the least recently
	// delivered event drops out, and on its next delivery it goes to
	// every subscribed endpoint again (at least once still holds).
	MaxTracked int
}

// Defaults of Options.
const (
	DefaultMaxAttempts = 8
	DefaultBackoffBase = time.Second
	DefaultBackoffMax  = 10 * time.Minute
	DefaultMaxTracked  = 10_000
)

// maxResponseBody bounds how much of a receiver's answer is read (and
// discarded), so the connection can be reused without trusting the
// receiver to be brief.
const maxResponseBody = 64 << 10

// maxBackoffShift bounds the exponent of the default schedule before the
// shift, so it cannot overflow.
const maxBackoffShift = 30

// Errors of the Dispatcher.
var (
	// ErrInvalidEndpoint means an Endpoint is unusable: no URL, a URL that
	// is not absolute http(s), no secret, or a name used twice.
	ErrInvalidEndpoint = errors.New("webhook: invalid endpoint")
	// ErrDeliveryFailed means an endpoint did not accept a delivery: it
	// answered other than 2xx, or the request failed or timed out.
	ErrDeliveryFailed = errors.New("webhook: delivery failed")
	// ErrGone means an endpoint answered 410 Gone: the Dispatcher stops
	// delivering that event to it at once and dead-letters it (it keeps
	// delivering other events: remove the endpoint to stop those).
	ErrGone = errors.New("webhook: endpoint gone")
	// ErrPending means an event is still owed to an endpoint, waiting for
	// its next try: the handler returns it so the relay delivers the event
	// again later.
	ErrPending = errors.New("webhook: delivery pending")
)

// Dispatcher POSTs outbox events, signed, to subscribed endpoints, with
// retries per endpoint: its Handler is an oms.Handler for an oms.Relay.
// An endpoint that accepted an event is not posted it again when the relay
// redelivers the event because another endpoint failed; an endpoint that
// fails is tried again on later deliveries once its backoff has passed,
// and dead-lettered after Options.MaxAttempts failures.
//
// The state lives in the Dispatcher's memory: a restarted process, or
// another process relaying the same outbox, starts afresh, so endpoints
// may see an event more than once. Receivers de-duplicate on webhook-id,
// the event's ID. A Dispatcher is safe for concurrent use.
type Dispatcher struct {
	client    *http.Client
	endpoints []Endpoint
	opts      Options

	mu      sync.Mutex
	tracked map[uuid.UUID]*list.Element // of *eventState
	lru     *list.List                  // least recently delivered at the front
}

// eventState is what the Dispatcher knows of one event's deliveries.
type eventState struct {
	id        uuid.UUID
	endpoints map[int]*endpointState // by index in Dispatcher.endpoints; done ones removed
}

// endpointState is one endpoint's progress with one event.
type endpointState struct {
	failed   int       // failed deliveries
	next     time.Time // no delivery before this
	lastErr  error
	dead     bool // exhausted or gone: only the dead letter is owed
	inFlight bool // a delivery is under way (an abandoned one, maybe)
}

// NewDispatcher returns a Dispatcher posting to endpoints with client (nil
// means http.DefaultClient; give it a Timeout). It returns an error
// matching ErrInvalidEndpoint, naming the endpoint and field, for an
// unusable endpoint, and ErrInvalidSecret for a zero secret.
func NewDispatcher(client *http.Client, endpoints []Endpoint, opts Options) (*Dispatcher, error) {
	if client == nil {
		client = http.DefaultClient
	}
	names := make(map[string]bool, len(endpoints))
	eps := make([]Endpoint, len(endpoints))
	for i, ep := range endpoints {
		if ep.Name == "" {
			ep.Name = ep.URL
		}
		u, err := url.Parse(ep.URL)
		if err != nil || !u.IsAbs() || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("webhook: new dispatcher: endpoints[%d].url: %w: want an absolute http or https URL", i, ErrInvalidEndpoint)
		}
		if len(ep.Secrets) == 0 {
			return nil, fmt.Errorf("webhook: new dispatcher: endpoints[%d].secrets: %w: none", i, ErrInvalidEndpoint)
		}
		for j, s := range ep.Secrets {
			if s.IsZero() {
				return nil, fmt.Errorf("webhook: new dispatcher: endpoints[%d].secrets[%d]: %w: empty", i, j, ErrInvalidSecret)
			}
		}
		if names[ep.Name] {
			return nil, fmt.Errorf("webhook: new dispatcher: endpoints[%d].name: %w: %q used twice", i, ErrInvalidEndpoint, ep.Name)
		}
		names[ep.Name] = true
		ep.Secrets = slices.Clone(ep.Secrets)
		ep.EventTypes = slices.Clone(ep.EventTypes)
		ep.Tenants = slices.Clone(ep.Tenants)
		eps[i] = ep
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = DefaultMaxAttempts
	}
	if opts.BackoffBase <= 0 {
		opts.BackoffBase = DefaultBackoffBase
	}
	if opts.BackoffMax <= 0 {
		opts.BackoffMax = DefaultBackoffMax
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.MaxTracked <= 0 {
		opts.MaxTracked = DefaultMaxTracked
	}
	return &Dispatcher{
		client: client, endpoints: eps, opts: opts,
		tracked: make(map[uuid.UUID]*list.Element), lru: list.New(),
	}, nil
}

// Backoff returns the wait after the failed-th failure under the default
// schedule: base·2^(failed-1), at most max; zero for failed < 1.
func Backoff(failed int, base, max time.Duration) time.Duration {
	if failed < 1 || base <= 0 {
		return 0
	}
	shift := min(failed-1, maxBackoffShift)
	if base > max>>shift {
		return max
	}
	return base << shift
}

func (d *Dispatcher) backoff(failed int) time.Duration {
	if d.opts.Backoff != nil {
		return max(d.opts.Backoff(failed), 0)
	}
	return Backoff(failed, d.opts.BackoffBase, d.opts.BackoffMax)
}

// Handler returns the relay handler that delivers each event to the
// endpoints subscribed to it. It returns nil once every subscribed
// endpoint has accepted the event or had it dead-lettered, and otherwise
// an error (joining, per endpoint, ErrDeliveryFailed, ErrGone or
// ErrPending with the cause) so that the relay delivers the event again;
// the endpoints that already accepted it are then skipped.
//
// Each delivery is a POST of the event's CloudEvents structured JSON
// (oms.Envelope with Options.Source) with Content-Type
// ContentTypeCloudEvents, webhook-id the event's ID, webhook-timestamp the
// Clock's time of this attempt, and one v1 signature per endpoint secret.
// A 2xx answer is success; any other answer, a failed request or ctx's end
// is a failure, and 410 Gone a permanent one. The endpoints are posted in
// parallel. At most 64 KiB of an answer is read.
//
// A failing endpoint holds back the event, and with it the aggregate's
// later events, for every endpoint, as the relay keeps each aggregate in
// order; MaxAttempts and the backoff bound how long. Leave the relay's own
// RelayOptions.MaxAttempts unset (or well above the number of relay
// passes the schedule takes), since each pass while an endpoint waits
// counts there as a failed attempt. The relay stops at a handler's error,
// so handlers subscribed after this one do not see the event until every
// endpoint is done with it: subscribe it last, or give it a relay of its
// own.
func (d *Dispatcher) Handler() oms.Handler {
	return d.deliver
}

// job is one endpoint's share of a delivery.
type job struct {
	idx  int
	st   *endpointState
	err  error
	post bool // post the event (otherwise only the dead letter is owed)
}

func (d *Dispatcher) deliver(ctx context.Context, e storage.Event) error {
	now := d.opts.Clock()
	jobs, waiting, done := d.plan(e, now)
	if done {
		return nil
	}
	var body []byte
	if slices.ContainsFunc(jobs, func(j *job) bool { return j.post }) {
		var err error
		body, err = json.Marshal(oms.Envelope(e, d.opts.Source))
		if err != nil {
			d.release(jobs)
			return fmt.Errorf("webhook: event %s: %w", e.ID, err)
		}
	}
	var wg sync.WaitGroup
	for _, j := range jobs {
		if !j.post {
			continue
		}
		wg.Go(func() { j.err = d.post(ctx, &d.endpoints[j.idx], e.ID.String(), body) })
	}
	wg.Wait()
	return d.settle(ctx, e, jobs, waiting)
}

// plan finds or creates e's state and marks the endpoints due now in
// flight. It returns their jobs, the errors of endpoints still waiting,
// and whether e is already fully delivered.
func (d *Dispatcher) plan(e storage.Event, now time.Time) (jobs []*job, waiting []error, done bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	el, ok := d.tracked[e.ID]
	if !ok {
		st := &eventState{id: e.ID, endpoints: make(map[int]*endpointState)}
		for i := range d.endpoints {
			if d.endpoints[i].wants(e) {
				st.endpoints[i] = &endpointState{}
			}
		}
		if len(st.endpoints) == 0 {
			return nil, nil, true
		}
		el = d.lru.PushBack(st)
		d.tracked[e.ID] = el
		for d.lru.Len() > d.opts.MaxTracked {
			old := d.lru.Remove(d.lru.Front()).(*eventState)
			delete(d.tracked, old.id)
		}
	} else {
		d.lru.MoveToBack(el)
	}
	st := el.Value.(*eventState)
	for _, idx := range sortedKeys(st.endpoints) {
		es := st.endpoints[idx]
		name := d.endpoints[idx].Name
		switch {
		case es.inFlight:
			waiting = append(waiting, fmt.Errorf("endpoint %s: %w: an earlier delivery is still under way", name, ErrPending))
		case !es.dead && now.Before(es.next):
			waiting = append(waiting, fmt.Errorf("endpoint %s: %w: next try at %s after %d failures: %w",
				name, ErrPending, es.next.UTC().Format(time.RFC3339), es.failed, es.lastErr))
		default:
			es.inFlight = true
			jobs = append(jobs, &job{idx: idx, st: es, post: !es.dead})
		}
	}
	return jobs, waiting, false
}

// release clears the in-flight marks of jobs that did not run.
func (d *Dispatcher) release(jobs []*job) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, j := range jobs {
		j.st.inFlight = false
	}
}

// settle records the jobs' outcomes, calls the dead letters that are due,
// drops e's state when every endpoint is done, and returns the error of
// what is still owed.
func (d *Dispatcher) settle(ctx context.Context, e storage.Event, jobs []*job, errs []error) error {
	now := d.opts.Clock()
	var dead []*job
	d.mu.Lock()
	el, tracked := d.tracked[e.ID]
	for _, j := range jobs {
		es := j.st
		if j.post {
			switch {
			case j.err == nil:
				es.inFlight = false
				if tracked {
					delete(el.Value.(*eventState).endpoints, j.idx)
				}
				continue
			case errors.Is(ctx.Err(), context.Canceled) && !errors.Is(j.err, ErrGone):
				// The relay is shutting down: not the endpoint's verdict.
				// (Its delivery deadline passing is: a timeout.)
				es.inFlight = false
				errs = append(errs, fmt.Errorf("endpoint %s: %w", d.endpoints[j.idx].Name, j.err))
				continue
			}
			es.failed++
			es.lastErr = j.err
			if errors.Is(j.err, ErrGone) || es.failed >= d.opts.MaxAttempts {
				es.dead = true
			} else {
				es.next = now.Add(d.backoff(es.failed))
				es.inFlight = false
				errs = append(errs, fmt.Errorf("endpoint %s: attempt %d of %d: %w", d.endpoints[j.idx].Name, es.failed, d.opts.MaxAttempts, j.err))
				continue
			}
		}
		dead = append(dead, j)
	}
	d.mu.Unlock()

	for _, j := range dead {
		ep := d.endpoints[j.idx]
		var err error
		if f := d.opts.DeadLetterFunc; f != nil {
			err = f(ctx, DeadLetter{Endpoint: ep, Event: e, Attempts: j.st.failed, Err: j.st.lastErr})
		}
		d.mu.Lock()
		j.st.inFlight = false
		if err == nil {
			if el, ok := d.tracked[e.ID]; ok {
				delete(el.Value.(*eventState).endpoints, j.idx)
			}
		}
		d.mu.Unlock()
		if err != nil {
			errs = append(errs, fmt.Errorf("endpoint %s: dead letter: %w", ep.Name, err))
		}
	}

	d.mu.Lock()
	if el, ok := d.tracked[e.ID]; ok && len(el.Value.(*eventState).endpoints) == 0 {
		d.lru.Remove(el)
		delete(d.tracked, e.ID)
	}
	d.mu.Unlock()
	if len(errs) > 0 {
		return fmt.Errorf("webhook: event %s (%s): %w", e.ID, e.Type, errors.Join(errs...))
	}
	return nil
}

// post sends one signed delivery and reads (a bounded part of) the answer.
func (d *Dispatcher) post(ctx context.Context, ep *Endpoint, id string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrDeliveryFailed, err)
	}
	req.Header.Set("Content-Type", ContentTypeCloudEvents)
	if err := SetHeaders(req.Header, id, d.opts.Clock(), body, ep.Secrets...); err != nil {
		return err
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrDeliveryFailed, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponseBody))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode == http.StatusGone:
		return fmt.Errorf("%w: %w: status %d", ErrDeliveryFailed, ErrGone, resp.StatusCode)
	default:
		return fmt.Errorf("%w: status %d", ErrDeliveryFailed, resp.StatusCode)
	}
}

// Tracked returns how many events the Dispatcher holds state for: those
// some endpoint has not yet accepted or had dead-lettered.
func (d *Dispatcher) Tracked() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.tracked)
}

func sortedKeys(m map[int]*endpointState) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
