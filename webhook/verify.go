package webhook

import (
	"container/heap"
	"crypto/hmac"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Errors Sign, ParseSecret and Verify return, checked with errors.Is.
var (
	// ErrInvalidSecret means a secret is missing, zero, or not in the
	// "whsec_<base64>" form with a key of MinSecretBytes to MaxSecretBytes.
	ErrInvalidSecret = errors.New("webhook: invalid secret")
	// ErrMissingHeader means a delivery lacks one of the three headers
	// (the *HeaderError names it).
	ErrMissingHeader = errors.New("webhook: missing header")
	// ErrInvalidHeader means a header is malformed: a webhook-id that is
	// too long or not printable ASCII, a webhook-timestamp that is not
	// integer Unix seconds, a webhook-signature too long to be real.
	ErrInvalidHeader = errors.New("webhook: invalid header")
	// ErrInvalidSignature means no v1 signature of the delivery matches
	// any of the receiver's secrets: the body, ID or timestamp were
	// changed, or it was signed with another secret.
	ErrInvalidSignature = errors.New("webhook: invalid signature")
	// ErrTimestamp means the delivery's timestamp is further than the
	// tolerance from the receiver's clock; ErrTimestampTooOld and
	// ErrTimestampTooNew say which way, and both match it.
	ErrTimestamp = errors.New("webhook: timestamp outside the tolerance")
	// ErrTimestampTooOld means the delivery was signed more than the
	// tolerance ago: a stale message, perhaps replayed. It matches
	// ErrTimestamp.
	ErrTimestampTooOld = fmt.Errorf("%w: too old", ErrTimestamp)
	// ErrTimestampTooNew means the delivery claims to be signed more than
	// the tolerance in the future. It matches ErrTimestamp.
	ErrTimestampTooNew = fmt.Errorf("%w: in the future", ErrTimestamp)
	// ErrReplayed means an authentic delivery whose ID a Verifier already
	// accepted within the tolerance window. The signature is genuine, so
	// this is either an attacker replaying a captured delivery or the
	// sender retrying one whose answer it lost; either way the receiver
	// already has the message. Answer it with a 2xx status so an honest
	// sender stops retrying, and do not handle it again.
	ErrReplayed = errors.New("webhook: delivery already seen")
	// ErrReplayMemoryFull means a Verifier's memory of seen IDs holds
	// VerifierOptions.MaxRemembered unexpired IDs and cannot take another
	// without forgetting one that might be replayed. The delivery was not
	// accepted; answer 503 so the sender retries later.
	ErrReplayMemoryFull = errors.New("webhook: too many deliveries in the tolerance window")
)

// HeaderError names the header a delivery or a Sign call got wrong. It
// matches its Err (ErrMissingHeader or ErrInvalidHeader) with errors.Is.
type HeaderError struct {
	// Header is the header's name, such as HeaderTimestamp.
	Header string
	// Err is ErrMissingHeader or ErrInvalidHeader.
	Err error
	// Problem says what is wrong, such as "not integer Unix seconds".
	Problem string
}

// Error returns "header <name>: <problem>".
func (e *HeaderError) Error() string { return "header " + e.Header + ": " + e.Problem }

// Unwrap returns Err.
func (e *HeaderError) Unwrap() error { return e.Err }

// DefaultTolerance is how far a delivery's timestamp may be from the
// receiver's clock, either way, unless VerifierOptions.Tolerance says
// otherwise: the Standard Webhooks recommendation.
const DefaultTolerance = 5 * time.Minute

// maxSignatureHeader bounds the webhook-signature header, in bytes: room
// for dozens of v1 entries, far more than a rotation needs.
const maxSignatureHeader = 4096

// maxTimestampDigits bounds the webhook-timestamp header: Unix seconds fit
// in 19 digits until long after anyone's tolerance matters.
const maxTimestampDigits = 18

// Verify checks a delivery's Standard Webhooks headers against its raw
// body with DefaultTolerance and the system clock, and no memory of
// earlier deliveries; a receiver that wants replays refused uses a
// Verifier. body must be the bytes as received, before any parsing. It
// accepts the delivery when any v1 signature in webhook-signature matches
// any of secrets (comparing in constant time), so during a rotation both
// the old and the new secret verify.
//
// It returns an error matching ErrInvalidSecret when secrets is empty or
// holds a zero Secret, a *HeaderError matching ErrMissingHeader or
// ErrInvalidHeader, ErrTimestampTooOld or ErrTimestampTooNew (both match
// ErrTimestamp), or ErrInvalidSignature.
func Verify(h http.Header, body []byte, secrets ...Secret) error {
	keys, err := keysOf(secrets)
	if err != nil {
		return fmt.Errorf("webhook: verify: %w", err)
	}
	if _, _, err := verify(h, body, keys, time.Now(), DefaultTolerance); err != nil {
		return fmt.Errorf("webhook: verify: %w", err)
	}
	return nil
}

func keysOf(secrets []Secret) ([][]byte, error) {
	if len(secrets) == 0 {
		return nil, fmt.Errorf("%w: no secret", ErrInvalidSecret)
	}
	keys := make([][]byte, len(secrets))
	for i, s := range secrets {
		if s.IsZero() {
			return nil, fmt.Errorf("secrets[%d]: %w: empty", i, ErrInvalidSecret)
		}
		keys[i] = s.key
	}
	return keys, nil
}

// verify checks the headers, the timestamp and the signature, and returns
// the delivery's ID and timestamp.
func verify(h http.Header, body []byte, keys [][]byte, now time.Time, tolerance time.Duration) (string, time.Time, error) {
	id := h.Get(HeaderID)
	tsText := h.Get(HeaderTimestamp)
	sigs := h.Get(HeaderSignature)
	for _, hd := range []struct{ name, value string }{{HeaderID, id}, {HeaderTimestamp, tsText}, {HeaderSignature, sigs}} {
		if hd.value == "" {
			return "", time.Time{}, &HeaderError{Header: hd.name, Err: ErrMissingHeader, Problem: "missing"}
		}
	}
	if err := checkID(id); err != nil {
		return "", time.Time{}, err
	}
	ts, err := parseTimestamp(tsText)
	if err != nil {
		return "", time.Time{}, err
	}
	if len(sigs) > maxSignatureHeader {
		return "", time.Time{}, &HeaderError{Header: HeaderSignature, Err: ErrInvalidHeader, Problem: fmt.Sprintf("longer than %d bytes", maxSignatureHeader)}
	}
	// Both ts and now are bounded (ts by maxTimestampDigits, now by the
	// clock), so the differences below cannot overflow.
	at := time.Unix(ts, 0)
	switch {
	case now.Sub(at) > tolerance:
		return "", time.Time{}, ErrTimestampTooOld
	case at.Sub(now) > tolerance:
		return "", time.Time{}, ErrTimestampTooNew
	}
	want := make([][]byte, len(keys))
	for i, k := range keys {
		want[i] = mac(k, id, tsText, body)
	}
	got := make([]byte, 0, 32)
	matched := false
	for _, entry := range strings.Split(sigs, " ") {
		version, enc, ok := strings.Cut(entry, ",")
		if !ok || version != signatureVersion || base64.StdEncoding.DecodedLen(len(enc)) > 33 {
			continue
		}
		sig, err := base64.StdEncoding.AppendDecode(got[:0], []byte(enc))
		if err != nil {
			continue
		}
		for _, w := range want {
			// Every pair is compared, match or not, so the time taken
			// says nothing about which entry or key matched.
			if hmac.Equal(sig, w) {
				matched = true
			}
		}
	}
	if !matched {
		return "", time.Time{}, ErrInvalidSignature
	}
	return id, at, nil
}

// parseTimestamp reads integer Unix seconds: ASCII digits only (no sign,
// no spaces), at most maxTimestampDigits of them.
func parseTimestamp(s string) (int64, error) {
	bad := &HeaderError{Header: HeaderTimestamp, Err: ErrInvalidHeader, Problem: "not integer Unix seconds"}
	if len(s) > maxTimestampDigits {
		return 0, bad
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, bad
		}
	}
	ts, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, bad
	}
	return ts, nil
}

// VerifierOptions configures a Verifier; the zero value works: a
// five-minute tolerance, the system clock, and replays refused with room
// for DefaultMaxRemembered IDs.
type VerifierOptions struct {
	// Tolerance is how far a delivery's timestamp may be from Clock's
	// time, either way; zero (or negative) means DefaultTolerance.
	Tolerance time.Duration
	// Clock tells the time; nil means time.Now.
	Clock func() time.Time
	// AllowReplays turns the memory of seen IDs off: a delivery is then
	// accepted again, within the tolerance, as often as it arrives, and
	// the receiver de-duplicates on its ID itself.
	AllowReplays bool
	// MaxRemembered bounds how many unexpired IDs the memory holds; zero
	// (or negative) means DefaultMaxRemembered. When it is full, Verify
	// refuses new deliveries with ErrReplayMemoryFull rather than forget
	// an ID that could still be replayed.
	MaxRemembered int
}

// DefaultMaxRemembered is the default bound of a Verifier's memory of seen
// IDs: 100,000 deliveries per twice the tolerance (about 170 a second with
// the default tolerance), a few tens of megabytes at most.
const DefaultMaxRemembered = 100_000

// Verifier checks deliveries as Verify does, with its own clock and
// tolerance, and by default also refuses replays: it remembers the ID of
// every delivery it accepts until the delivery's timestamp is older than
// the tolerance (after which the delivery is refused as too old anyway),
// and refuses an authentic delivery with a remembered ID with ErrReplayed.
//
// A receiver that accepted a delivery but could not handle it, and answers
// with an error status so that the sender retries, calls Forget with the
// ID first; otherwise the retry, which has the same ID, is refused as a
// replay.
//
// A Verifier is safe for concurrent use; of two identical deliveries
// verified at once, exactly one is accepted.
type Verifier struct {
	keys      [][]byte
	tolerance time.Duration
	clock     func() time.Time
	replays   bool
	max       int

	mu   sync.Mutex
	seen map[string]time.Time // ID -> when it may be forgotten
	exp  expiryHeap
}

// NewVerifier returns a Verifier that accepts deliveries signed with any
// of secrets: pass the old and the new secret during a rotation. It
// returns an error matching ErrInvalidSecret when secrets is empty or
// holds a zero Secret.
func NewVerifier(opts VerifierOptions, secrets ...Secret) (*Verifier, error) {
	keys, err := keysOf(secrets)
	if err != nil {
		return nil, fmt.Errorf("webhook: new verifier: %w", err)
	}
	if opts.Tolerance <= 0 {
		opts.Tolerance = DefaultTolerance
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.MaxRemembered <= 0 {
		opts.MaxRemembered = DefaultMaxRemembered
	}
	return &Verifier{
		keys: keys, tolerance: opts.Tolerance, clock: opts.Clock,
		replays: opts.AllowReplays, max: opts.MaxRemembered,
		seen: make(map[string]time.Time),
	}, nil
}

// Verify checks a delivery as the package's Verify does, with the
// Verifier's secrets, clock and tolerance, and, unless AllowReplays is
// set, records its ID, refusing a delivery whose ID it already holds with
// ErrReplayed. body must be the raw bytes as received.
//
// It returns a *HeaderError matching ErrMissingHeader or ErrInvalidHeader,
// ErrTimestampTooOld or ErrTimestampTooNew (both match ErrTimestamp),
// ErrInvalidSignature, ErrReplayed or ErrReplayMemoryFull.
func (v *Verifier) Verify(h http.Header, body []byte) error {
	now := v.clock()
	id, at, err := verify(h, body, v.keys, now, v.tolerance)
	if err == nil && !v.replays {
		err = v.remember(id, at.Add(v.tolerance), now)
	}
	if err != nil {
		return fmt.Errorf("webhook: verify: %w", err)
	}
	return nil
}

// VerifyRequest reads r's body, at most maxBody bytes (zero or negative
// means DefaultMaxBody), and verifies it with r's headers as Verify does.
// It returns the body when the delivery is accepted. Besides Verify's
// errors it returns an error matching ErrBodyTooLarge for a longer body
// and the reader's error when reading fails.
func (v *Verifier) VerifyRequest(r *http.Request, maxBody int64) ([]byte, error) {
	body, err := readBody(r.Body, maxBody)
	if err != nil {
		return nil, fmt.Errorf("webhook: verify: %w", err)
	}
	if err := v.Verify(r.Header, body); err != nil {
		return nil, err
	}
	return body, nil
}

// DefaultMaxBody bounds the body VerifyRequest and the tracking intake
// read, when not told otherwise: 1 MiB.
const DefaultMaxBody = 1 << 20

// ErrBodyTooLarge means a delivery's body is longer than the bound the
// receiver reads.
var ErrBodyTooLarge = errors.New("webhook: body too large")

// readBody reads at most max bytes of body (DefaultMaxBody when max is not
// positive), failing with ErrBodyTooLarge on a longer one.
func readBody(body io.Reader, max int64) ([]byte, error) {
	if max <= 0 {
		max = DefaultMaxBody
	}
	if body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(body, max+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, fmt.Errorf("%w: more than %d bytes", ErrBodyTooLarge, mbe.Limit)
		}
		return nil, fmt.Errorf("read body: %w", err)
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrBodyTooLarge, max)
	}
	return b, nil
}

// Forget drops id from the memory of seen IDs, so that the sender's retry
// of a delivery the receiver accepted but failed to handle is accepted
// again. Forgetting an ID the Verifier does not hold does nothing.
func (v *Verifier) Forget(id string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	delete(v.seen, id)
}

// Remembered returns how many IDs the memory of seen IDs holds, expired
// ones not yet dropped included.
func (v *Verifier) Remembered() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.seen)
}

// remember records id until until, or reports it a replay.
func (v *Verifier) remember(id string, until, now time.Time) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	for len(v.exp) > 0 && !v.exp[0].until.After(now) {
		e := heap.Pop(&v.exp).(expiry)
		if u, ok := v.seen[e.id]; ok && !u.After(now) {
			delete(v.seen, e.id)
		}
	}
	if u, ok := v.seen[id]; ok && u.After(now) {
		return ErrReplayed
	}
	// The heap may hold stale entries of forgotten IDs, so it is the
	// heap's length that is bounded: it bounds the map too.
	if len(v.exp) >= v.max {
		return fmt.Errorf("%w: %d IDs held", ErrReplayMemoryFull, len(v.exp))
	}
	v.seen[id] = until
	heap.Push(&v.exp, expiry{id: id, until: until})
	return nil
}

// expiry is when a remembered ID may be dropped.
type expiry struct {
	id    string
	until time.Time
}

// expiryHeap is a min-heap of expiries, earliest first.
type expiryHeap []expiry

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].until.Before(h[j].until) }
func (h expiryHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *expiryHeap) Push(x any)        { *h = append(*h, x.(expiry)) }
func (h *expiryHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
