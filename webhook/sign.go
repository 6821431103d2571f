package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The Standard Webhooks headers.
const (
	// HeaderID carries the message ID, the same on every retry of one
	// message: receivers de-duplicate on it. The Dispatcher sends the
	// outbox event's ID.
	HeaderID = "webhook-id"
	// HeaderTimestamp carries when the message was signed, in integer
	// Unix seconds.
	HeaderTimestamp = "webhook-timestamp"
	// HeaderSignature carries one or more space-separated signatures,
	// each "v1,<base64 HMAC-SHA256>", one per secret the sender signs
	// with.
	HeaderSignature = "webhook-signature"
)

// signatureVersion is the only signature scheme this package makes and
// checks: HMAC-SHA256. Entries of other versions (such as the asymmetric
// "v1a") are ignored by Verify.
const signatureVersion = "v1"

// MaxIDLength bounds a message ID, in bytes, for signing and verifying.
const MaxIDLength = 256

// Sign returns the webhook-signature header value for a message: one
// "v1,<base64(HMAC-SHA256(key, id.timestamp.body))>" entry per secret,
// separated by spaces, in the order given. A sender rotating its secret
// signs with the old and the new one, so a receiver holding either
// verifies. timestamp is truncated to whole seconds, as the header carries
// it.
//
// It returns an error matching ErrInvalidSecret when secrets is empty or
// one is the zero Secret, and a *HeaderError matching ErrInvalidHeader when
// id is empty, longer than MaxIDLength or holds other than printable ASCII
// without spaces, or timestamp is before 1970.
func Sign(id string, timestamp time.Time, body []byte, secrets ...Secret) (string, error) {
	if err := checkID(id); err != nil {
		return "", fmt.Errorf("webhook: sign: %w", err)
	}
	ts := timestamp.Unix()
	if ts < 0 {
		return "", fmt.Errorf("webhook: sign: %w", &HeaderError{Header: HeaderTimestamp, Err: ErrInvalidHeader, Problem: "before 1970"})
	}
	if len(secrets) == 0 {
		return "", fmt.Errorf("webhook: sign: %w: no secret", ErrInvalidSecret)
	}
	tsText := strconv.FormatInt(ts, 10)
	var b strings.Builder
	for i, s := range secrets {
		if s.IsZero() {
			return "", fmt.Errorf("webhook: sign: secrets[%d]: %w: empty", i, ErrInvalidSecret)
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(signatureVersion)
		b.WriteByte(',')
		b.WriteString(base64.StdEncoding.EncodeToString(mac(s.key, id, tsText, body)))
	}
	return b.String(), nil
}

// SetHeaders signs a message as Sign does and sets the three Standard
// Webhooks headers on h. It returns Sign's errors and then leaves h as it
// was.
func SetHeaders(h http.Header, id string, timestamp time.Time, body []byte, secrets ...Secret) error {
	sig, err := Sign(id, timestamp, body, secrets...)
	if err != nil {
		return err
	}
	h.Set(HeaderID, id)
	h.Set(HeaderTimestamp, strconv.FormatInt(timestamp.Unix(), 10))
	h.Set(HeaderSignature, sig)
	return nil
}

// mac returns HMAC-SHA256(key, id + "." + ts + "." + body).
func mac(key []byte, id, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// checkID checks a message ID: 1 to MaxIDLength bytes of printable ASCII
// without spaces (so it fits a header and cannot split one).
func checkID(id string) error {
	if id == "" {
		return &HeaderError{Header: HeaderID, Err: ErrMissingHeader, Problem: "missing"}
	}
	if len(id) > MaxIDLength {
		return &HeaderError{Header: HeaderID, Err: ErrInvalidHeader, Problem: fmt.Sprintf("longer than %d bytes", MaxIDLength)}
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c > '~' {
			return &HeaderError{Header: HeaderID, Err: ErrInvalidHeader, Problem: "not printable ASCII without spaces"}
		}
	}
	return nil
}
