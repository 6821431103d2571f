package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// SchemaPlaceholder is the text standing for the schema in the migration
// files: Open replaces it with the sanitized identifier of Config.Schema
// (for example "oms", quotes included).
const SchemaPlaceholder = "{{schema}}"

// Migrations returns the schema migrations as numbered SQL files
// (0001_init.sql, ...), to be applied in name order.
//
// Open applies them itself unless Config.SkipMigrations is set. A host that
// runs them with its own migration tool must replace every {{schema}}
// (SchemaPlaceholder) by the quoted schema name, such as "oms", before
// running a file; the statements are otherwise plain PostgreSQL. Open
// records what it applied in the table schema_migrations(version,
// applied_at) of the schema; a host using its own tool keeps its own record.
func Migrations() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the embedded directory always exists
	}
	return sub
}

// migration is one numbered migration file.
type migration struct {
	version int64
	name    string
	sql     string
}

// loadMigrations reads the embedded migrations in version order.
func loadMigrations() ([]migration, error) {
	files, err := fs.Glob(Migrations(), "*.sql")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, f := range files {
		prefix, _, ok := strings.Cut(path.Base(f), "_")
		v, err := strconv.ParseInt(prefix, 10, 64)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("postgres: migration file %q is not named NNNN_name.sql", f)
		}
		b, err := fs.ReadFile(Migrations(), f)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: f, sql: string(b)})
	}
	slices.SortFunc(out, func(a, b migration) int { return int(a.version - b.version) })
	return out, nil
}

// migrate creates the schema if missing and applies the migrations not yet
// recorded in schema_migrations, all in one transaction holding an advisory
// lock, so that processes opening the store at once apply each migration
// exactly once.
func (s *Store) migrate(ctx context.Context, schema string) error {
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	rep := tableReplacer(schema)
	return s.inTx(ctx, "migrate", func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", s.lockKey("migrate")); err != nil {
			return interpretError("migrate: lock", err)
		}
		var exists bool
		if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", schema).Scan(&exists); err != nil {
			return interpretError("migrate: find schema", err)
		}
		if !exists {
			if _, err := tx.Exec(ctx, "CREATE SCHEMA "+s.schema); err != nil {
				return interpretError("migrate: create schema", err)
			}
		}
		if _, err := tx.Exec(ctx, rep.Replace(`CREATE TABLE IF NOT EXISTS {schema_migrations} (
			version    bigint      PRIMARY KEY,
			applied_at timestamptz NOT NULL DEFAULT now())`)); err != nil {
			return interpretError("migrate: create schema_migrations", err)
		}
		rows, err := tx.Query(ctx, rep.Replace("SELECT version FROM {schema_migrations}"))
		if err != nil {
			return interpretError("migrate: read schema_migrations", err)
		}
		applied, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return interpretError("migrate: read schema_migrations", err)
		}
		for _, m := range ms {
			if slices.Contains(applied, m.version) {
				continue
			}
			// Without arguments, Exec uses the simple protocol, which runs
			// every statement of the file.
			if _, err := tx.Exec(ctx, strings.ReplaceAll(m.sql, SchemaPlaceholder, s.schema)); err != nil {
				return interpretError("migrate: apply "+m.name, err)
			}
			if _, err := tx.Exec(ctx, rep.Replace("INSERT INTO {schema_migrations} (version) VALUES ($1)"), m.version); err != nil {
				return interpretError("migrate: record "+m.name, err)
			}
		}
		return nil
	})
}
