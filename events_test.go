package oms_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	oms "github.com/ordersmith/oms"
	"github.com/ordersmith/oms/storage"
)

// eventConstant is one Event... constant of events.go.
type eventConstant struct {
	name, value string
}

// eventConstants parses events.go and returns its Event constants and the
// doc comment of their block.
func eventConstants(t *testing.T) ([]eventConstant, string) {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "events.go", nil, parser.ParseComments)
	require.NoError(t, err)
	var out []eventConstant
	var doc string
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if !strings.HasPrefix(n.Name, "Event") {
					continue
				}
				lit, ok := vs.Values[i].(*ast.BasicLit)
				require.True(t, ok, "%s is not a string literal", n.Name)
				v, err := strconv.Unquote(lit.Value)
				require.NoError(t, err)
				out = append(out, eventConstant{n.Name, v})
				doc = gd.Doc.Text()
			}
		}
	}
	require.NotEmpty(t, out)
	return out, doc
}

// camel turns "partially_shipped" into "PartiallyShipped".
func camel(s string) string {
	var b strings.Builder
	for _, w := range strings.Split(s, "_") {
		if w != "" {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	return b.String()
}

// TestEventTypesDocumented checks every event constant: its name spells
// its value, its value starts with its aggregate type, and the constants'
// doc table and the README's Events section list it with its aggregate and
// payload type.
func TestEventTypesDocumented(t *testing.T) {
	t.Parallel()
	consts, doc := eventConstants(t)
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	aggregates := []string{oms.AggregateOrder, oms.AggregatePayment, oms.AggregateFulfillment,
		oms.AggregateShipment, oms.AggregateReturn, oms.AggregateStock}
	for _, c := range consts {
		t.Run(c.value, func(t *testing.T) {
			agg, change, ok := strings.Cut(c.value, ".")
			require.True(t, ok, "%q is not <aggregate>.<change>", c.value)
			assert.Equal(t, "Event"+camel(agg)+camel(change), c.name, "the name spells the value")
			assert.Contains(t, aggregates, agg, "the type starts with its aggregate type")
			payload, ok := oms.NewPayload(c.value)
			require.True(t, ok, "no documented payload for %s", c.value)
			payloadType := strings.TrimPrefix(strings.TrimPrefix(fmt.Sprintf("%T", payload), "*"), "oms.")
			assert.Regexp(t, `(?m)^\s*`+strings.ReplaceAll(c.value, ".", `\.`)+`\s+`+agg+`\s+`+payloadType+`\s`, doc,
				"the doc table lists %s with aggregate %s and payload %s", c.value, agg, payloadType)
			assert.Regexp(t, "(?m)^\\|[^\\n]*`"+strings.ReplaceAll(c.value, ".", `\.`)+"`[^\\n]*\\| `"+agg+"` \\| `"+payloadType+"` \\|$",
				string(readme), "the README's Events table lists %s", c.value)
		})
	}
	_, ok := oms.NewPayload("order.teleported")
	assert.False(t, ok, "no payload for a type the engine does not append")
}

// TestStockAggregateID checks that the stock aggregate ID is the documented
// UUIDv5 and that each tenant, SKU and location has its own.
func TestStockAggregateID(t *testing.T) {
	t.Parallel()
	loc := uuid.MustParse("019a8b6e-0000-7000-8000-000000000001")
	other := uuid.MustParse("019a8b6e-0000-7000-8000-000000000002")
	id := oms.StockAggregateID("acme", "MUG", loc)
	assert.Equal(t, uuid.Version(5), id.Version(), "a version 5 UUID")
	assert.Equal(t, uuid.NewSHA1(uuid.MustParse(oms.StockNamespace), []byte("acme\x00MUG\x00"+loc.String())), id, "as documented")
	assert.Equal(t, id, oms.StockAggregateID("acme", "MUG", loc), "stable")
	for _, tt := range []struct {
		name        string
		tenant, sku string
		loc         uuid.UUID
	}{
		{"another tenant", "other", "MUG", loc},
		{"another SKU", "acme", "TEE", loc},
		{"another location", "acme", "MUG", other},
		{"the separator is not shifted", "acme\x00MUG", "", loc},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.NotEqual(t, id, oms.StockAggregateID(tt.tenant, tt.sku, tt.loc))
		})
	}
}

// A subscriber that fails on one SKU's stock events holds back that SKU's
// later events only: another SKU's events at the same location flow.
func TestRelayStockEventsOfOneSKUDoNotHoldBackAnother(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	relay := f.eng.NewRelay(oms.RelayOptions{})
	var (
		mu      sync.Mutex
		failSKU string
		got     []oms.StockPayload
	)
	relay.Subscribe(func(_ context.Context, e storage.Event) error {
		if e.AggregateType != oms.AggregateStock {
			return nil
		}
		var p oms.StockPayload
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return err
		}
		if e.AggregateID != oms.StockAggregateID(e.Tenant, p.SKU, p.LocationID) {
			return fmt.Errorf("event %s: aggregate ID %s is not the stock level's", e.ID, e.AggregateID)
		}
		mu.Lock()
		defer mu.Unlock()
		if p.SKU == failSKU {
			return errors.New("the MUG subscriber is down")
		}
		got = append(got, p)
		return nil
	})
	_, err := relay.Drain(ctx) // the fixture's own events
	require.NoError(t, err)
	mu.Lock()
	failSKU, got = "MUG", nil
	mu.Unlock()

	receive := func(sku string, qty int64) {
		t.Helper()
		_, err := f.eng.ReceiveStock(ctx, oms.DefaultTenant, oms.StockChangeRequest{SKU: sku, LocationID: f.berlin.ID, Quantity: qty})
		require.NoError(t, err)
	}
	receive("MUG", 1) // first in the outbox, and failing
	receive("CAP", 2) // the same location, later
	receive("MUG", 3) // behind the failing one

	_, err = relay.DeliverOnce(ctx)
	require.Error(t, err, "the MUG event failed")
	mu.Lock()
	require.Len(t, got, 1, "only CAP's event was delivered")
	assert.Equal(t, "CAP", got[0].SKU)
	assert.Equal(t, f.berlin.ID, got[0].LocationID)
	assert.Equal(t, int64(5), got[0].OnHand)
	failSKU, got = "", nil
	mu.Unlock()

	_, err = relay.DeliverOnce(ctx)
	require.NoError(t, err)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, got, 2, "MUG's events, released, arrive")
	assert.Equal(t, []int64{11, 14}, []int64{got[0].OnHand, got[1].OnHand}, "in order")
}
