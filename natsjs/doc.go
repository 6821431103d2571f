// Package natsjs delivers outbox events to NATS JetStream: a relay handler
// that publishes each event as a CloudEvent on a subject per tenant and
// event type, and acknowledges it to the relay only once the stream has.
//
//	nc, _ := nats.Connect(url, nats.MaxReconnects(-1))
//	js, _ := jetstream.New(nc)
//	_, err := natsjs.EnsureStream(ctx, js, natsjs.StreamOptions{Name: "OMS"})
//	pub, err := natsjs.New(js, natsjs.Options{Stream: "OMS"})
//	relay := engine.NewRelay(oms.RelayOptions{})
//	relay.Subscribe(pub.Handler())
//	go relay.Run(ctx)
//
// # Subjects
//
// An event of tenant T and type "order.placed" goes to
// "<prefix>.<T>.order.placed" (prefix "oms" unless Options.Prefix says
// otherwise): each dot-separated segment of the type is a token of its
// own, so consumers filter with the usual wildcards ("oms.*.order.>",
// "oms.acme.>"). The tenant and each type segment are escaped with
// EscapeToken: letters, digits, '-' and '_' stand for themselves and any
// other byte becomes %XX, so "acme.eu" is "acme%2Eeu" and a tenant such as
// "a.*.>" stays one token with no wildcard in it. UnescapeToken reads a
// tenant back from its token, and Subject gives the subject of an event
// without a connection.
//
// # Exactly once in the stream
//
// The relay delivers at least once: an event whose acknowledgement was
// lost (the connection dropped after the server stored it) is published
// again. Every message carries the event ID in Nats-Msg-Id, and JetStream
// drops a message whose ID it stored within the stream's duplicate window
// (the PubAck says Duplicate), so the stream holds each event once. The
// window must be longer than the time until a redelivery: see
// StreamOptions.Duplicates. Because the relay publishes an aggregate's
// next event only after the previous one was acknowledged, the stream
// holds each aggregate's events in their order.
//
// The connection is the host's: it sets reconnection options (a relay
// needs nats.MaxReconnects(-1), or a new connection after the old one
// gave up) and closes it after the relay stopped.
package natsjs
