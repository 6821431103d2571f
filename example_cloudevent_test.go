package oms_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/google/uuid"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/storage"
)

// Put an outbox event in a CloudEvents envelope, as a webhook would send
// it, and decode its data into the event's payload type.
func ExampleEnvelope() {
	ev := storage.Event{
		ID:            uuid.MustParse("019a4b2c-6a00-7000-8000-00000000e001"),
		Tenant:        "acme",
		Type:          oms.EventStockReceived,
		AggregateType: oms.AggregateStock,
		AggregateID:   oms.StockAggregateID("acme", "MUG-BLK", uuid.MustParse("019a4b2c-6a00-7000-8000-0000000000f1")),
		Sequence:      7,
		Payload: json.RawMessage(`{"sku":"MUG-BLK","location_id":"019a4b2c-6a00-7000-8000-0000000000f1","movement":"receive",` +
			`"quantity":10,"on_hand":10,"reserved":0,"available":10}`),
		OccurredAt: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC),
	}
	ce := oms.Envelope(ev, "https://shop.example/oms")
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	_ = enc.Encode(ce)

	payload, _ := oms.NewPayload(ce.Type)
	_ = json.Unmarshal(ce.Data, payload)
	fmt.Println(payload.(*oms.StockPayload).Available, "available")
	// Output:
	// {
	//   "specversion": "1.0",
	//   "id": "019a4b2c-6a00-7000-8000-00000000e001",
	//   "source": "https://shop.example/oms",
	//   "type": "stock.received",
	//   "subject": "d51491b7-6833-578d-801b-d0bbe75335aa",
	//   "time": "2026-11-02T09:00:00Z",
	//   "datacontenttype": "application/json",
	//   "data": {
	//     "sku": "MUG-BLK",
	//     "location_id": "019a4b2c-6a00-7000-8000-0000000000f1",
	//     "movement": "receive",
	//     "quantity": 10,
	//     "on_hand": 10,
	//     "reserved": 0,
	//     "available": 10
	//   },
	//   "tenant": "acme",
	//   "sequence": "0000000000000000007",
	//   "aggregatetype": "stock",
	//   "aggregateid": "d51491b7-6833-578d-801b-d0bbe75335aa"
	// }
	// 10 available
}

// Subscribe a webhook sender to a relay's events in their envelopes.
func ExampleCloudEventHandler() {
	ctx := context.Background()
	eng, _ := oms.New()
	loc, _ := eng.AddLocation(ctx, oms.DefaultTenant, oms.AddLocationRequest{Code: "FRA", Name: "Frankfurt"})
	_ = eng.AddItem(ctx, oms.DefaultTenant, oms.AddItemRequest{SKU: "MUG-BLK"})
	_, _ = eng.ReceiveStock(ctx, oms.DefaultTenant, oms.StockChangeRequest{SKU: "MUG-BLK", LocationID: loc.ID, Quantity: 10})

	relay := eng.NewRelay(oms.RelayOptions{})
	relay.Subscribe(oms.CloudEventHandler("https://shop.example/oms", func(_ context.Context, ce oms.CloudEvent) error {
		body, err := json.Marshal(ce) // POST body, Content-Type: application/cloudevents+json
		if err != nil {
			return err
		}
		fmt.Println(ce.Type, ce.Source, json.Valid(body))
		return nil // an error leaves the event for a later delivery
	}))
	_, err := relay.Drain(ctx)
	fmt.Println(err)
	// Output:
	// stock.received https://shop.example/oms true
	// <nil>
}
