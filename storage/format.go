package storage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/ordersmith/oms/order"
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
// first member, and for an *order.Order the engine bookkeeping its JSON
// leaves out (Order.PlacementKey, as "placement_key"). v must encode as a JSON object without a "schema_version"
// member. It returns the errors of json.Marshal, and ErrUnsupportedFormat
// when v does not encode as an object.
func EncodeDocument(v any) ([]byte, error) {
	if o, ok := v.(*order.Order); ok && o != nil {
		v = storedOrder{Order: o, PlacementKey: o.PlacementKey}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	if len(b) < 2 || b[0] != '{' {
		return nil, fmt.Errorf("storage: encode %T: not a JSON object: %w", v, ErrUnsupportedFormat)
	}
	head := fmt.Sprintf(`{"%s":%d`, documentVersionKey, DocumentVersion)
	var out bytes.Buffer
	out.Grow(len(head) + len(b) + 1)
	out.WriteString(head)
	if rest := b[1:]; !bytes.Equal(rest, []byte("}")) {
		out.WriteByte(',')
		out.Write(rest)
	} else {
		out.WriteByte('}')
	}
	return out.Bytes(), nil
}

// DecodeDocument decodes a stored document written by [EncodeDocument], of
// this or any earlier [DocumentVersion], into v (a pointer). A document of
// version 0 (no "schema_version") is upgraded first: its object keys are
// renamed from Go field names to snake_case (OrderID to order_id), the
// names the json tags of version 1 give. An *order.Order gets back the
// PlacementKey its JSON leaves out. It returns ErrUnsupportedFormat
// for a version above DocumentVersion or a document that is not a JSON
// object, and the errors of json.Unmarshal (and of the types' UnmarshalJSON
// methods) otherwise.
func DecodeDocument(doc []byte, v any) error {
	var head struct {
		Version *int `json:"schema_version"`
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
	}
	if o, ok := v.(*order.Order); ok && o != nil {
		so := storedOrder{Order: o}
		if err := json.Unmarshal(doc, &so); err != nil {
			return err
		}
		o.PlacementKey = so.PlacementKey
		return nil
	}
	return json.Unmarshal(doc, v)
}

// storedOrder is the stored document of an order: the order's JSON and
// the engine bookkeeping its json tags leave out of what a host serializes.
// The outer PlacementKey hides the embedded order's, tagged "-".
type storedOrder struct {
	*order.Order
	PlacementKey string `json:"placement_key,omitempty"`
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
