package memory_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/memory"
)

// A transaction that fails leaves nothing behind.
func Example() {
	ctx := context.Background()
	store := memory.New()
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	loc := &inventory.Location{ID: uuid.Must(uuid.NewV7()), Code: "BER", Name: "Berlin", Active: true, CreatedAt: at, UpdatedAt: at}
	_ = store.Tx(ctx, "acme", func(tx storage.Tx) error {
		return tx.Inventory().CreateLocation(ctx, loc)
	})

	receive, _ := inventory.NewMovement(uuid.Must(uuid.NewV7()), "acme", "MUG", loc.ID, inventory.MovementReceive, 5, uuid.Nil, "delivery", at)
	err := store.Tx(ctx, "acme", func(tx storage.Tx) error {
		if _, _, err := tx.Inventory().ApplyMovement(ctx, receive); err != nil {
			return err
		}
		return errors.New("the delivery note does not match")
	})
	fmt.Println(err)

	_ = store.Tx(ctx, "acme", func(tx storage.Tx) error {
		levels, _ := tx.Inventory().StockLevels(ctx, nil)
		fmt.Println("stock levels:", len(levels))
		return nil
	})
	// Output:
	// the delivery note does not match
	// stock levels: 0
}
