package natsjs

import (
	"fmt"
	"strings"

	"github.com/ordersmith/oms/fielderr"
	"github.com/ordersmith/oms/storage"
)

// DefaultPrefix is the first subject token (or tokens) of every event a
// Publisher built with an empty Options.Prefix sends, and the prefix an
// EnsureStream call with an empty StreamOptions.Prefix covers.
const DefaultPrefix = "oms"

// MaxSubjectLen bounds the length in bytes of a subject the Publisher
// builds. A NATS server refuses a protocol line longer than its
// max_control_line (4096 bytes by default) by closing the connection, and
// the publish line carries the subject, a reply inbox and two lengths; an
// event whose subject would be longer is refused with ErrInvalidEvent
// instead, so one odd tenant cannot make every publish fail.
const MaxSubjectLen = 2048

// EscapeToken returns s as one NATS subject token that cannot change the
// subject's shape: the letters A-Z and a-z, the digits, '-' and '_' stand
// for themselves, and every other byte (including '.', '*', '>', '%',
// spaces, control characters and each byte of a multi-byte UTF-8
// character) becomes '%' and two upper-case hexadecimal digits, as in URL
// percent-encoding. Distinct strings give distinct tokens, and
// UnescapeToken reverses it. The empty string gives the empty string,
// which is not a valid token: the Publisher refuses empty tenants and
// event type segments.
func EscapeToken(s string) string {
	const hex = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(s); i++ {
		if !plain(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if plain(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0xF])
	}
	return b.String()
}

// UnescapeToken reverses EscapeToken. It returns an error wrapping
// ErrInvalidToken when tok is not something EscapeToken returns: a byte
// other than the plain ones and '%', a '%' not followed by two upper-case
// hexadecimal digits, or an escape of a plain byte.
func UnescapeToken(tok string) (string, error) {
	if !strings.Contains(tok, "%") {
		for i := 0; i < len(tok); i++ {
			if !plain(tok[i]) {
				return "", fmt.Errorf("natsjs: token %q: byte %d: %w", tok, i, ErrInvalidToken)
			}
		}
		return tok, nil
	}
	var b strings.Builder
	b.Grow(len(tok))
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		switch {
		case plain(c):
			b.WriteByte(c)
		case c == '%' && i+2 < len(tok) && unhex(tok[i+1]) >= 0 && unhex(tok[i+2]) >= 0:
			d := byte(unhex(tok[i+1])<<4 | unhex(tok[i+2]))
			if plain(d) {
				return "", fmt.Errorf("natsjs: token %q: byte %d escapes a plain byte: %w", tok, i, ErrInvalidToken)
			}
			b.WriteByte(d)
			i += 2
		default:
			return "", fmt.Errorf("natsjs: token %q: byte %d: %w", tok, i, ErrInvalidToken)
		}
	}
	return b.String(), nil
}

// plain reports whether c stands for itself in a token.
func plain(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}

// unhex returns the value of an upper-case hexadecimal digit, or -1.
func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// checkPrefix adds a problem at path unless prefix is one or more
// dot-separated tokens of plain bytes: no wildcard, no empty token, no
// '$' (the server's own subjects start with it).
func checkPrefix(fe *fielderr.Error, path, prefix string) {
	if prefix == "" {
		fe.Add(path, "empty")
		return
	}
	if len(prefix) > MaxSubjectLen/2 {
		fe.Add(path, fmt.Sprintf("longer than %d bytes", MaxSubjectLen/2))
		return
	}
	for i, tok := range strings.Split(prefix, ".") {
		if tok == "" {
			fe.Add(path, fmt.Sprintf("token %d is empty", i))
			return
		}
		for j := 0; j < len(tok); j++ {
			if !plain(tok[j]) {
				fe.Add(path, fmt.Sprintf("token %d: %q is not a letter, digit, '-' or '_'", i, tok[j]))
				return
			}
		}
	}
}

// Subject returns the subject a Publisher with Options.Prefix prefix
// publishes e on (empty means DefaultPrefix); see Publisher for the
// mapping. It returns an error wrapping ErrInvalidOptions (naming
// "prefix") for a malformed prefix and one wrapping ErrInvalidEvent
// (naming "tenant" or "type") for an event that has no subject.
func Subject(prefix string, e storage.Event) (string, error) {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	fe := fielderr.New(ErrInvalidOptions)
	checkPrefix(fe, "prefix", prefix)
	if err := fe.Err(); err != nil {
		return "", fmt.Errorf("natsjs: %w", err)
	}
	return subject(prefix, e)
}

// subject returns the subject of e under prefix (already checked):
//
//	<prefix>.<EscapeToken(tenant)>.<EscapeToken(segment)>...
//
// with one token per dot-separated segment of the event type, so
// "order.placed" of tenant "acme" is "oms.acme.order.placed". It returns
// an error wrapping ErrInvalidEvent (a *fielderr.Error naming "tenant" or
// "type") for an empty tenant, an empty type or type segment, or a subject
// longer than MaxSubjectLen.
func subject(prefix string, e storage.Event) (string, error) {
	fe := fielderr.New(ErrInvalidEvent)
	fe.Check(e.Tenant != "", "tenant", "empty")
	fe.Check(e.Type != "", "type", "empty")
	if err := fe.Err(); err != nil {
		return "", fmt.Errorf("natsjs: event %s: %w", e.ID, err)
	}
	var b strings.Builder
	b.WriteString(prefix)
	b.WriteByte('.')
	b.WriteString(EscapeToken(e.Tenant))
	if b.Len() > MaxSubjectLen {
		fe.Add("tenant", fmt.Sprintf("makes a subject longer than %d bytes", MaxSubjectLen))
		return "", fmt.Errorf("natsjs: event %s: %w", e.ID, fe)
	}
	for i, seg := range strings.Split(e.Type, ".") {
		if seg == "" {
			fe.Add("type", fmt.Sprintf("segment %d of %q is empty", i, e.Type))
			return "", fmt.Errorf("natsjs: event %s: %w", e.ID, fe)
		}
		b.WriteByte('.')
		b.WriteString(EscapeToken(seg))
		if b.Len() > MaxSubjectLen {
			fe.Add("type", fmt.Sprintf("makes a subject longer than %d bytes", MaxSubjectLen))
			return "", fmt.Errorf("natsjs: event %s: %w", e.ID, fe)
		}
	}
	return b.String(), nil
}
