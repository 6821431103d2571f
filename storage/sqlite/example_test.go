package sqlite_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/sqlite"
)

func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "oms-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	st, err := sqlite.Open(ctx, filepath.Join(dir, "oms.db"), sqlite.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()

	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	loc := &inventory.Location{ID: uuid.Must(uuid.NewV7()), Tenant: "shop", Code: "WH1", Name: "Main", Active: true,
		CreatedAt: now, UpdatedAt: now}
	err = st.Tx(ctx, "shop", func(tx storage.Tx) error {
		if err := tx.Inventory().CreateLocation(ctx, loc); err != nil {
			return err
		}
		m, err := inventory.NewMovement(uuid.Must(uuid.NewV7()), "shop", "SKU-1", loc.ID,
			inventory.MovementReceive, 10, uuid.Nil, "delivery", now)
		if err != nil {
			return err
		}
		level, _, err := tx.Inventory().ApplyMovement(ctx, m)
		if err != nil {
			return err
		}
		fmt.Println("on hand:", level.OnHand)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output: on hand: 10
}
