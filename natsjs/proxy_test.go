package natsjs_test

import (
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// cutProxy forwards TCP connections to a NATS server and cuts each one
// once the client has sent budget bytes over it: from then on it drops
// what the server sends (so the acknowledgement of a message the server
// may just have stored is lost), and a moment later it closes both sides.
// The client reconnects through the proxy and gets a fresh budget.
type cutProxy struct {
	ln     net.Listener
	target string
	budget int64
	cuts   atomic.Int64
	wg     sync.WaitGroup

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
}

// startCutProxy listens on a free local port; it stops when the test ends.
func startCutProxy(tb testing.TB, natsURL string, budget int64) *cutProxy {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(tb, err)
	p := &cutProxy{ln: ln, target: strings.TrimPrefix(natsURL, "nats://"), budget: budget, conns: make(map[net.Conn]struct{})}
	p.wg.Add(1)
	go p.accept()
	tb.Cleanup(p.close)
	return p
}

// URL is the address clients connect to.
func (p *cutProxy) URL() string { return "nats://" + p.ln.Addr().String() }

func (p *cutProxy) accept() {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = client.Close()
			continue
		}
		if !p.track(client, server) {
			return
		}
		p.wg.Add(1)
		go p.pipe(client, server)
	}
}

// track registers the pair, or closes it when the proxy is closing.
func (p *cutProxy) track(conns ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		for _, c := range conns {
			_ = c.Close()
		}
		return false
	}
	for _, c := range conns {
		p.conns[c] = struct{}{}
	}
	return true
}

func (p *cutProxy) untrack(conns ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range conns {
		_ = c.Close()
		delete(p.conns, c)
	}
}

// pipe copies both ways until the budget is spent or either side ends.
func (p *cutProxy) pipe(client, server net.Conn) {
	defer p.wg.Done()
	var cutting atomic.Bool
	done := make(chan struct{})
	go func() { // server to client, until cutting
		defer close(done)
		buf := make([]byte, 32<<10)
		for {
			n, err := server.Read(buf)
			if n > 0 && !cutting.Load() {
				if _, werr := client.Write(buf[:n]); werr != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	buf := make([]byte, 32<<10)
	var sent int64
	for {
		n, err := client.Read(buf)
		if n > 0 {
			if _, werr := server.Write(buf[:n]); werr != nil {
				break
			}
			sent += int64(n)
			if sent >= p.budget {
				cutting.Store(true)
				p.cuts.Add(1)
				time.Sleep(50 * time.Millisecond) // the server stores and answers; the answer is dropped
				break
			}
		}
		if err != nil { // EOF, a reset or the proxy closing: the pair ends
			break
		}
	}
	p.untrack(client, server)
	<-done
}

func (p *cutProxy) close() {
	p.mu.Lock()
	p.closed = true
	for c := range p.conns {
		_ = c.Close()
	}
	p.mu.Unlock()
	_ = p.ln.Close()
	p.wg.Wait()
}
