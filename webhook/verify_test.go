package webhook_test

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/webhook"
)

// The published Standard Webhooks test vector.
const (
	vectorSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vectorID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vectorTimestamp = 1614265330
	vectorBody      = `{"test": 2432232314}`
	vectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestSignMatchesTheSpecVector(t *testing.T) {
	sig, err := webhook.Sign(vectorID, time.Unix(vectorTimestamp, 0), []byte(vectorBody), webhook.MustParseSecret(vectorSecret))
	require.NoError(t, err)
	assert.Equal(t, vectorSignature, sig)
}

func TestParseSecret(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		ok       bool
	}{
		{"spec vector", vectorSecret, true},
		{"32 bytes", "whsec_" + strings.Repeat("A", 43) + "=", true},
		{"no prefix", strings.TrimPrefix(vectorSecret, "whsec_"), false},
		{"empty", "", false},
		{"prefix only", "whsec_", false},
		{"not base64", "whsec_!!!!" + strings.Repeat("A", 28), false},
		{"too short", "whsec_" + strings.Repeat("A", 28), false}, // 21 bytes
		{"too long", "whsec_" + strings.Repeat("A", 96), false},  // 72 bytes
		{"unpadded", "whsec_" + strings.Repeat("A", 43), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := webhook.ParseSecret(tc.in)
			if !tc.ok {
				require.ErrorIs(t, err, webhook.ErrInvalidSecret)
				assert.True(t, s.IsZero())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.in, s.Encode(), "Encode gives the text form back")
			assert.NotContains(t, s.String(), tc.in[6:], "String is redacted")
			assert.NotContains(t, fmt.Sprintf("%v %+v %#v", s, s, s), tc.in[6:], "formatting is redacted")
		})
	}
	fresh := webhook.NewSecret()
	back, err := webhook.ParseSecret(fresh.Encode())
	require.NoError(t, err)
	assert.Equal(t, fresh.Encode(), back.Encode())
	assert.NotEqual(t, fresh.Encode(), webhook.NewSecret().Encode())
}

func TestSignRefusesBadInput(t *testing.T) {
	sec := webhook.NewSecret()
	now := time.Unix(vectorTimestamp, 0)
	for _, tc := range []struct {
		name    string
		id      string
		at      time.Time
		secrets []webhook.Secret
		want    error
		header  string
	}{
		{"no secret", "msg_1", now, nil, webhook.ErrInvalidSecret, ""},
		{"zero secret", "msg_1", now, []webhook.Secret{sec, {}}, webhook.ErrInvalidSecret, ""},
		{"empty id", "", now, []webhook.Secret{sec}, webhook.ErrMissingHeader, webhook.HeaderID},
		{"id with a space", "msg 1", now, []webhook.Secret{sec}, webhook.ErrInvalidHeader, webhook.HeaderID},
		{"id with a newline", "msg\n1", now, []webhook.Secret{sec}, webhook.ErrInvalidHeader, webhook.HeaderID},
		{"id too long", strings.Repeat("a", webhook.MaxIDLength+1), now, []webhook.Secret{sec}, webhook.ErrInvalidHeader, webhook.HeaderID},
		{"before 1970", "msg_1", time.Unix(-1, 0), []webhook.Secret{sec}, webhook.ErrInvalidHeader, webhook.HeaderTimestamp},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := webhook.Sign(tc.id, tc.at, []byte("{}"), tc.secrets...)
			require.ErrorIs(t, err, tc.want)
			if tc.header != "" {
				var he *webhook.HeaderError
				require.ErrorAs(t, err, &he)
				assert.Equal(t, tc.header, he.Header)
			}
			h := http.Header{}
			require.Error(t, webhook.SetHeaders(h, tc.id, tc.at, []byte("{}"), tc.secrets...))
			assert.Empty(t, h, "a failed SetHeaders sets nothing")
		})
	}
}

// signed returns the headers of a delivery of body signed at at.
func signed(t testing.TB, id string, at time.Time, body string, secrets ...webhook.Secret) http.Header {
	t.Helper()
	h := http.Header{}
	require.NoError(t, webhook.SetHeaders(h, id, at, []byte(body), secrets...))
	return h
}

func TestVerify(t *testing.T) {
	oldSec, newSec, other := webhook.NewSecret(), webhook.NewSecret(), webhook.NewSecret()
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	body := `{"id":"evt_1"}`
	with := func(h http.Header, name, value string) http.Header {
		h = h.Clone()
		if value == "" {
			h.Del(name)
		} else {
			h.Set(name, value)
		}
		return h
	}
	good := signed(t, "msg_1", now, body, newSec)
	for _, tc := range []struct {
		name    string
		h       http.Header
		body    string
		secrets []webhook.Secret
		want    error // nil: accepted
		header  string
	}{
		{"signed with the only secret", good, body, []webhook.Secret{newSec}, nil, ""},
		{"rotation: signed with both, receiver holds old", signed(t, "msg_1", now, body, newSec, oldSec), body, []webhook.Secret{oldSec}, nil, ""},
		{"rotation: signed with both, receiver holds new", signed(t, "msg_1", now, body, newSec, oldSec), body, []webhook.Secret{newSec}, nil, ""},
		{"rotation: signed with old, receiver holds both", signed(t, "msg_1", now, body, oldSec), body, []webhook.Secret{newSec, oldSec}, nil, ""},
		{"rotation: signed with new, receiver holds both", good, body, []webhook.Secret{oldSec, newSec}, nil, ""},
		{"unknown versions ignored", with(good, webhook.HeaderSignature, "v1a,AAAA v2,xyz "+good.Get(webhook.HeaderSignature)), body, []webhook.Secret{newSec}, nil, ""},
		{"within tolerance, old", signed(t, "msg_1", now.Add(-webhook.DefaultTolerance), body, newSec), body, []webhook.Secret{newSec}, nil, ""},
		{"within tolerance, new", signed(t, "msg_1", now.Add(webhook.DefaultTolerance), body, newSec), body, []webhook.Secret{newSec}, nil, ""},
		{"forged body", good, `{"id":"evt_2"}`, []webhook.Secret{newSec}, webhook.ErrInvalidSignature, ""},
		{"body with a trailing newline", good, body + "\n", []webhook.Secret{newSec}, webhook.ErrInvalidSignature, ""},
		{"forged id", with(good, webhook.HeaderID, "msg_2"), body, []webhook.Secret{newSec}, webhook.ErrInvalidSignature, ""},
		{"forged timestamp", with(good, webhook.HeaderTimestamp, strconv.FormatInt(now.Unix()+1, 10)), body, []webhook.Secret{newSec}, webhook.ErrInvalidSignature, ""},
		{"another secret", good, body, []webhook.Secret{other}, webhook.ErrInvalidSignature, ""},
		{"wrong version", with(good, webhook.HeaderSignature, "v2,"+strings.TrimPrefix(good.Get(webhook.HeaderSignature), "v1,")), body, []webhook.Secret{newSec}, webhook.ErrInvalidSignature, ""},
		{"garbage signature", with(good, webhook.HeaderSignature, "v1,not-base64"), body, []webhook.Secret{newSec}, webhook.ErrInvalidSignature, ""},
		{"stale", signed(t, "msg_1", now.Add(-webhook.DefaultTolerance-time.Second), body, newSec), body, []webhook.Secret{newSec}, webhook.ErrTimestampTooOld, ""},
		{"future", signed(t, "msg_1", now.Add(webhook.DefaultTolerance+time.Second), body, newSec), body, []webhook.Secret{newSec}, webhook.ErrTimestampTooNew, ""},
		{"no id", with(good, webhook.HeaderID, ""), body, []webhook.Secret{newSec}, webhook.ErrMissingHeader, webhook.HeaderID},
		{"no timestamp", with(good, webhook.HeaderTimestamp, ""), body, []webhook.Secret{newSec}, webhook.ErrMissingHeader, webhook.HeaderTimestamp},
		{"no signature", with(good, webhook.HeaderSignature, ""), body, []webhook.Secret{newSec}, webhook.ErrMissingHeader, webhook.HeaderSignature},
		{"timestamp in ms", with(good, webhook.HeaderTimestamp, strconv.FormatInt(now.UnixMilli(), 10)), body, []webhook.Secret{newSec}, webhook.ErrTimestampTooNew, ""},
		{"signed timestamp", with(good, webhook.HeaderTimestamp, "+"+strconv.FormatInt(now.Unix(), 10)), body, []webhook.Secret{newSec}, webhook.ErrInvalidHeader, webhook.HeaderTimestamp},
		{"huge timestamp", with(good, webhook.HeaderTimestamp, strings.Repeat("9", 40)), body, []webhook.Secret{newSec}, webhook.ErrInvalidHeader, webhook.HeaderTimestamp},
		{"huge signature header", with(good, webhook.HeaderSignature, strings.Repeat("v1,AAAA ", 1000)), body, []webhook.Secret{newSec}, webhook.ErrInvalidHeader, webhook.HeaderSignature},
		{"no secrets", good, body, nil, webhook.ErrInvalidSecret, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := webhook.NewVerifier(webhook.VerifierOptions{Clock: func() time.Time { return now }}, tc.secrets...)
			if errors.Is(tc.want, webhook.ErrInvalidSecret) {
				require.ErrorIs(t, err, webhook.ErrInvalidSecret)
				require.ErrorIs(t, webhook.Verify(tc.h, []byte(tc.body), tc.secrets...), webhook.ErrInvalidSecret)
				return
			}
			require.NoError(t, err)
			err = v.Verify(tc.h, []byte(tc.body))
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tc.want)
			if tc.header != "" {
				var he *webhook.HeaderError
				require.ErrorAs(t, err, &he)
				assert.Equal(t, tc.header, he.Header)
			}
			if errors.Is(tc.want, webhook.ErrTimestampTooOld) || errors.Is(tc.want, webhook.ErrTimestampTooNew) {
				assert.ErrorIs(t, err, webhook.ErrTimestamp)
			}
		})
	}
}

// The package's Verify uses the system clock: the spec vector, signed in
// 2021, is stale, and a fresh signature verifies.
func TestVerifyFunction(t *testing.T) {
	sec := webhook.MustParseSecret(vectorSecret)
	h := http.Header{}
	h.Set(webhook.HeaderID, vectorID)
	h.Set(webhook.HeaderTimestamp, strconv.Itoa(vectorTimestamp))
	h.Set(webhook.HeaderSignature, vectorSignature)
	require.ErrorIs(t, webhook.Verify(h, []byte(vectorBody), sec), webhook.ErrTimestampTooOld)

	fresh := signed(t, vectorID, time.Now(), vectorBody, sec)
	require.NoError(t, webhook.Verify(fresh, []byte(vectorBody), sec))
	require.NoError(t, webhook.Verify(fresh, []byte(vectorBody), sec), "the function keeps no memory of IDs")
	require.ErrorIs(t, webhook.Verify(fresh, []byte(vectorBody+" "), sec), webhook.ErrInvalidSignature)
}

func TestVerifierRefusesReplays(t *testing.T) {
	sec := webhook.NewSecret()
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	h := signed(t, "msg_1", now, "{}", sec)

	v, err := webhook.NewVerifier(webhook.VerifierOptions{Clock: clock}, sec)
	require.NoError(t, err)
	require.NoError(t, v.Verify(h, []byte("{}")))
	require.ErrorIs(t, v.Verify(h, []byte("{}")), webhook.ErrReplayed, "the same delivery again")
	retry := signed(t, "msg_1", now.Add(time.Second), "{}", sec)
	require.ErrorIs(t, v.Verify(retry, []byte("{}")), webhook.ErrReplayed, "the same ID, signed again")
	require.ErrorIs(t, v.Verify(h, []byte("{!}")), webhook.ErrInvalidSignature, "a forgery is not a replay")

	v.Forget("msg_1")
	require.NoError(t, v.Verify(retry, []byte("{}")), "a forgotten ID is accepted again")

	// Once the delivery is older than the tolerance it is stale, and its ID
	// is dropped from the memory.
	now = now.Add(webhook.DefaultTolerance + 2*time.Second)
	require.ErrorIs(t, v.Verify(h, []byte("{}")), webhook.ErrTimestampTooOld)
	require.NoError(t, v.Verify(signed(t, "msg_2", now, "{}", sec), []byte("{}")))
	assert.Equal(t, 1, v.Remembered(), "msg_1 expired and was dropped")

	allow, err := webhook.NewVerifier(webhook.VerifierOptions{Clock: clock, AllowReplays: true}, sec)
	require.NoError(t, err)
	h2 := signed(t, "msg_3", now, "{}", sec)
	require.NoError(t, allow.Verify(h2, []byte("{}")))
	require.NoError(t, allow.Verify(h2, []byte("{}")), "AllowReplays accepts the same delivery again")
	assert.Zero(t, allow.Remembered())
}

func TestVerifierMemoryIsBounded(t *testing.T) {
	sec := webhook.NewSecret()
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	v, err := webhook.NewVerifier(webhook.VerifierOptions{Clock: func() time.Time { return now }, MaxRemembered: 3, Tolerance: time.Minute}, sec)
	require.NoError(t, err)
	for i := range 3 {
		require.NoError(t, v.Verify(signed(t, fmt.Sprintf("msg_%d", i), now, "{}", sec), []byte("{}")))
	}
	full := signed(t, "msg_3", now, "{}", sec)
	require.ErrorIs(t, v.Verify(full, []byte("{}")), webhook.ErrReplayMemoryFull)
	require.ErrorIs(t, v.Verify(signed(t, "msg_0", now, "{}", sec), []byte("{}")), webhook.ErrReplayed, "a full memory still refuses replays")

	now = now.Add(time.Minute + time.Second)
	require.NoError(t, v.Verify(signed(t, "msg_3", now, "{}", sec), []byte("{}")), "expired IDs make room")
	assert.Equal(t, 1, v.Remembered())
}

// Of many identical deliveries verified at once, exactly one is accepted.
func TestVerifierConcurrentReplays(t *testing.T) {
	sec := webhook.NewSecret()
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	v, err := webhook.NewVerifier(webhook.VerifierOptions{Clock: func() time.Time { return now }}, sec)
	require.NoError(t, err)
	h := signed(t, "msg_1", now, "{}", sec)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		accepted int
	)
	for range 32 {
		wg.Go(func() {
			err := v.Verify(h, []byte("{}"))
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				accepted++
			} else {
				assert.ErrorIs(t, err, webhook.ErrReplayed)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, 1, accepted)
}

func TestVerifyRequestBoundsTheBody(t *testing.T) {
	sec := webhook.NewSecret()
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	v, err := webhook.NewVerifier(webhook.VerifierOptions{Clock: func() time.Time { return now }}, sec)
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		body string
		max  int64
		want error
	}{
		{"fits", "0123456789", 10, nil},
		{"one byte over", "0123456789X", 10, webhook.ErrBodyTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := http.NewRequest(http.MethodPost, "http://receiver/hook", strings.NewReader(tc.body))
			require.NoError(t, err)
			r.Header = signed(t, "msg_"+strings.ReplaceAll(tc.name, " ", "_"), now, tc.body, sec)
			got, err := v.VerifyRequest(r, tc.max)
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.body, string(got))
		})
	}
}
