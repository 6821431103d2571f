package postgres

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMultiInsertForms(t *testing.T) {
	m := newMultiInsert("INSERT INTO t (a, b, c, d) VALUES ($1, f($2), $3::numeric, g($2)) ON CONFLICT DO NOTHING")
	assert.Equal(t, "INSERT INTO t (a, b, c, d) VALUES ($1, f($2), $3::numeric, g($2)) ON CONFLICT DO NOTHING", m.forms[0])
	assert.Equal(t, "INSERT INTO t (a, b, c, d) VALUES ($1, f($2), $3::numeric, g($2)), ($4, f($5), $6::numeric, g($5)) ON CONFLICT DO NOTHING", m.forms[1])
	assert.Contains(t, m.forms[insertForms-1], "($190, f($191), $192::numeric, g($191)) ON")
}

// n rows go out as the forms of n's binary digits, largest first, at most
// maxInsertRows a statement, every row once and in order.
func TestMultiInsertStatements(t *testing.T) {
	m := newMultiInsert("INSERT INTO t (a, b) VALUES ($1, $2)")
	for _, tc := range []struct {
		rows  int
		sizes []int
	}{
		{1, []int{1}},
		{2, []int{2}},
		{3, []int{2, 1}},
		{8, []int{8}},
		{63, []int{32, 16, 8, 4, 2, 1}},
		{64, []int{64}},
		{130, []int{64, 64, 2}},
	} {
		var rows [][]any
		for i := range tc.rows {
			rows = append(rows, []any{i, -i})
		}
		stmts := m.statements(rows, nil)
		var sizes []int
		var args []any
		for _, s := range stmts {
			require.Zero(t, len(s.args)%2, "whole rows")
			sizes = append(sizes, len(s.args)/2)
			args = append(args, s.args...)
		}
		assert.Equal(t, tc.sizes, sizes, "%d rows", tc.rows)
		var want []any
		for _, r := range rows {
			want = append(want, r...)
		}
		assert.Equal(t, want, args, "%d rows", tc.rows)
	}
}

func TestMultiInsertRefusesOtherStatements(t *testing.T) {
	for _, sql := range []string{
		"UPDATE t SET a = $1",
		"INSERT INTO t (a) SELECT $1",
		"INSERT INTO t (a) VALUES ($1) ON CONFLICT (a) DO UPDATE SET a = $2",
		"INSERT INTO t (a) VALUES ($1",
	} {
		assert.Panics(t, func() { newMultiInsert(sql) }, sql)
	}
}

// A companion insert rides in the last statement, its parameters after
// the rows'.
func TestMultiInsertWithCompanion(t *testing.T) {
	m := newMultiInsertWith("INSERT INTO t (a, b) VALUES ($1, $2)", "INSERT INTO c (x, y) SELECT $1, u FROM unnest($2::int[]) u")
	assert.Equal(t, "WITH o AS (INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4) RETURNING 1) INSERT INTO c (x, y) SELECT $5, u FROM unnest($6::int[]) u", m.with[1])
	stmts := m.statements([][]any{{1, 2}, {3, 4}, {5, 6}}, []any{"x", []int{7}})
	require.Len(t, stmts, 2)
	assert.Equal(t, m.forms[1], stmts[0].sql)
	assert.Equal(t, []any{1, 2, 3, 4}, stmts[0].args)
	assert.Equal(t, m.with[0], stmts[1].sql)
	assert.Equal(t, []any{5, 6, "x", []int{7}}, stmts[1].args)
}
