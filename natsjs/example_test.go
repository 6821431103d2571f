package natsjs_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/ordersmith/oms"
	"github.com/ordersmith/oms/natsjs"
	"github.com/ordersmith/oms/storage"
)

// The subjects events go to: a tenant that contains dots or wildcards
// stays one token, and each segment of the event type is a token.
func ExampleSubject() {
	for _, tenant := range []string{"acme", "acme.eu", "a.*.>", "big shop"} {
		subj, err := natsjs.Subject("", storage.Event{Tenant: tenant, Type: oms.EventOrderPlaced})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(subj)
	}
	tenant, err := natsjs.UnescapeToken("acme%2Eeu")
	fmt.Println(tenant, err)
	// Output:
	// oms.acme.order.placed
	// oms.acme%2Eeu.order.placed
	// oms.a%2E%2A%2E%3E.order.placed
	// oms.big%20shop.order.placed
	// acme.eu <nil>
}

// A host publishes its engine's events to JetStream: a stream over the
// prefix with a duplicate window longer than the relay's redelivery
// horizon, a connection that keeps reconnecting, and the publisher's
// handler on the relay.
func Example() {
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	nc, err := nats.Connect(os.Getenv("NATS_URL"), nats.MaxReconnects(-1))
	if err != nil {
		log.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := natsjs.EnsureStream(ctx, js, natsjs.StreamOptions{Name: "OMS", Duplicates: 10 * time.Minute}); err != nil {
		log.Fatal(err)
	}
	pub, err := natsjs.New(js, natsjs.Options{Stream: "OMS", Source: "https://shop.example/oms"})
	if err != nil {
		log.Fatal(err)
	}
	engine, err := oms.New()
	if err != nil {
		log.Fatal(err)
	}
	relay := engine.NewRelay(oms.RelayOptions{})
	relay.Subscribe(pub.Handler())
	go func() { _ = relay.Run(ctx) }()
	// ... the host's work; stop() ends the relay before nc closes.
}
