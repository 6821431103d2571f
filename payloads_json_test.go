package oms

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/storage"
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
		// One recorder encodes them all, in one buffer: each payload must
		// stay as written while the next ones are appended.
		rec := &recorder{e: &Engine{}}
		var wants, gots []string
		for _, p := range payloads {
			want, err := json.Marshal(p)
			require.NoError(t, err)
			got, err := rec.encode(p)
			require.NoError(t, err)
			wants, gots = append(wants, string(want)), append(gots, string(got))
			rec.events = append(rec.events, storage.Event{Payload: got})
			_, plain := p.(payloadAppender).appendJSON(nil)
			plainSeen, fallbackSeen = plainSeen || plain, fallbackSeen || !plain
		}
		require.Equal(t, wants, gots)
		// Flushing moves them out of the Engine's scratch buffer, whole.
		rec.settlePayloads()
		require.Nil(t, rec.scratch, "the scratch buffer given back")
		for i, e := range rec.events {
			require.Equal(t, wants[i], string(e.Payload), "payload %d after the others", i)
			require.Equal(t, len(e.Payload), cap(e.Payload), "payload %d capped at its end", i)
		}
	}
	require.True(t, plainSeen && fallbackSeen, "both paths taken")
	got, err := (&recorder{e: &Engine{}}).encode(OrderPayload{})
	require.NoError(t, err)
	want, err := json.Marshal(OrderPayload{})
	require.NoError(t, err)
	require.Equal(t, string(want), string(got), "the zero payload")
}

// TestFingerprintEncoderWritesWhatEncodingJSONWrites checks the request
// JSON a placement fingerprint digests, encoded without reflection, byte
// for byte against encoding/json, over drafts with every field set or
// empty, strings that need escaping (which fall back to it) and floats of
// every form; and that the fingerprint is the digest of that JSON.
func TestFingerprintEncoderWritesWhatEncodingJSONWrites(t *testing.T) {
	t.Parallel()
	// A field added to one of these types must be added to the encoder.
	for typ, fields := range map[reflect.Type]int{
		reflect.TypeFor[order.Draft](): 9, reflect.TypeFor[order.DraftLine](): 3, reflect.TypeFor[order.Channel](): 2,
		reflect.TypeFor[order.Customer](): 4, reflect.TypeFor[order.Address](): 10, reflect.TypeFor[order.GeoPoint](): 2,
	} {
		require.Equal(t, fields, typ.NumField(), "%s has another field: encode it in appendFingerprintJSON", typ)
	}
	r := rand.New(rand.NewPCG(3, 9))
	texts := []string{"", "web", "EXT-1", "a<b", "a&b", `q"uote`, `back\slash`, "tab\t", "é", "\u2028", "\x7f", "\xff", "ok 1/2"}
	text := func() string {
		if r.IntN(8) > 0 {
			return texts[r.IntN(3)] // mostly plain, so that whole drafts take the fast path too
		}
		return texts[r.IntN(len(texts))]
	}
	amount := func() money.Money {
		c := []money.Currency{"EUR", "JPY", "KWD", "", "e<r"}[r.IntN(5)]
		return money.New(decimal.New(r.Int64N(2_000_000)-1_000_000, -int32(r.IntN(4))), c)
	}
	floats := []float64{0, -0.0, 1, -1.5, 50.1, 8.7, 1e-7, -3.2e-9, 1e21, 1.5e300, 123456789.125, 1e-6, 0.000001234, math.MaxFloat64, math.SmallestNonzeroFloat64}
	float := func() float64 { return floats[r.IntN(len(floats))] }
	plains, fallbacks := 0, 0
	for range 3_000 {
		d := order.Draft{
			Channel:     order.Channel{Kind: order.ChannelKind(text()), Name: text()},
			ExternalRef: text(),
			Customer:    order.Customer{ID: text(), Name: text(), Email: text(), Phone: text()},
			ShippingAddress: order.Address{Name: text(), Company: text(), Line1: text(), Line2: text(), City: text(),
				Region: text(), PostalCode: text(), Country: text(), Phone: text()},
			Currency:       money.Currency(text()),
			Discount:       amount(),
			ShippingCharge: amount(),
			TaxRate:        decimal.New(r.Int64N(100), -int32(r.IntN(3))),
		}
		if r.IntN(4) > 0 {
			d.ShippingAddress.Geo = &order.GeoPoint{Lat: float(), Lon: float()}
		}
		switch n := r.IntN(4); n {
		case 0: // nil lines
		default:
			d.Lines = make([]order.DraftLine, n-1)
			for i := range d.Lines {
				d.Lines[i] = order.DraftLine{SKU: text(), Quantity: r.Int64N(1000) - 10, UnitPrice: amount()}
			}
		}
		tenant, gateway, token := text(), text(), text()
		want, err := json.Marshal(struct {
			Tenant  string      `json:"tenant"`
			Order   order.Draft `json:"order"`
			Gateway string      `json:"gateway"`
			Token   string      `json:"token"`
		}{tenant, d, gateway, token})
		require.NoError(t, err)
		got, plain := appendFingerprintJSON(nil, tenant, d, gateway, token)
		if plain {
			require.Equal(t, string(want), string(got))
		}
		if plain {
			plains++
		} else {
			fallbacks++
		}
		fp, _, err := placeFingerprint(nil, tenant, d, gateway, token)
		require.NoError(t, err)
		sum := sha256.Sum256(want)
		require.Equal(t, hex.EncodeToString(sum[:]), fp)
	}
	require.Greater(t, plains, 100, "drafts encoded without reflection")
	require.Greater(t, fallbacks, 100, "drafts left to encoding/json")
}
