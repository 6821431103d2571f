package webhook_test

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/ordersmith/oms/webhook"
)

// Sign a delivery as a sender does, then verify it as a receiver does: the
// first delivery is accepted, the same one again is a replay, and a changed
// body is refused.
func Example() {
	secret := webhook.MustParseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	now := time.Unix(1614265330, 0)
	body := []byte(`{"test": 2432232314}`)

	// Sender.
	h := http.Header{}
	if err := webhook.SetHeaders(h, "msg_p5jXN8AQM9LWM0D4loKWxJek", now, body, secret); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(h.Get(webhook.HeaderSignature))

	// Receiver.
	v, err := webhook.NewVerifier(webhook.VerifierOptions{Clock: func() time.Time { return now }}, secret)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("first:", v.Verify(h, body))
	fmt.Println("again is a replay:", errors.Is(v.Verify(h, body), webhook.ErrReplayed))
	fmt.Println("forged:", errors.Is(v.Verify(h, []byte(`{"test": 1}`)), webhook.ErrInvalidSignature))
	// Output:
	// v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=
	// first: <nil>
	// again is a replay: true
	// forged: true
}

// During a rotation the sender signs with the new and the old secret, so a
// receiver still holding the old one verifies.
func ExampleSign_rotation() {
	oldSecret, newSecret := webhook.NewSecret(), webhook.NewSecret()
	now := time.Now()
	body := []byte(`{}`)
	h := http.Header{}
	if err := webhook.SetHeaders(h, "msg_1", now, body, newSecret, oldSecret); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("receiver with the old secret:", webhook.Verify(h, body, oldSecret))
	fmt.Println("receiver with the new secret:", webhook.Verify(h, body, newSecret))
	// Output:
	// receiver with the old secret: <nil>
	// receiver with the new secret: <nil>
}
