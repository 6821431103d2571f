package natsjs

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/ordersmith/oms/fielderr"
)

// DefaultDuplicates is the duplicate window of a stream EnsureStream makes
// with a zero StreamOptions.Duplicates: five times the sum of the relay's
// default lease (30 s) and delivery timeout (10 s), plus slack for a
// process restart.
const DefaultDuplicates = 10 * time.Minute

// maxStreamName bounds a stream name; the server refuses longer ones.
const maxStreamName = 255

// StreamOptions describes the stream EnsureStream creates or updates.
type StreamOptions struct {
	// Name names the stream; required. No whitespace, '.', '*', '>', '/'
	// or '\', at most 255 bytes.
	Name string
	// Prefix is the Publisher's Options.Prefix; the stream captures
	// "<Prefix>.>", every event published under it. Empty means
	// DefaultPrefix.
	Prefix string
	// Duplicates is the stream's duplicate window: a message whose
	// Nats-Msg-Id the stream stored less than this long ago is dropped as
	// a duplicate. It must exceed the longest time after which the relay
	// can deliver an event again: an event whose acknowledgement was lost
	// is delivered again when its lease (oms.RelayOptions.Lease) runs
	// out, or at once when the relay released it after a
	// DeliveryTimeout, or after a crashed relay's process comes back; a
	// redelivery later than the window is stored a second time. Zero
	// means DefaultDuplicates; it may not be negative, nor exceed MaxAge
	// when MaxAge is set.
	Duplicates time.Duration
	// Storage is the stream's storage; the zero value is file storage.
	Storage jetstream.StorageType
	// Replicas is the number of copies in a cluster; zero means one.
	Replicas int
	// MaxAge is how long the stream keeps a message; zero means for ever.
	MaxAge time.Duration
}

// EnsureStream creates the stream opts describes, or updates an existing
// stream of that name to it, and returns it. It returns an error wrapping
// ErrInvalidOptions (a *fielderr.Error naming the bad fields: "name",
// "prefix", "duplicates", "replicas", "max_age") for malformed options,
// and the jetstream error when the server refuses, for example because
// another stream already captures the subjects.
func EnsureStream(ctx context.Context, js jetstream.JetStream, opts StreamOptions) (jetstream.Stream, error) {
	if opts.Prefix == "" {
		opts.Prefix = DefaultPrefix
	}
	if opts.Duplicates == 0 {
		opts.Duplicates = DefaultDuplicates
	}
	fe := fielderr.New(ErrInvalidOptions)
	fe.Check(js != nil, "js", "missing")
	checkStreamName(fe, "name", opts.Name)
	checkPrefix(fe, "prefix", opts.Prefix)
	fe.Check(opts.Duplicates > 0, "duplicates", "negative")
	fe.Check(opts.MaxAge >= 0, "max_age", "negative")
	fe.Check(opts.MaxAge <= 0 || opts.Duplicates <= opts.MaxAge, "duplicates", "exceeds max_age")
	fe.Check(opts.Replicas >= 0, "replicas", "negative")
	if err := fe.Err(); err != nil {
		return nil, fmt.Errorf("natsjs: ensure stream: %w", err)
	}
	s, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:       opts.Name,
		Subjects:   []string{opts.Prefix + ".>"},
		Storage:    opts.Storage,
		Replicas:   opts.Replicas,
		MaxAge:     opts.MaxAge,
		Duplicates: opts.Duplicates,
	})
	if err != nil {
		return nil, fmt.Errorf("natsjs: ensure stream %s: %w", opts.Name, err)
	}
	return s, nil
}

// checkStreamName adds a problem at path unless name is a valid stream
// name.
func checkStreamName(fe *fielderr.Error, path, name string) {
	switch {
	case name == "":
		fe.Add(path, "empty")
	case len(name) > maxStreamName:
		fe.Add(path, fmt.Sprintf("longer than %d bytes", maxStreamName))
	case strings.ContainsAny(name, ".*>/\\") || strings.ContainsFunc(name, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		fe.Add(path, "contains whitespace, a control character, '.', '*', '>', '/' or '\\'")
	}
}
