package filecopy

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// Opener opens a source file for reading. Copy uses os.Open when Options.Open is nil;
// the benchmark and the lab set a NetShare to make a local folder behave like a
// network share (the code under test is not slowed: only the share side is).
type Opener func(path string) (io.ReadCloser, error)

// NetShare models a share reached over a network: each file opened waits Latency (the
// SMB round trips of an open), and every reader opened through it shares MBps
// (megabytes per second, 10^6 bytes), as copies over one WAN link do. Zero values mean
// no latency and no limit.
type NetShare struct {
	MBps    float64
	Latency time.Duration
	mu      sync.Mutex
	next    time.Time // when the link is free again
}

// ParseNetShare reads "mbps=<MB/s>,latency=<duration>" (either may be left out), the
// form of the PCFAILOVER_SHARE_SIM environment variable the lab sets.
func ParseNetShare(s string) (*NetShare, error) {
	n := &NetShare{}
	for _, kv := range strings.Split(s, ",") {
		kv = strings.TrimSpace(kv)
		if kv == "" {
			continue
		}
		k, v, ok := strings.Cut(kv, "=")
		var err error
		switch {
		case !ok:
			err = fmt.Errorf("%q is not key=value", kv)
		case k == "mbps":
			_, err = fmt.Sscanf(v, "%g", &n.MBps)
		case k == "latency":
			n.Latency, err = time.ParseDuration(v)
		default:
			err = fmt.Errorf("unknown key %q", k)
		}
		if err != nil || n.MBps < 0 || n.Latency < 0 {
			return nil, fmt.Errorf("share model %q: want mbps=<MB/s>,latency=<duration>: %v", s, err)
		}
	}
	return n, nil
}

// Open opens path after the share's latency.
func (n *NetShare) Open(path string) (io.ReadCloser, error) {
	if n.Latency > 0 {
		time.Sleep(n.Latency)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	return &netReader{f: f, n: n}, nil
}

type netReader struct {
	f *os.File
	n *NetShare
}

func (r *netReader) Read(p []byte) (int, error) {
	k, err := r.f.Read(p)
	r.n.transfer(k)
	return k, err
}

func (r *netReader) Close() error { return r.f.Close() }

// transfer waits until k bytes have crossed the shared link.
func (n *NetShare) transfer(k int) {
	if n.MBps <= 0 || k <= 0 {
		return
	}
	n.mu.Lock()
	now := time.Now()
	if n.next.Before(now) {
		n.next = now
	}
	n.next = n.next.Add(time.Duration(float64(k) / (n.MBps * 1e6) * float64(time.Second)))
	wait := n.next.Sub(now)
	n.mu.Unlock()
	time.Sleep(wait)
}
