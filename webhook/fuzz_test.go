package webhook_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/webhook"
)

// FuzzVerify checks that Verify never panics, that a delivery signed over
// one body never verifies with another, and that headers an attacker
// makes up verify only when they carry the genuine signature.
func FuzzVerify(f *testing.F) {
	f.Add("msg_1", []byte(`{"a":1}`), []byte(`{"a":2}`), "v1,AAAA", int64(0))
	f.Add(vectorID, []byte(vectorBody), []byte(vectorBody), vectorSignature, int64(-300))
	f.Add("", []byte{}, []byte{0}, "", int64(301))
	f.Add("a b", []byte("x"), []byte("x "), "v1, v1,=", int64(1<<40))
	sec := webhook.MustParseSecret(vectorSecret)
	now := time.Unix(vectorTimestamp, 0)
	v, err := webhook.NewVerifier(webhook.VerifierOptions{Clock: func() time.Time { return now }, AllowReplays: true}, sec)
	require.NoError(f, err)
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(vectorSecret, webhook.SecretPrefix))
	require.NoError(f, err)

	f.Fuzz(func(t *testing.T, id string, body, other []byte, sigHeader string, offset int64) {
		ts := now.Unix() + offset%(1<<40)

		// Headers made up by the fuzzer.
		h := http.Header{}
		h.Set(webhook.HeaderID, id)
		h.Set(webhook.HeaderTimestamp, strconv.FormatInt(ts, 10))
		h.Set(webhook.HeaderSignature, sigHeader)
		if v.Verify(h, body) == nil {
			m := hmac.New(sha256.New, key)
			m.Write([]byte(h.Get(webhook.HeaderID) + "." + h.Get(webhook.HeaderTimestamp) + "."))
			m.Write(body)
			genuine := "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
			require.Contains(t, strings.Split(h.Get(webhook.HeaderSignature), " "), genuine,
				"accepted headers without the genuine signature")
		}

		// A genuine delivery of body.
		signed := http.Header{}
		if webhook.SetHeaders(signed, id, time.Unix(ts, 0), body, sec) != nil {
			return
		}
		err := v.Verify(signed, other)
		if bytes.Equal(body, other) {
			if offset >= -300 && offset <= 300 {
				require.NoError(t, err, "the signed body within the tolerance verifies")
			}
			return
		}
		require.Error(t, err, "a body other than the signed one verified")
	})
}
