package pshost

import (
	"strings"
	"sync"
	"unicode/utf8"
)

// tailBuffer keeps the last limit bytes written to it. It is safe for concurrent use.
type tailBuffer struct {
	mu        sync.Mutex
	limit     int
	buf       []byte
	truncated bool
}

func newTailBuffer(limit int) *tailBuffer {
	return &tailBuffer{limit: limit}
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := len(p)
	if len(p) >= t.limit {
		p = p[len(p)-t.limit:]
		t.buf = append(t.buf[:0], p...)
		t.truncated = true
		return n, nil
	}
	if over := len(t.buf) + len(p) - t.limit; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
		t.truncated = true
	}
	t.buf = append(t.buf, p...)
	return n, nil
}

// String returns the kept bytes, starting at a rune boundary, marked when older bytes were
// dropped.
func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.buf
	if t.truncated {
		for len(b) > 0 && !utf8.RuneStart(b[0]) {
			b = b[1:]
		}
		return "..." + strings.ToValidUTF8(string(b), "?")
	}
	return strings.ToValidUTF8(string(b), "?")
}
