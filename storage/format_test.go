package storage_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/fulfillment"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/storage"
)

func TestEncodeDocumentPutsTheVersionFirst(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"object", struct {
			A int `json:"a"`
		}{1}, `{"schema_version":1,"a":1}`},
		{"empty object", struct{}{}, `{"schema_version":1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := storage.EncodeDocument(tt.v)
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
			assert.True(t, json.Valid(got))
		})
	}
	_, err := storage.EncodeDocument([]int{1})
	require.ErrorIs(t, err, storage.ErrUnsupportedFormat)
}

func TestDecodeDocument(t *testing.T) {
	t.Parallel()
	id := uuid.MustParse("0195522a-0000-7000-8000-000000000001")
	line := uuid.MustParse("0195522a-0000-7000-8000-000000000002")
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	want := fulfillment.FulfillmentOrder{
		ID: id, Tenant: "acme", Version: 3, OrderID: line, LocationID: id,
		Status: fulfillment.StatusPacked,
		Lines:  []fulfillment.Line{{OrderLineID: line, SKU: "MUG", Quantity: 2, Picked: 2}},
		Packages: []fulfillment.Package{{ID: id, WeightGrams: 850, LengthCm: 30, WidthCm: 20, HeightCm: 10,
			Lines: []fulfillment.PackageLine{{OrderLineID: line, SKU: "MUG", Quantity: 2}}}},
		ShippingAttempt: 1, CreatedAt: at, UpdatedAt: at,
	}
	current, err := storage.EncodeDocument(want)
	require.NoError(t, err)
	// legacy is the same fulfillment as version 0 stored it: no version,
	// Go field names as keys.
	legacy := `{"ID":"` + id.String() + `","Tenant":"acme","Version":3,"OrderID":"` + line.String() + `",
		"LocationID":"` + id.String() + `","Status":"packed",
		"Lines":[{"OrderLineID":"` + line.String() + `","SKU":"MUG","Quantity":2,"Picked":2}],
		"Packages":[{"ID":"` + id.String() + `","WeightGrams":850,"LengthCm":30,"WidthCm":20,"HeightCm":10,
			"Lines":[{"OrderLineID":"` + line.String() + `","SKU":"MUG","Quantity":2}]}],
		"ShipmentID":"00000000-0000-0000-0000-000000000000","ShippingAttempt":1,
		"CreatedAt":"2025-03-01T12:00:00Z","UpdatedAt":"2025-03-01T12:00:00Z"}`

	tests := []struct {
		name    string
		doc     string
		wantErr error
	}{
		{"current version", string(current), nil},
		{"version 0, Go field names", legacy, nil},
		{"newer version", `{"schema_version":2,"id":"` + id.String() + `"}`, storage.ErrUnsupportedFormat},
		{"negative version", `{"schema_version":-1}`, storage.ErrUnsupportedFormat},
		{"not an object", `[1,2]`, storage.ErrUnsupportedFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got fulfillment.FulfillmentOrder
			err := storage.DecodeDocument([]byte(tt.doc), &got)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, want, got)
		})
	}
}

// An order's PlacementKey is engine bookkeeping: absent from the JSON a host
// serializes, present in the stored document and restored from it.
func TestOrderPlacementKeyIsStoredButNotSerialized(t *testing.T) {
	t.Parallel()
	o := &order.Order{ID: uuid.MustParse("0195522a-0000-7000-8000-000000000001"), Tenant: "acme",
		PlacementKey: "place-1", Status: order.StatusPending}

	host, err := json.Marshal(o)
	require.NoError(t, err)
	assert.NotContains(t, string(host), "place-1")
	assert.NotContains(t, string(host), "placement_key")

	doc, err := storage.EncodeDocument(o)
	require.NoError(t, err)
	assert.Contains(t, string(doc), `"placement_key":"place-1"`)

	var back order.Order
	require.NoError(t, storage.DecodeDocument(doc, &back))
	assert.Equal(t, "place-1", back.PlacementKey)
	assert.Equal(t, o.ID, back.ID)
	assert.Equal(t, order.StatusPending, back.Status)
}
