package persisted

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// ApolloManifestFormat is the "format" value of an Apollo persisted query
// manifest.
const ApolloManifestFormat = "apollo-persisted-query-manifest"

// Document is one trusted operation document.
type Document struct {
	// ID is the id the manifest gives it (Codegen: its hash key; Apollo:
	// operations[].id).
	ID string
	// Name and Type (query, mutation, subscription) are what the manifest
	// says; Codegen manifests carry neither, and they are filled from the
	// parsed document.
	Name string
	Type string
	// Body is the document text, sent to the executor as is.
	Body string
	// SHA256 is the lowercase hex SHA-256 of Body: the hash Apollo clients
	// send in extensions.persistedQuery.sha256Hash.
	SHA256 string
	// Manifest names the manifest the document came from, for messages.
	Manifest string
}

// Manifest is a parsed manifest file.
type Manifest struct {
	// Source names the manifest in messages (a file path, or "bff-mobile
	// built-in").
	Source    string
	Documents []Document
}

// apolloManifest is Apollo's persisted query manifest, version 1.
type apolloManifest struct {
	Format     string `json:"format"`
	Version    int    `json:"version"`
	Operations []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
		Type string `json:"type"`
		Body string `json:"body"`
	} `json:"operations"`
}

// ParseManifest reads a manifest in either supported format: Apollo's
// persisted query manifest (an object with "format":
// "apollo-persisted-query-manifest", "version": 1 and "operations"), or
// GraphQL Code Generator's persisted-documents.json (an object mapping each
// id to its document text). source names the manifest in errors.
func ParseManifest(source string, data []byte) (*Manifest, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return nil, fmt.Errorf("persisted: manifest %s: not a JSON object", source)
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("persisted: manifest %s: %w", source, err)
	}
	m := &Manifest{Source: source}
	if _, ok := probe["format"]; ok {
		var am apolloManifest
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&am); err != nil {
			return nil, fmt.Errorf("persisted: manifest %s: %w", source, err)
		}
		if am.Format != ApolloManifestFormat {
			return nil, fmt.Errorf("persisted: manifest %s: format %q is not %q", source, am.Format, ApolloManifestFormat)
		}
		if am.Version != 1 {
			return nil, fmt.Errorf("persisted: manifest %s: version %d is not supported (only 1)", source, am.Version)
		}
		for i, op := range am.Operations {
			if op.ID == "" || op.Body == "" {
				return nil, fmt.Errorf("persisted: manifest %s: operations[%d] needs an id and a body", source, i)
			}
			m.Documents = append(m.Documents, Document{ID: op.ID, Name: op.Name, Type: op.Type, Body: op.Body, Manifest: source})
		}
		return m, nil
	}
	ids := make([]string, 0, len(probe))
	for id := range probe {
		ids = append(ids, id)
	}
	sort.Strings(ids) // deterministic messages and order
	for _, id := range ids {
		var body string
		if err := json.Unmarshal(probe[id], &body); err != nil {
			return nil, fmt.Errorf("persisted: manifest %s: the value of %q is not a document string", source, id)
		}
		if id == "" || body == "" {
			return nil, fmt.Errorf("persisted: manifest %s: empty id or document", source)
		}
		m.Documents = append(m.Documents, Document{ID: id, Body: body, Manifest: source})
	}
	return m, nil
}

// List is the trusted documents of one BFF, from every manifest it loads.
// It is read-only after NewList and safe for concurrent use.
type List struct {
	byID   map[string]*Document
	byHash map[string]*Document
	docs   []*Document
}

// NewList validates every document of manifests against schema and indexes
// them by id and by SHA-256. It fails, naming the manifest and the id, when
// a document does not parse or validate, has no operation, when an id that
// is written as a SHA-256 or SHA-1 hex digest (optionally prefixed
// "sha256:" or "sha1:") is not the digest of its body, or when two
// manifests give one id different bodies. A process should refuse to start
// on that error: a client built from such a manifest would fail at run
// time.
func NewList(schema *ast.Schema, manifests ...*Manifest) (*List, error) {
	if schema == nil {
		return nil, errors.New("persisted: NewList needs the schema")
	}
	l := &List{byID: map[string]*Document{}, byHash: map[string]*Document{}}
	var errs []error
	for _, m := range manifests {
		for i := range m.Documents {
			d := m.Documents[i]
			if err := d.check(schema); err != nil {
				errs = append(errs, err)
				continue
			}
			if prev, ok := l.byID[d.ID]; ok {
				if prev.Body != d.Body {
					errs = append(errs, fmt.Errorf("persisted: manifest %s: id %q has another document in manifest %s", d.Manifest, d.ID, prev.Manifest))
				}
				continue
			}
			doc := &d
			l.byID[d.ID] = doc
			if _, ok := l.byHash[d.SHA256]; !ok {
				l.byHash[d.SHA256] = doc
			}
			l.docs = append(l.docs, doc)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return l, nil
}

// check fills SHA256, Name and Type and validates the document.
func (d *Document) check(schema *ast.Schema) error {
	sum := sha256.Sum256([]byte(d.Body))
	d.SHA256 = hex.EncodeToString(sum[:])
	fail := func(format string, args ...any) error {
		return fmt.Errorf("persisted: manifest %s: document %q: %s", d.Manifest, d.ID, fmt.Sprintf(format, args...))
	}
	if err := checkID(d.ID, d.Body, d.SHA256); err != nil {
		return fail("%v", err)
	}
	doc, gerrs := gqlparser.LoadQueryWithRules(schema, d.Body, rules.NewDefaultRules())
	if len(gerrs) > 0 {
		return fail("does not validate against the schema: %s", gerrs[0].Message)
	}
	if len(doc.Operations) == 0 {
		return fail("has no operation")
	}
	if d.Name != "" || d.Type != "" {
		op := doc.Operations.ForName(d.Name)
		if op == nil {
			return fail("has no operation named %q", d.Name)
		}
		if d.Type != "" && string(op.Operation) != d.Type {
			return fail("operation %q is a %s, the manifest says %s", d.Name, op.Operation, d.Type)
		}
	}
	if d.Name == "" && len(doc.Operations) == 1 {
		d.Name = doc.Operations[0].Name
		d.Type = string(doc.Operations[0].Operation)
	}
	return nil
}

// checkID verifies an id that is written as a digest of the body.
func checkID(id, body, sha256Hex string) error {
	digest, algo := id, ""
	switch {
	case strings.HasPrefix(id, "sha256:"):
		digest, algo = id[len("sha256:"):], "sha256"
	case strings.HasPrefix(id, "sha1:"):
		digest, algo = id[len("sha1:"):], "sha1"
	case isHex(id) && len(id) == 64:
		algo = "sha256"
	case isHex(id) && len(id) == 40:
		algo = "sha1"
	}
	switch algo {
	case "sha256":
		if !strings.EqualFold(digest, sha256Hex) {
			return errors.New("the id is not the SHA-256 of the document")
		}
	case "sha1":
		// SHA-1 only checks that an id a client preset wrote matches its body.
		sum := sha1.Sum([]byte(body))
		if !strings.EqualFold(digest, hex.EncodeToString(sum[:])) {
			return errors.New("the id is not the SHA-1 of the document")
		}
	}
	return nil
}

func isHex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// ByID returns the document a request's documentId names: its manifest id,
// or "sha256:<hex>" of its body.
func (l *List) ByID(id string) (*Document, bool) {
	if l == nil {
		return nil, false
	}
	if d, ok := l.byID[id]; ok {
		return d, true
	}
	if h, ok := strings.CutPrefix(id, "sha256:"); ok {
		return l.ByHash(h)
	}
	return nil, false
}

// ByHash returns the document whose body has the SHA-256 hex digest h.
func (l *List) ByHash(h string) (*Document, bool) {
	if l == nil {
		return nil, false
	}
	d, ok := l.byHash[strings.ToLower(h)]
	return d, ok
}

// Len is the number of documents.
func (l *List) Len() int {
	if l == nil {
		return 0
	}
	return len(l.docs)
}

// Documents returns the documents in manifest order.
func (l *List) Documents() []*Document {
	if l == nil {
		return nil
	}
	return append([]*Document(nil), l.docs...)
}

// WriteApolloManifest encodes docs as an Apollo persisted query manifest
// (ids are the SHA-256 of each body, as Apollo's tools write them),
// indented, with a final newline: the format `make generate` commits.
func WriteApolloManifest(docs []Document) ([]byte, error) {
	am := apolloManifest{Format: ApolloManifestFormat, Version: 1}
	am.Operations = make([]struct {
		ID   string `json:"id"`
		Name string `json:"name"`
		Type string `json:"type"`
		Body string `json:"body"`
	}, len(docs))
	for i, d := range docs {
		sum := sha256.Sum256([]byte(d.Body))
		am.Operations[i].ID = hex.EncodeToString(sum[:])
		am.Operations[i].Name = d.Name
		am.Operations[i].Type = d.Type
		am.Operations[i].Body = d.Body
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(am); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
