package storage_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/memory"
)

// Every store classifies its errors into the sentinels of this package, so
// callers branch the same way on every adapter.
func Example() {
	ctx := context.Background()
	var store storage.Store = memory.New()
	err := store.Tx(ctx, "acme", func(tx storage.Tx) error {
		_, err := storage.Orders(tx).Get(ctx, uuid.Nil)
		return err
	})
	fmt.Println(errors.Is(err, storage.ErrNotFound))
	// Output: true
}
