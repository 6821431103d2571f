package postgres

import (
	"os"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/stretchr/testify/require"
)

// TestUUIDCodec sends and reads uuid.UUID values through uuidCodec in both
// formats, alone, in arrays and as NULL, and checks that registering it
// twice keeps one registration.
func TestUUIDCodec(t *testing.T) {
	url := os.Getenv("OMS_TEST_POSTGRES_URL")
	if url == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("OMS_TEST_POSTGRES_URL is not set, and CI=true needs the PostgreSQL tests to run")
		}
		t.Skip("set OMS_TEST_POSTGRES_URL to run the PostgreSQL tests")
	}
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	useUUIDCodec(conn.TypeMap())
	first, _ := conn.TypeMap().TypeForOID(uuidArrayOID(t, conn))
	useUUIDCodec(conn.TypeMap())
	again, _ := conn.TypeMap().TypeForOID(uuidArrayOID(t, conn))
	require.Same(t, first, again, "a second registration changes nothing")
	m := conn.TypeMap()
	require.IsType(t, encodeUUIDBinary{}, m.PlanEncode(pgtype.UUIDOID, pgtype.BinaryFormatCode, uuid.Nil),
		"uuid.UUID is encoded as its 16 bytes, not through its driver.Valuer")
	require.IsType(t, scanUUIDBinary{}, m.PlanScan(pgtype.UUIDOID, pgtype.BinaryFormatCode, new(uuid.UUID)),
		"uuid.UUID is scanned from its 16 bytes, not through its sql.Scanner")

	ids := []uuid.UUID{uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewRandom()), uuid.Nil}
	// The binary formats, as the store's statements use them.
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeCacheStatement, pgx.QueryExecModeDescribeExec} {
		var (
			one, null uuid.UUID
			text      string
			many      []uuid.UUID
		)
		null = ids[0]
		require.NoError(t, conn.QueryRow(ctx, `SELECT $1::uuid, $1::uuid::text, NULL::uuid, $2::uuid[]`, mode, ids[0], ids).
			Scan(&one, &text, &null, &many))
		require.Equal(t, ids[0], one, "mode %v", mode)
		require.Equal(t, ids[0].String(), text, "mode %v", mode)
		require.Equal(t, uuid.Nil, null, "NULL scans as uuid.Nil, mode %v", mode)
		require.Equal(t, ids, many, "mode %v", mode)
	}
	// The text formats: the simple protocol answers in text.
	var one, null uuid.UUID
	null = ids[1]
	require.NoError(t, conn.QueryRow(ctx, `SELECT $1::uuid, NULL::uuid`, pgx.QueryExecModeSimpleProtocol, ids[1]).Scan(&one, &null))
	require.Equal(t, ids[1], one)
	require.Equal(t, uuid.Nil, null)
	var bad uuid.UUID
	require.Error(t, conn.QueryRow(ctx, `SELECT 'not a uuid'::text`).Scan(&bad), "text that is no UUID")
}

func uuidArrayOID(t *testing.T, conn *pgx.Conn) uint32 {
	t.Helper()
	typ, ok := conn.TypeMap().TypeForName("_uuid")
	require.True(t, ok)
	return typ.OID
}
