package gatewaytest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
)

// Logs collects what a BFF logs in a test (every level, JSON), one record
// per line. Safe for concurrent use.
type Logs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write implements io.Writer.
func (l *Logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// Lines returns the records logged so far, each as raw JSON.
func (l *Logs) Lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(l.buf.Bytes()))
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// Records decodes every line with StrictJSON, failing t on a line that is
// not one JSON object or that repeats a key.
func (l *Logs) Records(t testing.TB) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range l.Lines() {
		rec, err := StrictJSON([]byte(line))
		if err != nil {
			t.Fatalf("log line: %v: %s", err, line)
		}
		out = append(out, rec)
	}
	return out
}

// AccessLines returns the access log records (message "request").
func (l *Logs) AccessLines(t testing.TB) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, r := range l.Records(t) {
		if r["msg"] == "request" {
			out = append(out, r)
		}
	}
	return out
}

// StrictJSON decodes one JSON object, failing on anything after it and on
// a key that appears twice in the same object (encoding/json would keep
// the last one silently, and so do most log pipelines).
func StrictJSON(data []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := checkValue(dec); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("data after the JSON value")
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, err
	}
	if out == nil {
		return nil, errors.New("not a JSON object")
	}
	return out, nil
}

// checkValue reads one JSON value token by token, rejecting duplicate
// object keys at any depth.
func checkValue(dec *json.Decoder) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		seen := map[string]bool{}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return err
			}
			key := k.(string)
			if seen[key] {
				return fmt.Errorf("duplicate key %q", key)
			}
			seen[key] = true
			if err := checkValue(dec); err != nil {
				return err
			}
		}
		_, err = dec.Token() // '}'
		return err
	case json.Delim('['):
		for dec.More() {
			if err := checkValue(dec); err != nil {
				return err
			}
		}
		_, err = dec.Token() // ']'
		return err
	}
	return nil
}

// secrets are the strings an Env's requests carried that no log line may
// hold: bearer tokens, query texts and variable values.
type secrets struct {
	mu   sync.Mutex
	list map[string]string // value -> what it is
}

// minSecretLen keeps short values ("1", "en") out of the check, where they
// would match by chance inside timestamps or other words.
const minSecretLen = 6

func (s *secrets) add(what, v string) {
	v = strings.TrimSpace(v)
	if len(v) < minSecretLen {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.list == nil {
		s.list = map[string]string{}
	}
	s.list[v] = what
}

// addVars adds every string value in vars, at any depth.
func (s *secrets) addVars(v any) {
	switch x := v.(type) {
	case string:
		s.add("a variable value", x)
	case map[string]any:
		for _, e := range x {
			s.addVars(e)
		}
	case []any:
		for _, e := range x {
			s.addVars(e)
		}
	}
}

// addAuthorization adds the credential of an Authorization header value.
func (s *secrets) addAuthorization(h string) {
	if _, cred, ok := strings.Cut(h, " "); ok {
		s.add("a credential", strings.TrimSpace(cred))
	}
	s.add("an Authorization header", h)
}

// check fails t when a log line holds a secret, or is not strict JSON.
func (s *secrets) check(t testing.TB, logs *Logs) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, line := range logs.Lines() {
		if _, err := StrictJSON([]byte(line)); err != nil {
			t.Errorf("log line is not strict JSON: %v: %s", err, line)
		}
		for v, what := range s.list {
			if strings.Contains(line, v) || strings.Contains(line, jsonEscaped(v)) {
				t.Errorf("a log line holds %s (%.40q): %s", what, v, line)
			}
		}
	}
}

// jsonEscaped is v as it appears inside a JSON string.
func jsonEscaped(v string) string {
	b, _ := json.Marshal(v)
	return string(b[1 : len(b)-1])
}
