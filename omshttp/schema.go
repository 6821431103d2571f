package omshttp

import (
	"reflect"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/ordersmith/oms/money"
	"github.com/ordersmith/oms/order"
)

// amountPattern is the form of a decimal amount in JSON: an optional minus,
// digits, and an optional fraction, as money.Money and decimal.Decimal
// write them.
const amountPattern = `^-?[0-9]+(\.[0-9]+)?$`

// uuidSchema stands for uuid.UUID in the document: a string of format uuid,
// as uuid.UUID marshals.
type uuidSchema struct{}

// Schema returns the schema of a UUID.
func (uuidSchema) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{Type: huma.TypeString, Format: "uuid", Description: "A UUID, such as 0190d6a2-7c4e-7b7c-9d4f-3a1e2b4c5d6e."}
}

// decimalSchema stands for decimal.Decimal in the document: a decimal
// string, as decimal.Decimal marshals.
type decimalSchema struct{}

// Schema returns the schema of a decimal.
func (decimalSchema) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{Type: huma.TypeString, Pattern: amountPattern, Description: "A decimal number written as a string, such as \"0.19\"."}
}

// orderStatusSchema stands for order.Status in the document: a string,
// one of order.Statuses.
type orderStatusSchema struct{}

// Schema returns the schema of an order status.
func (orderStatusSchema) Schema(huma.Registry) *huma.Schema {
	var enum []any
	for _, st := range order.Statuses() {
		enum = append(enum, string(st))
	}
	return &huma.Schema{Type: huma.TypeString, Enum: enum, Description: "The order's lifecycle status."}
}

// moneySchema stands for money.Money in the document: the JSON object
// money.Money marshals to.
type moneySchema struct {
	Amount   string `json:"amount" pattern:"^-?[0-9]+(\\.[0-9]+)?$" doc:"The amount as a decimal string, such as \"12.90\"; never a JSON number."`
	Currency string `json:"currency" pattern:"^([A-Z]{3})?$" doc:"The ISO 4217 currency code, such as EUR; empty only in a zero amount that names no currency."`
}

// newRegistry returns the schema registry of one API: the library's types
// that marshal themselves (UUIDs, decimals, money) are described as they
// marshal, and a type whose name another type of the document already has
// is named with its package (order.Line is Line, fulfillment.Line
// FulfillmentLine).
func newRegistry() huma.Registry {
	names := map[string]reflect.Type{}
	namer := func(t reflect.Type, hint string) string {
		base := deref(t)
		if base == reflect.TypeFor[moneySchema]() {
			return "Money"
		}
		name := huma.DefaultSchemaNamer(t, hint)
		if prior, ok := names[name]; ok && prior != base && base.PkgPath() != "" {
			pkg := base.PkgPath()[strings.LastIndex(base.PkgPath(), "/")+1:]
			name = strings.ToUpper(pkg[:1]) + pkg[1:] + name
		}
		names[name] = base
		return name
	}
	r := huma.NewMapRegistry("#/components/schemas/", namer)
	r.RegisterTypeAlias(reflect.TypeFor[uuid.UUID](), reflect.TypeFor[uuidSchema]())
	r.RegisterTypeAlias(reflect.TypeFor[decimal.Decimal](), reflect.TypeFor[decimalSchema]())
	r.RegisterTypeAlias(reflect.TypeFor[money.Money](), reflect.TypeFor[moneySchema]())
	r.RegisterTypeAlias(reflect.TypeFor[order.Status](), reflect.TypeFor[orderStatusSchema]())
	return r
}

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}
