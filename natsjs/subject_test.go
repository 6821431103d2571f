package natsjs_test

import (
	"strings"
	"testing"
	"unicode"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/fielderr"
	"github.com/ordersmith/oms/natsjs"
)

// newPublisher returns a Publisher on a connection that was never opened:
// enough for what needs no server (subjects, messages, option checks).
func newPublisher(t *testing.T, opts natsjs.Options) *natsjs.Publisher {
	t.Helper()
	_, js := jetstreamWithoutServer(t)
	p, err := natsjs.New(js, opts)
	require.NoError(t, err)
	return p
}

func TestSubject(t *testing.T) {
	t.Parallel()
	agg := uuid.Must(uuid.NewV7())
	tests := []struct {
		name, prefix, tenant, typ, want string
	}{
		{"plain", "", "acme", "order.placed", "oms.acme.order.placed"},
		{"custom prefix", "shop.events", "acme", "order.placed", "shop.events.acme.order.placed"},
		{"underscore and dash", "", "acme-eu_1", "payment.refund_requested", "oms.acme-eu_1.payment.refund_requested"},
		{"dot in tenant", "", "acme.eu", "order.placed", "oms.acme%2Eeu.order.placed"},
		{"star tenant", "", "*", "order.placed", "oms.%2A.order.placed"},
		{"gt tenant", "", ">", "order.placed", "oms.%3E.order.placed"},
		{"wildcards and dots", "", "a.*.>", "order.placed", "oms.a%2E%2A%2E%3E.order.placed"},
		{"space", "", "big shop", "order.placed", "oms.big%20shop.order.placed"},
		{"tab and newline", "", "a\tb\r\nc", "order.placed", "oms.a%09b%0D%0Ac.order.placed"},
		{"percent is escaped too", "", "acme%2Eeu", "order.placed", "oms.acme%252Eeu.order.placed"},
		{"dollar", "", "$JS", "order.placed", "oms.%24JS.order.placed"},
		{"slash and colon", "", "tenant:1/eu", "order.placed", "oms.tenant%3A1%2Feu.order.placed"},
		{"unicode", "", "café", "order.placed", "oms.caf%C3%A9.order.placed"},
		{"NUL", "", "a\x00b", "order.placed", "oms.a%00b.order.placed"},
		{"hostile type segment", "", "acme", "order.pl*ced", "oms.acme.order.pl%2Aced"},
		{"one-segment type", "", "acme", "ping", "oms.acme.ping"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newPublisher(t, natsjs.Options{Prefix: tt.prefix})
			got, err := p.Subject(event(tt.tenant, tt.typ, agg, 1))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)

			// The shape: the prefix's tokens, one tenant token, one token per
			// type segment; no wildcard, no whitespace, no empty token.
			prefix := tt.prefix
			if prefix == "" {
				prefix = natsjs.DefaultPrefix
			}
			toks := strings.Split(got, ".")
			np := len(strings.Split(prefix, "."))
			require.Len(t, toks, np+1+len(strings.Split(tt.typ, ".")))
			for _, tok := range toks {
				assert.NotEmpty(t, tok)
				assert.NotContains(t, []string{"*", ">"}, tok)
				assert.False(t, strings.ContainsFunc(tok, func(r rune) bool { return unicode.IsSpace(r) || r > unicode.MaxASCII || r < ' ' }), tok)
			}
			same, err := natsjs.Subject(tt.prefix, event(tt.tenant, tt.typ, agg, 1))
			require.NoError(t, err)
			assert.Equal(t, got, same, "Subject and Publisher.Subject agree")
			tenant, err := natsjs.UnescapeToken(toks[np])
			require.NoError(t, err)
			assert.Equal(t, tt.tenant, tenant)
		})
	}
}

func TestSubjectRefusesEvent(t *testing.T) {
	t.Parallel()
	agg := uuid.Must(uuid.NewV7())
	tests := []struct {
		name, tenant, typ, field string
	}{
		{"empty tenant", "", "order.placed", "tenant"},
		{"empty type", "acme", "", "type"},
		{"empty type segment", "acme", "order..placed", "type"},
		{"trailing dot", "acme", "order.", "type"},
		{"leading dot", "acme", ".placed", "type"},
		{"tenant too long", strings.Repeat("*", natsjs.MaxSubjectLen), "order.placed", "tenant"},
		{"type too long", "acme", strings.Repeat("a.", natsjs.MaxSubjectLen/2) + "b", "type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newPublisher(t, natsjs.Options{})
			_, err := p.Subject(event(tt.tenant, tt.typ, agg, 1))
			require.ErrorIs(t, err, natsjs.ErrInvalidEvent)
			assert.True(t, fielderr.As(err).Has(tt.field), "%v", err)
			_, err = p.Msg(event(tt.tenant, tt.typ, agg, 1))
			require.ErrorIs(t, err, natsjs.ErrInvalidEvent)
		})
	}
}

func TestSubjectRefusesPrefix(t *testing.T) {
	t.Parallel()
	e := event("acme", "order.placed", uuid.Must(uuid.NewV7()), 1)
	for _, prefix := range []string{"oms.", "a b", "oms.>", "*"} {
		_, err := natsjs.Subject(prefix, e)
		require.ErrorIs(t, err, natsjs.ErrInvalidOptions, "%q", prefix)
		assert.True(t, fielderr.As(err).Has("prefix"), "%q", prefix)
	}
}

func TestMsgRefusesBadPayload(t *testing.T) {
	t.Parallel()
	p := newPublisher(t, natsjs.Options{})
	e := event("acme", "order.placed", uuid.Must(uuid.NewV7()), 1)
	e.Payload = []byte(`{"n":`)
	_, err := p.Msg(e)
	require.ErrorIs(t, err, natsjs.ErrInvalidEvent)
}

func TestNewRefusesOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		opts   natsjs.Options
		nilJS  bool
		fields []string
	}{
		{name: "nil js", nilJS: true, fields: []string{"js"}},
		{name: "empty token at end", opts: natsjs.Options{Prefix: "oms."}, fields: []string{"prefix"}},
		{name: "empty token at start", opts: natsjs.Options{Prefix: ".oms"}, fields: []string{"prefix"}},
		{name: "empty token inside", opts: natsjs.Options{Prefix: "a..b"}, fields: []string{"prefix"}},
		{name: "star", opts: natsjs.Options{Prefix: "oms.*"}, fields: []string{"prefix"}},
		{name: "gt", opts: natsjs.Options{Prefix: ">"}, fields: []string{"prefix"}},
		{name: "space", opts: natsjs.Options{Prefix: "my oms"}, fields: []string{"prefix"}},
		{name: "dollar", opts: natsjs.Options{Prefix: "$JS.API"}, fields: []string{"prefix"}},
		{name: "too long", opts: natsjs.Options{Prefix: strings.Repeat("a", natsjs.MaxSubjectLen)}, fields: []string{"prefix"}},
		{name: "bad stream", opts: natsjs.Options{Stream: "a.b"}, fields: []string{"stream"}},
		{name: "all at once", nilJS: true, opts: natsjs.Options{Prefix: "a b", Stream: "x y"}, fields: []string{"js", "prefix", "stream"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, js := jetstreamWithoutServer(t)
			if tt.nilJS {
				js = nil
			}
			p, err := natsjs.New(js, tt.opts)
			require.ErrorIs(t, err, natsjs.ErrInvalidOptions)
			assert.Nil(t, p)
			fe := fielderr.As(err)
			require.NotNil(t, fe)
			var got []string
			for _, f := range fe.Fields {
				got = append(got, f.Path)
			}
			assert.Equal(t, tt.fields, got)
		})
	}
}

func TestEscapeTokenRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []string{"", "acme", "a.b", "%", "%%41", "*>", " ", "\xff\xfe", "日本"}
	for _, s := range tests {
		tok := natsjs.EscapeToken(s)
		got, err := natsjs.UnescapeToken(tok)
		require.NoError(t, err, "%q -> %q", s, tok)
		assert.Equal(t, s, got)
	}
}

func TestUnescapeTokenRefuses(t *testing.T) {
	t.Parallel()
	for _, tok := range []string{"a.b", "*", ">", "a b", "%", "%4", "%zz", "%2e", "%41", "é"} {
		_, err := natsjs.UnescapeToken(tok)
		assert.ErrorIs(t, err, natsjs.ErrInvalidToken, "%q", tok)
	}
}

// FuzzEscapeToken checks that every string escapes to one token without
// wildcards or whitespace, that escaping is reversed exactly, and that
// whatever UnescapeToken accepts escapes back to itself (so distinct
// tenants never share a token).
func FuzzEscapeToken(f *testing.F) {
	for _, s := range []string{"acme", "a.*.>", "%2E", " \t", "café", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tok := natsjs.EscapeToken(s)
		if s != "" && tok == "" {
			t.Fatalf("%q escaped to nothing", s)
		}
		for i := 0; i < len(tok); i++ {
			c := tok[i]
			if c == '.' || c == '*' || c == '>' || c <= ' ' || c >= 0x7f {
				t.Fatalf("%q escaped to %q, with byte %q", s, tok, c)
			}
		}
		back, err := natsjs.UnescapeToken(tok)
		if err != nil || back != s {
			t.Fatalf("%q -> %q -> %q, %v", s, tok, back, err)
		}
		if u, err := natsjs.UnescapeToken(s); err == nil && natsjs.EscapeToken(u) != s {
			t.Fatalf("%q unescapes to %q, which escapes to %q", s, u, natsjs.EscapeToken(u))
		}
	})
}
