package postgres_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/storage"
	"github.com/ordersmith/oms/storage/postgres"
)

// Open a store, create a location and receive stock in one transaction.
// It needs a PostgreSQL server, so it has no checked output.
func Example() {
	ctx := context.Background()
	st, err := postgres.Open(ctx, postgres.Config{
		URL:    os.Getenv("OMS_TEST_POSTGRES_URL"), // postgres://user@host:5432/db?sslmode=disable
		Schema: "oms",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer st.Close()

	now := time.Now().UTC()
	err = st.Tx(ctx, "acme", func(tx storage.Tx) error {
		loc := &inventory.Location{ID: uuid.Must(uuid.NewV7()), Tenant: "acme", Code: "WH-EAST",
			Name: "East warehouse", Active: true, CreatedAt: now, UpdatedAt: now}
		if err := tx.Inventory().CreateLocation(ctx, loc); err != nil {
			return err
		}
		m, err := inventory.NewMovement(uuid.Must(uuid.NewV7()), "acme", "TEE-M", loc.ID,
			inventory.MovementReceive, 10, uuid.Nil, "first delivery", now)
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
		fmt.Println(err)
	}
}

// A host running the migrations with its own tool reads them from
// Migrations and replaces the schema placeholder.
func ExampleMigrations() {
	migrations := postgres.Migrations()
	names, err := fs.Glob(migrations, "*.sql")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, name := range names {
		b, err := fs.ReadFile(migrations, name)
		if err != nil {
			fmt.Println(err)
			return
		}
		sql := strings.ReplaceAll(string(b), postgres.SchemaPlaceholder, `"oms"`)
		fmt.Println(name, strings.Contains(sql, `"oms".`) && !strings.Contains(sql, postgres.SchemaPlaceholder))
	}
	// Output:
	// 0001_init.sql true
	// 0002_location_address.sql true
	// 0003_idempotency_fingerprint.sql true
	// 0004_deferred_checks.sql true
	// 0005_fewer_index_writes.sql true
	// 0006_server_cpu.sql true
	// 0007_json_documents.sql true
	// 0008_index_writes.sql true
}
