package inventory_test

import (
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/inventory"
)

// exampleRequest is an order of 4 mugs and a tee from three warehouses, none
// of which has both: BER (first by priority) has 3 mugs, HAM 10, MUC 3 mugs
// and the tees.
func exampleRequest() (inventory.AllocationRequest, map[uuid.UUID]string) {
	ber := inventory.Location{ID: uuid.MustParse("0195a000-0000-7000-8000-000000000001"), Code: "BER", Priority: 0, Active: true}
	ham := inventory.Location{ID: uuid.MustParse("0195a000-0000-7000-8000-000000000002"), Code: "HAM", Priority: 1, Active: true}
	muc := inventory.Location{ID: uuid.MustParse("0195a000-0000-7000-8000-000000000003"), Code: "MUC", Priority: 2, Active: true}
	names := map[uuid.UUID]string{ber.ID: ber.Code, ham.ID: ham.Code, muc.ID: muc.Code}
	return inventory.AllocationRequest{
		Lines: []inventory.Demand{
			{LineID: uuid.MustParse("0195a000-0000-7000-8000-0000000000a1"), SKU: "MUG", Quantity: 4},
			{LineID: uuid.MustParse("0195a000-0000-7000-8000-0000000000a2"), SKU: "TEE", Quantity: 1},
		},
		Locations: []inventory.Location{ber, ham, muc},
		Stock: []inventory.StockLevel{
			{SKU: "MUG", LocationID: ber.ID, OnHand: 3},
			{SKU: "MUG", LocationID: ham.ID, OnHand: 12, Reserved: 2},
			{SKU: "TEE", LocationID: ham.ID, OnHand: 0},
			{SKU: "MUG", LocationID: muc.ID, OnHand: 3},
			{SKU: "TEE", LocationID: muc.ID, OnHand: 7},
		},
	}, names
}

func printPlan(plan inventory.Plan, names map[uuid.UUID]string) {
	for _, a := range plan.Assignments {
		fmt.Printf("%s x%d from %s\n", a.SKU, a.Quantity, names[a.LocationID])
	}
}

// Priority takes the merchant's preferred warehouses first: no warehouse
// can ship the whole order, so each line takes from BER, then HAM, then MUC.
func ExamplePriority() {
	req, names := exampleRequest()
	plan, err := inventory.Priority{}.Allocate(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	printPlan(plan, names)
	fmt.Println(len(plan.Locations()), "shipments")
	// Output:
	// MUG x3 from BER
	// MUG x1 from HAM
	// TEE x1 from MUC
	// 3 shipments
}

// FewestShipments needs two shipments, as no warehouse has everything:
// HAM covers the mugs in full and MUC the tee, where Priority made three.
func ExampleFewestShipments() {
	req, names := exampleRequest()
	plan, err := inventory.FewestShipments{}.Allocate(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	printPlan(plan, names)
	fmt.Println(len(plan.Locations()), "shipments")
	// Output:
	// MUG x4 from HAM
	// TEE x1 from MUC
	// 2 shipments
}

// HighestStock ships each line from where its SKU is deepest: the mugs from
// HAM (10 available), the tee from MUC.
func ExampleHighestStock() {
	req, names := exampleRequest()
	plan, err := inventory.HighestStock{}.Allocate(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	printPlan(plan, names)
	// Output:
	// MUG x4 from HAM
	// TEE x1 from MUC
}

// Check is what the engine runs on every plan an allocator returns: half a
// plan is refused with every problem listed.
func ExamplePlan_Check() {
	req, _ := exampleRequest()
	plan, err := inventory.Priority{}.Allocate(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(plan.Check(req))

	half := inventory.Plan{Assignments: plan.Assignments[:1]}
	err = half.Check(req)
	var pe *inventory.PlanError
	fmt.Println(errors.Is(err, inventory.ErrInvalidPlan), errors.As(err, &pe))
	for _, p := range pe.Problems {
		fmt.Println(p.Kind, p.SKU, p.Detail)
	}
	// Output:
	// <nil>
	// true true
	// coverage MUG covers 3 of 4 units
	// coverage TEE covers 0 of 1 units
}
