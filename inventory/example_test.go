package inventory_test

import (
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/inventory"
)

// Nearest ships the whole order from the closest location that can, and
// otherwise splits it over locations by distance.
func ExampleNearest() {
	paris := inventory.Location{ID: uuid.MustParse("0195a000-0000-7000-8000-000000000001"), Code: "PAR", Coordinates: inventory.Coordinates{Lat: 48.8566, Lon: 2.3522}, Active: true}
	london := inventory.Location{ID: uuid.MustParse("0195a000-0000-7000-8000-000000000002"), Code: "LON", Coordinates: inventory.Coordinates{Lat: 51.5074, Lon: -0.1278}, Active: true}
	brussels := inventory.Coordinates{Lat: 50.8503, Lon: 4.3517}
	names := map[uuid.UUID]string{paris.ID: paris.Code, london.ID: london.Code}

	fmt.Printf("Brussels-Paris %.0f km, Brussels-London %.0f km\n",
		inventory.DistanceKm(brussels, paris.Coordinates), inventory.DistanceKm(brussels, london.Coordinates))

	req := inventory.AllocationRequest{
		Lines: []inventory.Demand{
			{LineID: uuid.MustParse("0195a000-0000-7000-8000-0000000000a1"), SKU: "MUG", Quantity: 3},
			{LineID: uuid.MustParse("0195a000-0000-7000-8000-0000000000a2"), SKU: "TEE", Quantity: 1},
		},
		Destination: &brussels,
		Locations:   []inventory.Location{london, paris},
		Stock: []inventory.StockLevel{
			{SKU: "MUG", LocationID: paris.ID, OnHand: 2},
			{SKU: "TEE", LocationID: paris.ID, OnHand: 5},
			{SKU: "MUG", LocationID: london.ID, OnHand: 10, Reserved: 4},
		},
	}
	plan, err := inventory.Nearest{}.Allocate(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range plan.Assignments {
		fmt.Printf("%s x%d from %s\n", a.SKU, a.Quantity, names[a.LocationID])
	}

	req.Lines[0].Quantity = 9
	_, err = inventory.Nearest{}.Allocate(req)
	var short *inventory.ShortageError
	fmt.Println(errors.Is(err, inventory.ErrInsufficientStock), errors.As(err, &short), short.Shortages[0])
	// Output:
	// Brussels-Paris 264 km, Brussels-London 321 km
	// MUG x2 from PAR
	// MUG x1 from LON
	// TEE x1 from PAR
	// true true {MUG 9 8}
}

// A stock level changes only by applying movements; a movement that would
// oversell is refused and the level stays as it was.
func ExampleStockLevel_Apply() {
	loc := uuid.MustParse("0195a000-0000-7000-8000-000000000001")
	level := inventory.StockLevel{Tenant: "shop", SKU: "MUG", LocationID: loc}
	for _, step := range []struct {
		kind inventory.MovementKind
		qty  int64
	}{
		{inventory.MovementReceive, 10},
		{inventory.MovementReserve, 4},
		{inventory.MovementReserve, 7},
		{inventory.MovementShip, 4},
	} {
		m, err := inventory.NewMovement(uuid.Nil, "shop", "MUG", loc, step.kind, step.qty, uuid.Nil, "", level.UpdatedAt)
		if err != nil {
			fmt.Println(err)
			return
		}
		next, _, err := level.Apply(m)
		if err != nil {
			fmt.Println(step.kind, step.qty, "refused:", err)
			continue
		}
		level = next
		fmt.Printf("%s %d: on hand %d, reserved %d, available %d\n", step.kind, step.qty, level.OnHand, level.Reserved, level.Available())
	}
	// Output:
	// receive 10: on hand 10, reserved 0, available 10
	// reserve 4: on hand 10, reserved 4, available 6
	// reserve 7 refused: inventory: insufficient stock: MUG requested 7, available 6
	// ship 4: on hand 6, reserved 0, available 6
}
