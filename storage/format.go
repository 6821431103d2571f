package storage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode"

	"github.com/ordersmith/oms/fulfillment"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/returns"
	"github.com/ordersmith/oms/shipping"
)

// DocumentVersion is the version of the stored format of the aggregates a
// store keeps as documents (order.Order, payment.Payment,
// fulfillment.FulfillmentOrder, shipping.Shipment, returns.Return): the
// JSON their json tags produce. Every change of that JSON (a renamed,
// removed or retyped tag, a changed encoding of a nested value) bumps it and
// comes with an upgrade in [DecodeDocument] from every earlier version; the
// golden documents of storage/storagetest fail until both are done.
//
// Version history:
//   - 0: no "schema_version" key; the types had no json tags, so keys were
//     the Go field names (OrderID), except order's, already snake_case.
//   - 1: snake_case json tags on every stored type (order_id).
const DocumentVersion = 1

// documentVersionKey is the key of the version in a stored document.
const documentVersionKey = "schema_version"

// ErrUnsupportedFormat means a stored document has a schema version newer
// than [DocumentVersion] (written by a newer release of the library) or is
// not a JSON object. It is permanent: retrying reads the same document.
var ErrUnsupportedFormat = errors.New("storage: unsupported stored format")

// EncodeDocument returns the stored document of v: the JSON object
// json.Marshal writes for v, with "schema_version": [DocumentVersion] as its
// first member, followed by the bookkeeping the types' JSON leaves out of
// what a host serializes: "tenant" and "version" (the fields tagged "-"
// on every stored type that has them) and, for an *order.Order,
// "placement_key". v must encode as a JSON object without those members.
// It returns the errors of json.Marshal, and ErrUnsupportedFormat when v
// does not encode as an object.
//
// A non-nil *order.Order or *payment.Payment, the most frequently stored
// kinds, is written without reflection, to the same bytes; a value the
// direct writer cannot write exactly as json.Marshal does (a string that
// needs escaping, a time outside RFC 3339) takes the json.Marshal path.
func EncodeDocument(v any) ([]byte, error) {
	if b, ok := appendDocument(nil, v); ok {
		return b, nil
	}
	return encodeDocumentReflect(v)
}

// encodeDocumentReflect is EncodeDocument through json.Marshal, for every
// kind.
func encodeDocumentReflect(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	if len(b) < 2 || b[0] != '{' {
		return nil, fmt.Errorf("storage: encode %T: not a JSON object: %w", v, ErrUnsupportedFormat)
	}
	var out bytes.Buffer
	out.Grow(len(b) + 96)
	fmt.Fprintf(&out, `{"%s":%d`, documentVersionKey, DocumentVersion)
	if rv := reflect.ValueOf(v); rv.IsValid() && rv.Kind() != reflect.Pointer {
		// A value, not a pointer: read its bookkeeping from a copy.
		p := reflect.New(rv.Type())
		p.Elem().Set(rv)
		v = p.Interface()
	}
	bk := bookkeepingOf(v)
	if bk.tenant != nil {
		out.WriteString(`,"tenant":`)
		writeJSONString(&out, *bk.tenant)
	}
	if bk.version != nil {
		out.WriteString(`,"version":`)
		out.WriteString(strconv.FormatInt(*bk.version, 10))
	}
	if bk.placementKey != nil && *bk.placementKey != "" {
		out.WriteString(`,"placement_key":`)
		writeJSONString(&out, *bk.placementKey)
	}
	if rest := b[1:]; !bytes.Equal(rest, []byte("}")) {
		out.WriteByte(',')
		out.Write(rest)
	} else {
		out.WriteByte('}')
	}
	return out.Bytes(), nil
}

// writeJSONString writes s as a JSON string.
func writeJSONString(out *bytes.Buffer, s string) {
	q, _ := json.Marshal(s) // a string always marshals
	out.Write(q)
}

// DecodeDocument decodes a stored document written by [EncodeDocument], of
// this or any earlier [DocumentVersion], into v (a pointer). A document of
// version 0 (no "schema_version") is upgraded first: its object keys are
// renamed from Go field names to snake_case (OrderID to order_id), the
// names the json tags of version 1 give. The bookkeeping the types' JSON
// leaves out (tenant, version, an order's placement key) is restored. It
// returns ErrUnsupportedFormat for a version above DocumentVersion or a
// document that is not a JSON object, and the errors of json.Unmarshal
// (and of the types' UnmarshalJSON methods) otherwise.
func DecodeDocument(doc []byte, v any) error {
	var head struct {
		Version      *int    `json:"schema_version"`
		Tenant       *string `json:"tenant"`
		AggVersion   *int64  `json:"version"`
		PlacementKey *string `json:"placement_key"`
	}
	if err := json.Unmarshal(doc, &head); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fmt.Errorf("%w: %w", ErrUnsupportedFormat, err)
		}
		return err
	}
	version := 0
	if head.Version != nil {
		version = *head.Version
	}
	switch {
	case version > DocumentVersion || version < 0:
		return fmt.Errorf("schema version %d, this release reads up to %d: %w",
			version, DocumentVersion, ErrUnsupportedFormat)
	case version == 0:
		up, err := upgradeV0(doc)
		if err != nil {
			return fmt.Errorf("upgrade from schema version 0: %w", err)
		}
		doc = up
		// The keys were Go field names: read the bookkeeping again.
		if err := json.Unmarshal(doc, &head); err != nil {
			return err
		}
	}
	if err := json.Unmarshal(doc, v); err != nil {
		return err
	}
	bk := bookkeepingOf(v)
	if bk.tenant != nil && head.Tenant != nil {
		*bk.tenant = *head.Tenant
	}
	if bk.version != nil && head.AggVersion != nil {
		*bk.version = *head.AggVersion
	}
	if bk.placementKey != nil && head.PlacementKey != nil {
		*bk.placementKey = *head.PlacementKey
	}
	return nil
}

// bookkeeping points at the fields of a stored value that its JSON leaves
// out and its stored document keeps; nil for fields it does not have.
type bookkeeping struct {
	tenant       *string
	version      *int64
	placementKey *string
}

// bookkeepingOf returns v's bookkeeping fields.
func bookkeepingOf(v any) bookkeeping {
	switch x := v.(type) {
	case *order.Order:
		if x != nil {
			return bookkeeping{&x.Tenant, &x.Version, &x.PlacementKey}
		}
	case *payment.Payment:
		if x != nil {
			return bookkeeping{tenant: &x.Tenant, version: &x.Version}
		}
	case *fulfillment.FulfillmentOrder:
		if x != nil {
			return bookkeeping{tenant: &x.Tenant, version: &x.Version}
		}
	case *shipping.Shipment:
		if x != nil {
			return bookkeeping{tenant: &x.Tenant, version: &x.Version}
		}
	case *returns.Return:
		if x != nil {
			return bookkeeping{tenant: &x.Tenant, version: &x.Version}
		}
	case *inventory.Reservation:
		if x != nil {
			return bookkeeping{tenant: &x.Tenant, version: &x.Version}
		}
	case *inventory.Location:
		if x != nil {
			return bookkeeping{tenant: &x.Tenant, version: &x.Version}
		}
	case *inventory.StockLevel:
		if x != nil {
			return bookkeeping{tenant: &x.Tenant, version: &x.Version}
		}
	case *inventory.Item:
		if x != nil {
			return bookkeeping{tenant: &x.Tenant}
		}
	case *inventory.Movement:
		if x != nil {
			return bookkeeping{tenant: &x.Tenant}
		}
	}
	return bookkeeping{}
}

// upgradeV0 rewrites a version 0 document as version 1: every object key,
// at any depth, becomes snakeCase(key). Version 0 documents hold no maps
// with caller-chosen keys, so every key is a field name; keys already in
// snake_case are unchanged. Numbers are kept as written.
func upgradeV0(doc []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return nil, err
	}
	return json.Marshal(renameKeys(tree))
}

// renameKeys returns v with every object key converted by snakeCase.
func renameKeys(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[snakeCase(k)] = renameKeys(e)
		}
		return out
	case []any:
		for i, e := range x {
			x[i] = renameKeys(e)
		}
		return x
	default:
		return v
	}
}

// snakeCase converts a Go field name to the snake_case name its json tag
// has: OrderLineID → order_line_id, SKU → sku, LengthCm → length_cm,
// Line1 → line1.
func snakeCase(s string) string {
	r := []rune(s)
	var b strings.Builder
	for i, c := range r {
		if !unicode.IsUpper(c) {
			b.WriteRune(c)
			continue
		}
		if i > 0 && (unicode.IsLower(r[i-1]) || unicode.IsDigit(r[i-1]) ||
			(unicode.IsUpper(r[i-1]) && i+1 < len(r) && unicode.IsLower(r[i+1]))) {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
}
