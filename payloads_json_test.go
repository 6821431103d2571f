package oms

import (
	"encoding/json"
	"math/rand/v2"
	"testing"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
)

// TestPayloadEncodersWriteWhatEncodingJSONWrites checks the payloads
// encoded without reflection byte for byte against encoding/json, with
// strings that need escaping (which fall back to it) among plain ones.
func TestPayloadEncodersWriteWhatEncodingJSONWrites(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(8, 12))
	texts := []string{"", "web", "EXT-1", "a<b", "a&b", `q"uote`, `back\slash`, "tab\t", "é", "\u2028", "\x7f", "\xff", "ok 1/2", ">"}
	text := func() string { return texts[r.IntN(len(texts))] }
	amount := func() money.Money {
		c := []money.Currency{"EUR", "JPY", "KWD", "", "e<r", "X\"Y"}[r.IntN(6)]
		return money.New(decimal.New(r.Int64N(2_000_000)-1_000_000, -int32(r.IntN(4))), c)
	}
	plainSeen, fallbackSeen := false, false
	for range 5_000 {
		payloads := []any{
			OrderPayload{OrderID: uuid.Must(uuid.NewV7()), Status: order.Status(text()), Channel: text(), ExternalRef: text(),
				Total: amount(), PaymentStatus: order.PaymentStatus(text()), FulfillmentStatus: order.FulfillmentStatus(text())},
			PaymentPayload{PaymentID: uuid.Must(uuid.NewV7()), OrderID: uuid.Must(uuid.NewV7()), Status: payment.Status(text()),
				RefundStatus: payment.RefundStatus(text()), Authorized: amount(), Captured: amount(), Refunded: amount()},
		}
		for _, p := range payloads {
			want, err := json.Marshal(p)
			require.NoError(t, err)
			got, err := encodePayload(p)
			require.NoError(t, err)
			require.Equal(t, string(want), string(got))
			_, plain := p.(payloadAppender).appendJSON(nil)
			plainSeen, fallbackSeen = plainSeen || plain, fallbackSeen || !plain
		}
	}
	require.True(t, plainSeen && fallbackSeen, "both paths taken")
	got, err := encodePayload(OrderPayload{})
	require.NoError(t, err)
	want, err := json.Marshal(OrderPayload{})
	require.NoError(t, err)
	require.Equal(t, string(want), string(got), "the zero payload")
}
