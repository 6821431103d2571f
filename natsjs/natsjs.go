package natsjs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/ordersmith/oms"
	"github.com/ordersmith/oms/fielderr"
	"github.com/ordersmith/oms/storage"
)

// Errors of this package, checked with errors.Is. ErrInvalidOptions and
// ErrInvalidEvent come as a *fielderr.Error naming every bad field.
var (
	// ErrInvalidOptions means Options or StreamOptions were refused: an
	// empty or malformed prefix, a bad stream name, a negative window.
	ErrInvalidOptions = errors.New("natsjs: invalid options")
	// ErrInvalidEvent means an event cannot be given a subject (an empty
	// tenant or type, an empty type segment, a subject longer than
	// MaxSubjectLen) or a body; publishing it again fails again.
	ErrInvalidEvent = errors.New("natsjs: invalid event")
	// ErrInvalidToken means a string given to UnescapeToken is not a token
	// EscapeToken returns.
	ErrInvalidToken = errors.New("natsjs: invalid token")
)

// ContentType is the Content-Type header of every message: the body is a
// CloudEvent in the structured mode of the CloudEvents JSON event format.
const ContentType = "application/cloudevents+json; charset=utf-8"

// Options configures a Publisher; the zero value works.
type Options struct {
	// Prefix is the first token or tokens of every subject, such as "oms"
	// or "shop.events": letters, digits, '-' and '_' in dot-separated
	// tokens, no wildcard. Empty means DefaultPrefix.
	Prefix string
	// Source is the CloudEvents source of every message; empty means
	// oms.DefaultSource.
	Source string
	// Stream, when set, names the stream every message must land in: the
	// server refuses a message that another stream (or none) captures
	// instead (the Nats-Expected-Stream header), and the publish fails.
	Stream string
}

// Publisher publishes outbox events to JetStream, one message per event,
// and waits for the stream's acknowledgement. A Publisher is safe for
// concurrent use.
//
// The subject of an event is
//
//	<prefix>.<tenant>.<type segment>.<type segment>...
//
// where the tenant and each dot-separated segment of the event type are
// escaped with EscapeToken: "order.placed" of tenant "acme" under the
// default prefix is "oms.acme.order.placed", and of tenant "acme.eu" it
// is "oms.acme%2Eeu.order.placed". So a consumer subscribes to
// "oms.acme.>" for one tenant's events, "oms.*.order.>" for every
// tenant's order events or "oms.*.*.placed", and no tenant can add a
// token or a wildcard.
//
// Each message carries the headers Nats-Msg-Id (the event ID, so the
// stream drops a redelivery within its duplicate window) and Content-Type
// (ContentType), and as its body the JSON of oms.Envelope(e, Source).
type Publisher struct {
	js     jetstream.JetStream
	prefix string
	source string
	stream string
}

// New returns a Publisher that publishes through js. It returns an error
// wrapping ErrInvalidOptions (a *fielderr.Error naming "js", "prefix" or
// "stream") when js is nil or an option is malformed.
func New(js jetstream.JetStream, opts Options) (*Publisher, error) {
	if opts.Prefix == "" {
		opts.Prefix = DefaultPrefix
	}
	fe := fielderr.New(ErrInvalidOptions)
	fe.Check(js != nil, "js", "missing")
	checkPrefix(fe, "prefix", opts.Prefix)
	if opts.Stream != "" {
		checkStreamName(fe, "stream", opts.Stream)
	}
	if err := fe.Err(); err != nil {
		return nil, fmt.Errorf("natsjs: %w", err)
	}
	return &Publisher{js: js, prefix: opts.Prefix, source: opts.Source, stream: opts.Stream}, nil
}

// Subject returns the subject e is published on (see Publisher). It
// returns an error wrapping ErrInvalidEvent, a *fielderr.Error naming
// "tenant" or "type", when e has none.
func (p *Publisher) Subject(e storage.Event) (string, error) {
	return subject(p.prefix, e)
}

// Msg returns the message e is published as: its subject, the
// Nats-Msg-Id and Content-Type headers and the CloudEvent body. It
// returns an error wrapping ErrInvalidEvent when e has no subject or its
// payload is not valid JSON.
func (p *Publisher) Msg(e storage.Event) (*nats.Msg, error) {
	subj, err := p.Subject(e)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(oms.Envelope(e, p.source))
	if err != nil {
		return nil, fmt.Errorf("natsjs: event %s: %w: %w", e.ID, ErrInvalidEvent, err)
	}
	m := nats.NewMsg(subj)
	m.Data = body
	m.Header.Set(jetstream.MsgIDHeader, e.ID.String())
	m.Header.Set("Content-Type", ContentType)
	return m, nil
}

// Publish publishes e and waits until the stream has stored it or, when
// an earlier publish of the same event ID is within the stream's
// duplicate window, has dropped it as a duplicate (PubAck.Duplicate).
// It returns an error wrapping ErrInvalidEvent for an event that cannot
// be published, and the jetstream error otherwise: no stream captures
// the subject (jetstream.ErrNoStreamResponse), the connection is closed
// or down until ctx ends, or the server refused the message.
func (p *Publisher) Publish(ctx context.Context, e storage.Event) (*jetstream.PubAck, error) {
	m, err := p.Msg(e)
	if err != nil {
		return nil, err
	}
	var opts []jetstream.PublishOpt
	if p.stream != "" {
		opts = append(opts, jetstream.WithExpectStream(p.stream))
	}
	ack, err := p.js.PublishMsg(ctx, m, opts...)
	if err != nil {
		return nil, fmt.Errorf("natsjs: publish event %s to %s: %w", e.ID, m.Subject, err)
	}
	return ack, nil
}

// Handler returns a relay handler that publishes each event with Publish
// and returns nil only once the stream acknowledged it, stored or as a
// duplicate, so the relay acknowledges the outbox only then. A failed or
// unanswered publish returns the error, and the relay delivers the event
// again later; the stream drops the second copy if the first was stored
// after all, provided the redelivery comes within the stream's duplicate
// window (see StreamOptions.Duplicates).
func (p *Publisher) Handler() oms.Handler {
	return func(ctx context.Context, e storage.Event) error {
		_, err := p.Publish(ctx, e)
		return err
	}
}
