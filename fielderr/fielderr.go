// Package fielderr holds the one error type every package of the module
// uses to report bad input: an [Error] lists every bad field of a request
// at once, each by its JSON path ("lines[1].unit_price",
// "shipping_address.city", "parcels[0].weight_grams").
//
// One errors.As finds it whichever package refused the input:
//
//	var fe *fielderr.Error
//	if errors.As(err, &fe) {
//		for _, f := range fe.Fields {
//			fmt.Println(f.Path, f.Problem)
//		}
//	}
//
// Each Error also matches the sentinel of the package that built it with
// errors.Is (order.ErrInvalidOrder, payment.ErrInvalidInput, ...), so a
// caller may branch on the package instead. The package imports nothing of
// the module: every domain package can use it.
package fielderr

import (
	"errors"
	"strings"
)

// Field names one bad input field and what is wrong with it.
type Field struct {
	// Path is the field's JSON path, e.g. "lines[1].unit_price",
	// "shipping_address.city" or "quantities[<line id>]".
	Path string `json:"path"`
	// Problem says what is wrong, e.g. "must be positive".
	Problem string `json:"problem"`
}

// String returns "path: problem".
func (f Field) String() string { return f.Path + ": " + f.Problem }

// Error lists every bad field of an input, in the order they were found.
// It matches, with errors.Is, the sentinels it was built with by [New]. A
// zero Error matches no sentinel.
//
// Error is not safe for concurrent use while it is being filled.
type Error struct {
	// Fields lists the problems in the order they were found.
	Fields []Field `json:"fields"`

	sentinels []error
}

// New returns an empty Error that matches each of sentinels with
// errors.Is; its Error text starts with the first sentinel's.
func New(sentinels ...error) *Error {
	return &Error{sentinels: sentinels}
}

// Of returns an Error matching sentinel that names one field, for a
// check that finds a single problem.
func Of(sentinel error, path, problem string) *Error {
	e := New(sentinel)
	e.Add(path, problem)
	return e
}

// Error implements error: the first sentinel's text, then every field
// problem, e.g. "order: invalid order: lines[0].sku: missing".
func (e *Error) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.String()
	}
	prefix := "invalid input"
	if len(e.sentinels) > 0 && e.sentinels[0] != nil {
		prefix = e.sentinels[0].Error()
	}
	return prefix + ": " + strings.Join(parts, "; ")
}

// Unwrap returns the sentinels the error matches.
func (e *Error) Unwrap() []error { return e.sentinels }

// With returns e after adding sentinel to those it matches.
func (e *Error) With(sentinel error) *Error {
	e.sentinels = append(e.sentinels, sentinel)
	return e
}

// Add appends a problem with the field at path.
func (e *Error) Add(path, problem string) {
	e.Fields = append(e.Fields, Field{Path: path, Problem: problem})
}

// Check appends a problem with the field at path unless ok.
func (e *Error) Check(ok bool, path, problem string) {
	if !ok {
		e.Add(path, problem)
	}
}

// Has reports whether the field at path has at least one problem listed.
// A nil Error has none.
func (e *Error) Has(path string) bool {
	if e == nil {
		return false
	}
	for _, f := range e.Fields {
		if f.Path == path {
			return true
		}
	}
	return false
}

// Err returns e as an error, or nil when e is nil or lists no problem; a
// function that collects problems returns e.Err().
func (e *Error) Err() error {
	if e == nil || len(e.Fields) == 0 {
		return nil
	}
	return e
}

// As returns the *Error in err's chain, or nil when there is none.
func As(err error) *Error {
	var fe *Error
	if errors.As(err, &fe) {
		return fe
	}
	return nil
}
