package fulfillment_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/fulfillment"
)

// Pick, pack and ship a fulfillment of two order lines.
func Example() {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	mug, tee := uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7())

	f, err := fulfillment.New(uuid.Must(uuid.NewV7()), "acme", uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7()), []fulfillment.Line{
		{OrderLineID: mug, SKU: "MUG-01", Quantity: 2},
		{OrderLineID: tee, SKU: "TEE-M", Quantity: 1},
	}, now)
	if err != nil {
		panic(err)
	}
	for _, it := range f.PickList().Items {
		fmt.Println("pick", it.Quantity, "×", it.SKU)
	}

	_ = f.Pick(ctx, []fulfillment.Pick{{OrderLineID: mug, Quantity: 2}}, now)
	err = f.Pick(ctx, []fulfillment.Pick{{OrderLineID: tee, Quantity: 2}}, now)
	fmt.Println(f.Status, errors.Is(err, fulfillment.ErrOverPick))
	_ = f.Pick(ctx, []fulfillment.Pick{{OrderLineID: tee, Quantity: 1}}, now)
	fmt.Println("fully picked:", f.FullyPicked())

	err = f.Pack(ctx, func() uuid.UUID { return uuid.Must(uuid.NewV7()) }, []fulfillment.PackageDraft{
		{WeightGrams: 900, LengthCm: 30, WidthCm: 20, HeightCm: 15, Lines: []fulfillment.PackageLine{{OrderLineID: mug, Quantity: 2}, {OrderLineID: tee, Quantity: 1}}},
	}, now)
	if err != nil {
		panic(err)
	}
	fmt.Println(f.Status, len(f.Packages), "package,", f.TotalWeightGrams(), "g")

	_ = f.BeginShipping(ctx, now) // label and capture follow; no cancelling now
	fmt.Println(f.Status)
	_ = f.MarkShipped(ctx, uuid.Must(uuid.NewV7()), now)
	fmt.Println(f.Status)
	// Output:
	// pick 2 × MUG-01
	// pick 1 × TEE-M
	// picking true
	// fully picked: true
	// packed 1 package, 900 g
	// shipping
	// shipped
}

// Packages whose lines do not add up to the picked quantities are refused
// with the lines that differ.
func ExamplePackMismatchError() {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	line := uuid.Must(uuid.NewV7())
	f, _ := fulfillment.New(uuid.Must(uuid.NewV7()), "acme", uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7()),
		[]fulfillment.Line{{OrderLineID: line, SKU: "MUG-01", Quantity: 3}}, now)
	_ = f.Pick(ctx, []fulfillment.Pick{{OrderLineID: line, Quantity: 3}}, now)

	err := f.Pack(ctx, func() uuid.UUID { return uuid.Must(uuid.NewV7()) }, []fulfillment.PackageDraft{
		{WeightGrams: 500, Lines: []fulfillment.PackageLine{{OrderLineID: line, Quantity: 2}}},
	}, now)
	var pm *fulfillment.PackMismatchError
	if errors.As(err, &pm) {
		for _, l := range pm.Lines {
			fmt.Println(l.SKU, "picked", l.Picked, "packed", l.Packed)
		}
	}
	fmt.Println(f.Status)
	// Output:
	// MUG-01 picked 3 packed 2
	// picking
}
