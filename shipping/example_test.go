package shipping_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/money"

	"github.com/ordersmith/oms/shipping"
)

// Shop for a rate, buy the label, and follow the parcel as the clock moves.
func Example() {
	ctx := context.Background()
	now := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	carrier := shipping.NewSandbox(clock)

	to := shipping.Address{Name: "Jane Doe", Line1: "5 Rue de Rivoli", City: "Paris", PostalCode: "75001", Country: "FR"}
	req := shipping.RateRequest{Destination: to, Parcels: []shipping.Parcel{{WeightGrams: 1500}}, Currency: "EUR"}
	rate, err := shipping.Shop(ctx, []shipping.Carrier{carrier}, req, shipping.Preference{DeliverBy: now.AddDate(0, 0, 3)})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("rate:", rate.Service, rate.Amount, rate.EstimatedDelivery.Format(time.DateOnly))

	label, err := carrier.BuyLabel(ctx, shipping.LabelRequest{IdempotencyKey: "order-42", Rate: rate, Destination: to, Parcels: req.Parcels})
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := shipping.New(uuid.MustParse("01956a3b-0000-7000-8000-000000000001"), "shop-1",
		uuid.MustParse("01956a3b-0000-7000-8000-000000000002"), uuid.MustParse("01956a3b-0000-7000-8000-000000000003"), label, now)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("label:", s.TrackingNumber, s.Status)

	for _, wait := range []time.Duration{13 * time.Hour, 24 * time.Hour, 12 * time.Hour, 8 * time.Hour} {
		now = now.Add(wait)
		info, err := carrier.Track(ctx, s.TrackingNumber)
		if err != nil {
			fmt.Println(err)
			return
		}
		if _, err := s.ApplyTracking(ctx, info, now); err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(now.Format("Mon 15:04"), s.Status)
	}
	fmt.Println("delivered at:", s.DeliveredAt.Format(time.DateTime))
	// Output:
	// rate: express 15.75 EUR 2025-03-05
	// label: SANDBOX-1 label_purchased
	// Mon 22:00 in_transit
	// Tue 22:00 in_transit
	// Wed 10:00 out_for_delivery
	// Wed 18:00 delivered
	// delivered at: 2025-03-05 17:00:00
}

// A table-rate carrier prices each parcel by weight band and zone.
func ExampleNewTableRate() {
	now := func() time.Time { return time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC) }
	eur := func(cents int64) money.Money { return money.FromMinor(cents, "EUR") }
	carrier, err := shipping.NewTableRate(shipping.TableRateConfig{
		Name:    "acme",
		Service: "standard",
		Zones:   map[string]string{"DE": "domestic", "*": "world"},
		Bands: []shipping.RateBand{
			{MaxWeightGrams: 1000, Price: map[string]money.Money{"domestic": eur(400), "world": eur(2000)}},
			{MaxWeightGrams: 5000, Price: map[string]money.Money{"domestic": eur(650), "world": eur(3500)}},
		},
		TransitDays: map[string]int{"domestic": 1, "world": 7},
		Now:         now,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	rates, err := carrier.Rates(context.Background(), shipping.RateRequest{
		Destination: shipping.Address{Country: "DE"},
		Parcels:     []shipping.Parcel{{WeightGrams: 800}, {WeightGrams: 2400}},
		Currency:    "EUR",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rates[0].Service, rates[0].Amount, rates[0].TransitDays, "day")

	_, err = carrier.Rates(context.Background(), shipping.RateRequest{
		Destination: shipping.Address{Country: "US"},
		Parcels:     []shipping.Parcel{{WeightGrams: 9000}},
		Currency:    "EUR",
	})
	fmt.Println(errors.Is(err, shipping.ErrNoRate))
	// Output:
	// standard 10.50 EUR 1 day
	// true
}
