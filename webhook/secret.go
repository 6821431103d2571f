package webhook

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"strings"
)

// SecretPrefix starts the text form of every signing secret.
const SecretPrefix = "whsec_"

// Bounds on a secret's key, in bytes, as the Standard Webhooks
// specification recommends.
const (
	MinSecretBytes = 24
	MaxSecretBytes = 64
)

// Secret is an HMAC-SHA256 signing key shared by a sender and a receiver.
// Its text form is "whsec_" followed by the standard (padded) base64 of the
// key. The zero Secret holds no key: Sign and NewVerifier refuse it. Its
// String and LogValue are redacted, so logging one does not leak it; use
// Encode for the text form.
type Secret struct {
	key []byte
}

// ParseSecret parses a secret in its text form, "whsec_<base64>". It
// returns an error matching ErrInvalidSecret when the prefix is missing,
// the rest is not standard base64, or the key is shorter than
// MinSecretBytes or longer than MaxSecretBytes.
func ParseSecret(s string) (Secret, error) {
	enc, ok := strings.CutPrefix(s, SecretPrefix)
	if !ok {
		return Secret{}, fmt.Errorf("webhook: secret: %w: missing the %q prefix", ErrInvalidSecret, SecretPrefix)
	}
	if len(enc) > base64.StdEncoding.EncodedLen(MaxSecretBytes) {
		return Secret{}, fmt.Errorf("webhook: secret: %w: longer than %d bytes", ErrInvalidSecret, MaxSecretBytes)
	}
	key, err := base64.StdEncoding.Strict().DecodeString(enc)
	if err != nil {
		return Secret{}, fmt.Errorf("webhook: secret: %w: not base64", ErrInvalidSecret)
	}
	if len(key) < MinSecretBytes || len(key) > MaxSecretBytes {
		return Secret{}, fmt.Errorf("webhook: secret: %w: %d bytes, want %d to %d", ErrInvalidSecret, len(key), MinSecretBytes, MaxSecretBytes)
	}
	return Secret{key: key}, nil
}

// MustParseSecret is ParseSecret for secrets known to be valid, such as
// constants in tests; it panics on a bad one.
func MustParseSecret(s string) Secret {
	sec, err := ParseSecret(s)
	if err != nil {
		panic(err)
	}
	return sec
}

// NewSecret returns a new random 32-byte secret from crypto/rand.
func NewSecret() Secret {
	key := make([]byte, 32)
	_, _ = rand.Read(key) // crypto/rand.Read never fails (Go 1.24+)
	return Secret{key: key}
}

// Encode returns the secret's text form, "whsec_<base64>", which
// ParseSecret reads back. It is the secret itself: keep it out of logs.
func (s Secret) Encode() string {
	return SecretPrefix + base64.StdEncoding.EncodeToString(s.key)
}

// IsZero reports whether s holds no key.
func (s Secret) IsZero() bool { return len(s.key) == 0 }

// String returns a redacted form, "whsec_[redacted]", never the key.
func (s Secret) String() string { return SecretPrefix + "[redacted]" }

// LogValue logs the secret redacted.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// GoString returns the redacted form too, so %#v does not print the key.
func (s Secret) GoString() string { return s.String() }
