package postgres

import (
	"fmt"
	"math/bits"
	"regexp"
	"strconv"
	"strings"
)

// insertForms is the number of forms of a multiInsert: 1, 2, 4, ... 64
// rows.
const insertForms = 7

// maxInsertRows is the most rows one multi-row insert statement carries.
const maxInsertRows = 1 << (insertForms - 1)

// multiInsert is a one-row INSERT ... VALUES (...) statement and its
// multi-row forms: writes of it queued one after another on a transaction
// are sent as one statement of their rows (see pipe.laterInsert), which
// the server parses, plans and executes once instead of once a row.
//
// The forms carry 1, 2, 4, ... maxInsertRows rows, so that a connection
// prepares at most a few statements per insert; n rows are sent as the
// forms of n's binary digits, largest first.
//
// An insert may have a companion, a set-based insert of rows that come
// with the inserted ones (an order's lines): with[i] is forms[i] and the
// companion in one statement, sent last.
type multiInsert struct {
	// forms[i] is the statement of 2^i rows.
	forms [insertForms]string
	with  [insertForms]string
}

// placeholder matches a statement's parameter placeholders, and
// valuesKeyword the VALUES keyword of an insert with its tuple's "(".
var (
	placeholder   = regexp.MustCompile(`\$[0-9]+`)
	valuesKeyword = regexp.MustCompile(`\sVALUES\s*\(`)
)

// newMultiInsert returns the multi-row forms of sql, an INSERT of one row
// whose parameters $1..$n all appear in its one VALUES tuple.
// It panics on any other statement: the statements are the adapter's own.
func newMultiInsert(sql string) *multiInsert {
	at := valuesKeyword.FindAllStringIndex(sql, -1)
	if len(at) != 1 || !strings.HasPrefix(strings.TrimSpace(sql), "INSERT ") {
		panic(fmt.Sprintf("postgres: not a one-row insert: %s", sql))
	}
	start := at[0][1] - 1 // the tuple's "("
	end, depth := start, 0
	for ; end < len(sql); end++ {
		if sql[end] == '(' {
			depth++
		} else if sql[end] == ')' {
			if depth--; depth == 0 {
				break
			}
		}
	}
	if end == len(sql) {
		panic(fmt.Sprintf("postgres: not a one-row insert: %s", sql))
	}
	head, tuple, tail := sql[:start], sql[start:end+1], sql[end+1:]
	if placeholder.MatchString(head) || placeholder.MatchString(tail) {
		panic(fmt.Sprintf("postgres: not a one-row insert: %s", sql))
	}
	params := maxParam(tuple)
	m := &multiInsert{}
	for i := range m.forms {
		var b strings.Builder
		b.WriteString(head)
		for row := range 1 << i {
			if row > 0 {
				b.WriteString(", ")
			}
			b.WriteString(shiftParams(tuple, row*params))
		}
		b.WriteString(tail)
		m.forms[i] = b.String()
	}
	return m
}

// newMultiInsertWith is newMultiInsert for sql with the companion insert
// companion, whose parameters are its own $1..$n.
func newMultiInsertWith(sql, companion string) *multiInsert {
	m := newMultiInsert(sql)
	params := maxParam(m.forms[0])
	for i, f := range m.forms {
		m.with[i] = "WITH o AS (" + f + " RETURNING 1) " + shiftParams(companion, params<<i)
	}
	return m
}

// maxParam returns the highest parameter number of sql.
func maxParam(sql string) int {
	high := 0
	for _, p := range placeholder.FindAllString(sql, -1) {
		n, _ := strconv.Atoi(p[1:])
		high = max(high, n)
	}
	return high
}

// shiftParams returns sql with each parameter $n renamed $(n+by).
func shiftParams(sql string, by int) string {
	return placeholder.ReplaceAllStringFunc(sql, func(p string) string {
		n, _ := strconv.Atoi(p[1:])
		return "$" + strconv.Itoa(n+by)
	})
}

// statements returns the statements inserting rows, each row the
// arguments of the one-row statement, and, when companion is not nil, the
// companion insert with these arguments, in the last statement.
func (m *multiInsert) statements(rows [][]any, companion []any) []stmt {
	var stmts []stmt
	for len(rows) > 0 {
		i := bits.Len(uint(min(len(rows), maxInsertRows))) - 1
		n := 1 << i
		var args []any
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		rows = rows[n:]
		if len(rows) == 0 && companion != nil {
			stmts = append(stmts, stmt{m.with[i], append(args, companion...)})
			break
		}
		stmts = append(stmts, stmt{m.forms[i], args})
	}
	return stmts
}
