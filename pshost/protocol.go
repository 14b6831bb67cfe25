package pshost

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// The wire protocol. Every line on stdin and stdout is ASCII.
//
// Go -> PowerShell (stdin), one line each:
//  1. base64(UTF-8 of bootstrap.ps1), read and run by the stage-1 command (-EncodedCommand);
//  2. base64(UTF-8 JSON initMessage);
//  3. then one base64(UTF-8 JSON request) per command.
//
// PowerShell -> Go (stdout): "<nonce> <id> <base64(UTF-8 JSON)>". Id 0 is the ready frame,
// any other id the reply to the request with that id. A line that does not start with the
// nonce is stray console output and is never parsed.

// initMessage configures a fresh PowerShell process.
type initMessage struct {
	Nonce       string   `json:"nonce"`
	Modules     []string `json:"modules"`
	Allowed     []string `json:"allowed"`
	OutputDepth int      `json:"depth"`
	StopGraceMs int64    `json:"stopGraceMs"`
	MaxReply    int      `json:"maxReply"`
}

// request asks the bootstrap to run one command.
type request struct {
	ID         uint64      `json:"id"`
	Command    string      `json:"command"`
	Parameters []wireParam `json:"parameters"`
	TimeoutMs  int64       `json:"timeoutMs"`
	Select     []string    `json:"select,omitempty"`
	Depth      int         `json:"depth,omitempty"`
}

type wireParam struct {
	N string    `json:"n"`
	V wireValue `json:"v"`
}

// readyMessage is the payload of frame 0.
type readyMessage struct {
	Type      string         `json:"type"`
	PSVersion string         `json:"psVersion"`
	Edition   string         `json:"edition"`
	PID       int            `json:"pid"`
	Is64Bit   bool           `json:"is64Bit"`
	Imports   []importResult `json:"imports"`
}

type importResult struct {
	Module  string       `json:"module"`
	OK      bool         `json:"ok"`
	Name    string       `json:"name"`
	Version string       `json:"version"`
	Path    string       `json:"path"`
	Error   *ErrorRecord `json:"error"`
}

// replyMeta is everything in a reply but the output objects.
type replyMeta struct {
	ID          uint64        `json:"id"`
	TimedOut    bool          `json:"timedOut"`
	HadErrors   bool          `json:"hadErrors"`
	DurationUs  int64         `json:"durationUs"`
	Errors      []ErrorRecord `json:"errors"`
	Warnings    []string      `json:"warnings"`
	Verbose     []string      `json:"verbose"`
	Debug       []string      `json:"debug"`
	Information []string      `json:"information"`
	Fatal       string        `json:"fatal"`
	PID         int           `json:"pid"`
}

// reply is a decoded reply payload: {"meta":{...},"output":[...]}.
type reply struct {
	Meta   replyMeta         `json:"meta"`
	Output []json.RawMessage `json:"output"`
}

// frame is one protocol line from stdout.
type frame struct {
	id      uint64
	payload []byte // decoded JSON
	err     error  // the line carried our nonce but was malformed or too long
}

var errNotFrame = errors.New("not a protocol frame")

// parseFrame parses one stdout line (without its line ending). It returns errNotFrame for a
// line that does not start with nonce and a space (stray output), and another error for a
// line that does but is malformed.
func parseFrame(line []byte, nonce string) (frame, error) {
	line = bytes.TrimRight(line, "\r\n")
	// A console writer on Windows may put a UTF-8 byte order mark before the first line.
	line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
	if len(nonce) == 0 || len(line) <= len(nonce) || string(line[:len(nonce)]) != nonce || line[len(nonce)] != ' ' {
		return frame{}, errNotFrame
	}
	rest := line[len(nonce)+1:]
	sp := bytes.IndexByte(rest, ' ')
	if sp <= 0 {
		return frame{}, errors.New("frame has no id")
	}
	id, err := strconv.ParseUint(string(rest[:sp]), 10, 64)
	if err != nil {
		return frame{}, fmt.Errorf("frame id: %w", err)
	}
	enc := rest[sp+1:]
	payload := make([]byte, base64.StdEncoding.DecodedLen(len(enc)))
	n, err := base64.StdEncoding.Decode(payload, enc)
	if err != nil {
		return frame{id: id}, fmt.Errorf("frame %d payload: %w", id, err)
	}
	return frame{id: id, payload: payload[:n]}, nil
}

// decodeReply decodes and checks a reply payload for request id.
func decodeReply(payload []byte, id uint64) (*reply, error) {
	var r reply
	if err := json.Unmarshal(payload, &r); err != nil {
		return nil, fmt.Errorf("decode reply %d: %w", id, err)
	}
	if r.Meta.ID != id {
		return nil, fmt.Errorf("decode reply %d: payload is for request %d", id, r.Meta.ID)
	}
	if r.Meta.DurationUs < 0 {
		return nil, fmt.Errorf("decode reply %d: negative duration", id)
	}
	return &r, nil
}

// result converts a decoded reply to a Result.
func (r *reply) result() *Result {
	out := r.Output
	if out == nil {
		out = []json.RawMessage{}
	}
	res := &Result{
		Output:      out,
		Errors:      r.Meta.Errors,
		Warnings:    r.Meta.Warnings,
		Verbose:     r.Meta.Verbose,
		Debug:       r.Meta.Debug,
		Information: r.Meta.Information,
		HadErrors:   r.Meta.HadErrors || len(r.Meta.Errors) > 0,
		TimedOut:    r.Meta.TimedOut,
		Duration:    time.Duration(r.Meta.DurationUs) * time.Microsecond,
		PID:         r.Meta.PID,
	}
	return res
}

// decodeReady decodes the payload of frame 0.
func decodeReady(payload []byte) (*readyMessage, error) {
	var m readyMessage
	if err := json.Unmarshal(payload, &m); err != nil {
		return nil, fmt.Errorf("decode ready message: %w", err)
	}
	if m.Type != "ready" {
		return nil, fmt.Errorf("decode ready message: type %q, want \"ready\"", m.Type)
	}
	return &m, nil
}
