package postgres

import (
	"strconv"
	"strings"
)

// maxFewRows is the most rows a set-based write sends as rows of
// parameters (see fewRows); more go as arrays.
const maxFewRows = 8

// fewRows are the forms of a set-based write of 1 to maxFewRows rows
// whose values are parameters in a VALUES list instead of arrays that
// unnest spreads: for the few rows of one order's step, the server starts
// and runs such a statement in about two thirds of the time (measured
// with pgbench on the outbox's append; BENCHMARKS.md, sixth session).
// forms[k-1] writes k rows; its parameters are $1 (the tenant) and then
// each row's values in turn.
type fewRows struct {
	forms [maxFewRows]string
}

// newFewRows returns the forms of the statement head + "(VALUES ...) AS "
// + alias + tail, whose rows have columns of types; with ordinal, each
// row ends with its position (0, 1, ...), as the alias's last column, for
// tail to order by.
func newFewRows(rep *strings.Replacer, head, alias string, types []string, ordinal bool, tail string) *fewRows {
	f := &fewRows{}
	for k := 1; k <= maxFewRows; k++ {
		f.forms[k-1] = rep.Replace(head + "(VALUES " + valuesRows(k, types, ordinal) + ") AS " + alias + tail)
	}
	return f
}

// valuesRows returns the n rows of a VALUES list whose values are
// parameters of types, row after row from $2 on; with ordinal, each row
// ends with its position (0, 1, ...).
func valuesRows(n int, types []string, ordinal bool) string {
	rows := make([]string, n)
	for r := range rows {
		vals := make([]string, len(types), len(types)+1)
		for c, typ := range types {
			vals[c] = "$" + strconv.Itoa(2+r*len(types)+c) + "::" + typ
		}
		if ordinal {
			vals = append(vals, strconv.Itoa(r))
		}
		rows[r] = "(" + strings.Join(vals, ", ") + ")"
	}
	return strings.Join(rows, ", ")
}

// form returns the statement writing n rows, or "" when there are too
// many (or none).
func (f *fewRows) form(n int) string {
	if n < 1 || n > maxFewRows {
		return ""
	}
	return f.forms[n-1]
}

// rows returns the statement of n rows of width values and its
// arguments, the tenant and then the values row appends for each row i,
// or false when there are too many rows.
func (f *fewRows) rows(tenant string, n, width int, row func(args []any, i int) []any) (string, []any, bool) {
	sql := f.form(n)
	if sql == "" {
		return "", nil, false
	}
	args := make([]any, 1, 1+n*width)
	args[0] = tenant
	for i := range n {
		args = row(args, i)
	}
	return sql, args, true
}

// fewRowBatch is a rowBatch that can send its rows as a fewRows form.
type fewRowBatch interface {
	rowBatch
	// few returns the statement and arguments of the rows as a fewRows
	// form, or false when there are too many.
	few() (string, []any, bool)
}
