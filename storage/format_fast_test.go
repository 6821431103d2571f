package storage_test

import (
	"context"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/storage"
)

// filler sets every exported field of a value, recursively, from rapid
// draws: a field added to order.Order or payment.Payment (or a type they
// hold) and not written by the reflection-free encoder makes the two
// encodings differ.
type filler struct {
	t     *rapid.T
	plain bool // only values the fast path writes itself
}

var (
	plainTexts  = []string{"", "web", "EXT-1", "ok 1/2", "é", "Zürich", "日本", "\uFFFD", "x y"}
	escapeTexts = []string{"a<b", "a&b", ">", `q"uote`, `back\slash`, "tab\t", "\u2028", "\u2029", "\x7f", "\xff", "nl\n", `"<&>` + "\u2028é"}
	currencies  = []money.Currency{"EUR", "JPY", "KWD", "USD", ""}
	zones       = []*time.Location{time.UTC, time.FixedZone("", 5*3600+1800), time.FixedZone("EST", -5*3600), time.FixedZone("odd", -(3*3600 + 17*60 + 5))}
	floats      = []float64{0, -1.5, 50.1, 8.7, 1e-7, -3.2e-9, 1e21, 1.5e300, 123456789.125, math.SmallestNonzeroFloat64}
)

func (f filler) text(label string) string {
	if !f.plain && rapid.IntRange(0, 3).Draw(f.t, label+"-esc") == 0 {
		return rapid.SampledFrom(escapeTexts).Draw(f.t, label)
	}
	return rapid.SampledFrom(plainTexts).Draw(f.t, label)
}

func (f filler) fill(v reflect.Value, label string) {
	switch v.Interface().(type) {
	case money.Money:
		c := rapid.SampledFrom(currencies).Draw(f.t, label+"-cur")
		if !f.plain && rapid.IntRange(0, 5).Draw(f.t, label+"-badcur") == 0 {
			c = "e<r"
		}
		amt := decimal.New(rapid.Int64Range(-2_000_000, 2_000_000).Draw(f.t, label+"-coef"), -int32(rapid.IntRange(0, 4).Draw(f.t, label+"-exp")))
		if rapid.IntRange(0, 9).Draw(f.t, label+"-big") == 0 {
			amt = amt.Mul(decimal.New(1, 25))
		}
		v.Set(reflect.ValueOf(money.New(amt, c)))
		return
	case decimal.Decimal:
		v.Set(reflect.ValueOf(decimal.New(rapid.Int64Range(-100000, 100000).Draw(f.t, label), -int32(rapid.IntRange(0, 5).Draw(f.t, label+"-exp")))))
		return
	case time.Time:
		sec := rapid.Int64Range(-62135596800+86400, 253402300799-86400).Draw(f.t, label+"-sec") // years 1..9999 in every zone
		var nsec int64
		if rapid.Bool().Draw(f.t, label+"-hasns") {
			nsec = rapid.Int64Range(0, 999_999_999).Draw(f.t, label+"-ns")
		}
		tm := time.Unix(sec, nsec).In(rapid.SampledFrom(zones).Draw(f.t, label+"-zone"))
		if !f.plain && rapid.IntRange(0, 9).Draw(f.t, label+"-badtime") == 0 {
			tm = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) // json.Marshal refuses it
		}
		v.Set(reflect.ValueOf(tm))
		return
	case uuid.UUID:
		id := uuid.Nil
		if rapid.Bool().Draw(f.t, label+"-set") {
			id = uuid.Must(uuid.NewV7())
		}
		v.Set(reflect.ValueOf(id))
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			if sf := v.Type().Field(i); sf.IsExported() {
				f.fill(v.Field(i), label+"."+sf.Name)
			}
		}
	case reflect.Pointer:
		if rapid.IntRange(0, 3).Draw(f.t, label+"-nil") == 0 {
			v.SetZero()
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		f.fill(v.Elem(), label)
	case reflect.Slice:
		n := rapid.IntRange(-1, 2).Draw(f.t, label+"-len")
		if n < 0 {
			v.SetZero()
			return
		}
		v.Set(reflect.MakeSlice(v.Type(), n, n))
		for i := range n {
			f.fill(v.Index(i), label+"[]")
		}
	case reflect.String:
		v.SetString(f.text(label))
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(rapid.Int64Range(math.MinInt32, math.MaxInt64).Draw(f.t, label))
	case reflect.Float64:
		x := rapid.SampledFrom(floats).Draw(f.t, label)
		if rapid.Bool().Draw(f.t, label+"-neg") {
			x = -x
		}
		if !f.plain && rapid.IntRange(0, 9).Draw(f.t, label+"-nan") == 0 {
			x = math.NaN()
		}
		v.SetFloat(x)
	case reflect.Bool:
		v.SetBool(rapid.Bool().Draw(f.t, label))
	default:
		f.t.Fatalf("filler: %s of kind %s: teach the filler (and the fast encoder) about it", label, v.Kind())
	}
}

// checkSameBytes requires the reflection-free document of v to be what
// json.Marshal's path writes, and EncodeDocument to return it; it returns
// whether the fast path took v.
func checkSameBytes(t require.TestingT, v any) bool {
	want, wantErr := storage.EncodeDocumentReflect(v)
	got, err := storage.EncodeDocument(v)
	if wantErr != nil {
		require.Error(t, err)
		return false
	}
	require.NoError(t, err)
	require.Equal(t, string(want), string(got))
	fast, ok := storage.AppendDocument(nil, v)
	if ok {
		require.Equal(t, string(want), string(fast))
	}
	return ok
}

// checkRoundTrip requires doc to decode into a value that encodes to doc
// again, on both paths, and returns the value.
func checkRoundTrip[T any](t require.TestingT, doc []byte) *T {
	back := new(T)
	require.NoError(t, storage.DecodeDocument(doc, back))
	again, err := storage.EncodeDocument(back)
	require.NoError(t, err)
	require.Equal(t, string(doc), string(again))
	slow, err := storage.EncodeDocumentReflect(back)
	require.NoError(t, err)
	require.Equal(t, string(doc), string(slow))
	return back
}

func TestFastDocumentsMatchEncodingJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		new  func() any
	}{
		{"order", func() any { return new(order.Order) }},
		{"payment", func() any { return new(payment.Payment) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fast, slow := 0, 0
			rapid.Check(t, func(rt *rapid.T) {
				f := filler{t: rt, plain: rapid.Bool().Draw(rt, "plain")}
				v := tt.new()
				f.fill(reflect.ValueOf(v).Elem(), tt.name)
				took := checkSameBytes(rt, v)
				if f.plain {
					require.True(rt, took, "plain values take the fast path")
				}
				if took {
					fast++
				} else {
					slow++
				}
			})
			assert.Positive(t, fast, "documents written without reflection")
			assert.Positive(t, slow, "documents left to json.Marshal")
		})
	}
}

func TestFastDocumentsOfRealAggregates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	at := func(h int) time.Time { return time.Date(2025, 3, 1, h, 0, 0, 123456789*(h%2), time.UTC) }
	eur := func(s string) money.Money { return money.New(decimal.RequireFromString(s), "EUR") }
	d := order.Draft{
		Channel:         order.Channel{Kind: order.ChannelKind("web"), Name: "shop"},
		ExternalRef:     "EXT-1",
		Customer:        order.Customer{ID: "c1", Name: "Zoë", Email: "zoe@example.com"},
		ShippingAddress: order.Address{Name: "Zoë", Line1: "1 Rue", City: "Paris", PostalCode: "75001", Country: "FR", Geo: &order.GeoPoint{Lat: 48.85, Lon: 2.35}},
		Currency:        "EUR",
		Lines:           []order.DraftLine{{SKU: "MUG", Quantity: 2, UnitPrice: eur("9.99")}, {SKU: "CAP", Quantity: 1, UnitPrice: eur("15.00")}},
		Discount:        eur("1.00"),
		ShippingCharge:  eur("4.90"),
		TaxRate:         decimal.RequireFromString("0.2"),
	}
	o, err := order.New(uuid.Must(uuid.NewV7()), "acme", func() uuid.UUID { return uuid.Must(uuid.NewV7()) }, d, at(1))
	require.NoError(t, err)
	o.PlacementKey = "place-1"
	o.Version = 3
	orders := []*order.Order{o.Clone()}
	require.NoError(t, o.Confirm(ctx, at(2)))
	orders = append(orders, o.Clone())
	ship := map[uuid.UUID]int64{}
	for _, l := range o.Lines {
		ship[l.ID] = l.Quantity
	}
	require.NoError(t, o.RecordShipment(ctx, ship, at(3)))
	require.NoError(t, o.MarkDelivered(ctx, at(4)))
	require.NoError(t, o.LeaveFeedback(5, "très bien", at(5)))
	orders = append(orders, o.Clone())
	held := orders[1].Clone()
	require.NoError(t, held.Hold(ctx, "fraud check", at(6)))
	orders = append(orders, held)
	escaped := orders[0].Clone()
	escaped.Customer.Name = `"<&>` + "\u2028é"
	for i, o := range orders {
		took := checkSameBytes(t, o)
		assert.True(t, took, "order %d", i)
		doc, err := storage.EncodeDocument(o)
		require.NoError(t, err)
		back := checkRoundTrip[order.Order](t, doc)
		// Zero amounts read back with another, equal, representation (as
		// on the json.Marshal path): the rest is compared field by field.
		back.Payment = o.Payment
		assert.Equal(t, o, back, "order %d", i)
	}
	assert.False(t, checkSameBytes(t, escaped), "a string that needs escaping is left to json.Marshal")

	p, err := payment.New(uuid.Must(uuid.NewV7()), "acme", o.ID, "sandbox", o.Totals.Total, at(1))
	require.NoError(t, err)
	payments := []*payment.Payment{p.Clone()}
	require.NoError(t, p.RecordAuthorization(ctx, uuid.Must(uuid.NewV7()), "auth_1", o.Totals.Total, "k1", at(2)))
	payments = append(payments, p.Clone())
	require.NoError(t, p.RecordCapture(ctx, uuid.Must(uuid.NewV7()), "cap_1", o.Totals.Total, "k2", at(3)))
	require.NoError(t, p.RequestRefund("r1", "req-1", eur("5.00"), "damaged", at(4)))
	payments = append(payments, p.Clone())
	require.NoError(t, p.RecordRefund(ctx, uuid.Must(uuid.NewV7()), "ref_1", eur("5.00"), "r1", at(5)))
	p.DropRefund("r1", at(5))
	payments = append(payments, p.Clone())
	for i, p := range payments {
		assert.True(t, checkSameBytes(t, p), "payment %d", i)
		doc, err := storage.EncodeDocument(p)
		require.NoError(t, err)
		// Zero amounts read back with another, equal, representation (as
		// on the json.Marshal path): the value is checked by its encoding.
		checkRoundTrip[payment.Payment](t, doc)
	}
	assert.False(t, checkSameBytes(t, (*order.Order)(nil)))
}
