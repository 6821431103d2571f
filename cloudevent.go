package oms

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/storage"
)

// CloudEvents attributes the envelope sets.
const (
	// CloudEventsSpecVersion is the CloudEvents version of every envelope.
	CloudEventsSpecVersion = "1.0"
	// DefaultSource is the CloudEvents source of an envelope built with an
	// empty source.
	DefaultSource = "ordersmith"
	// ContentTypeJSON is the data content type of every envelope: the data
	// is the event's JSON payload.
	ContentTypeJSON = "application/json"
)

// CloudEvent is an outbox event in a CloudEvents 1.0 envelope, so that a
// webhook or a message broker can carry it unchanged. Its JSON form
// (MarshalJSON) is the structured mode of the CloudEvents JSON event
// format. Build one with Envelope.
type CloudEvent struct {
	// SpecVersion is CloudEventsSpecVersion ("specversion").
	SpecVersion string
	// ID is the event's ID ("id"): the same on every redelivery, so a
	// consumer de-duplicates on it (with Source).
	ID uuid.UUID
	// Source names the producer ("source", a URI reference); DefaultSource
	// unless the host names its own.
	Source string
	// Type is the event type ("type"), such as EventOrderPlaced.
	Type string
	// Subject is the aggregate ID as a string ("subject"): the order,
	// payment, fulfillment, shipment or return the event is about, or the
	// stock level (StockAggregateID).
	Subject string
	// Time is when the change happened, by the engine's clock ("time",
	// RFC 3339).
	Time time.Time
	// DataContentType is ContentTypeJSON ("datacontenttype").
	DataContentType string
	// Data is the event's payload ("data"), a JSON object of the payload
	// type the event type's constant documents.
	Data json.RawMessage
	// Tenant is the tenant whose aggregate changed (extension "tenant").
	Tenant string
	// Sequence is the store's sequence number of the event (extension
	// "sequence", as the CloudEvents sequence extension defines it: a
	// string, zero-padded to 19 digits, so that comparing two as strings
	// orders them). It orders the events of one aggregate.
	Sequence int64
	// AggregateType is the aggregate's type, such as AggregateOrder
	// (extension "aggregatetype").
	AggregateType string
	// AggregateID is the aggregate's ID (extension "aggregateid").
	AggregateID uuid.UUID
}

// Envelope returns e in a CloudEvents envelope with source as its source
// (DefaultSource when source is empty). It copies e's attributes and
// payload; it does not check them.
func Envelope(e storage.Event, source string) CloudEvent {
	if source == "" {
		source = DefaultSource
	}
	return CloudEvent{
		SpecVersion:     CloudEventsSpecVersion,
		ID:              e.ID,
		Source:          source,
		Type:            e.Type,
		Subject:         e.AggregateID.String(),
		Time:            e.OccurredAt,
		DataContentType: ContentTypeJSON,
		Data:            e.Payload,
		Tenant:          e.Tenant,
		Sequence:        e.Sequence,
		AggregateType:   e.AggregateType,
		AggregateID:     e.AggregateID,
	}
}

// cloudEventJSON is the structured-mode JSON of a CloudEvent, attributes in
// the order the CloudEvents specification lists them, extensions last.
type cloudEventJSON struct {
	SpecVersion     string          `json:"specversion"`
	ID              string          `json:"id"`
	Source          string          `json:"source"`
	Type            string          `json:"type"`
	Subject         string          `json:"subject,omitempty"`
	Time            string          `json:"time,omitempty"`
	DataContentType string          `json:"datacontenttype,omitempty"`
	Data            json.RawMessage `json:"data,omitempty"`
	Tenant          string          `json:"tenant,omitempty"`
	Sequence        string          `json:"sequence,omitempty"`
	AggregateType   string          `json:"aggregatetype,omitempty"`
	AggregateID     string          `json:"aggregateid,omitempty"`
}

// MarshalJSON encodes c in the structured mode of the CloudEvents JSON event
// format: the attributes specversion, id, source, type, subject, time (RFC
// 3339, UTC), datacontenttype, the data as a JSON value, and the
// extensions tenant, sequence, aggregatetype and aggregateid. Empty
// optional attributes are left out. It fails when Data is not valid JSON.
func (c CloudEvent) MarshalJSON() ([]byte, error) {
	if len(c.Data) > 0 && !json.Valid(c.Data) {
		return nil, fmt.Errorf("oms: cloud event %s: data is not valid JSON", c.ID)
	}
	out := cloudEventJSON{
		SpecVersion:     c.SpecVersion,
		ID:              c.ID.String(),
		Source:          c.Source,
		Type:            c.Type,
		Subject:         c.Subject,
		DataContentType: c.DataContentType,
		Data:            c.Data,
		Tenant:          c.Tenant,
		AggregateType:   c.AggregateType,
	}
	if !c.Time.IsZero() {
		out.Time = c.Time.UTC().Format(time.RFC3339Nano)
	}
	if c.Sequence > 0 {
		out.Sequence = fmt.Sprintf("%019d", c.Sequence)
	}
	if c.AggregateID != uuid.Nil {
		out.AggregateID = c.AggregateID.String()
	}
	return json.Marshal(out)
}

// CloudEventHandler returns a relay Handler that hands h each event in a
// CloudEvents envelope with source as its source (DefaultSource when
// empty). h's error is the handler's: the event is delivered again later.
func CloudEventHandler(source string, h func(context.Context, CloudEvent) error) Handler {
	return func(ctx context.Context, e storage.Event) error {
		return h(ctx, Envelope(e, source))
	}
}
