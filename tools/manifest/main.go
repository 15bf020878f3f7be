// Command manifest writes a trusted documents manifest (Apollo's persisted
// query manifest format, the one Apollo iOS, Apollo Kotlin and
// @apollo/generate-persisted-query-manifest write) from a folder of
// .graphql operation files, after validating every operation against the
// BFF's schema. `make generate` runs it for bff-mobile's published
// operations:
//
//	go run ./tools/manifest -schema 'schema/graphql/common/*.graphqls' \
//	    -schema 'schema/graphql/mobile/*.graphqls' \
//	    -operations bff-mobile/operations -out bff-mobile/operations/manifest.json
//
// Each file holds one operation and the fragments it uses. The body written
// is the document in canonical form (gqlparser's formatter: no comments,
// fixed indentation), and its id is the SHA-256 of that body, which is the
// hash a client sends as extensions.persistedQuery.sha256Hash or as
// documentId. The output is deterministic (files in name order), so
// `make checkgenerate` catches a manifest that no longer matches its
// operations.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"github.com/vektah/gqlparser/v2/validator/rules"

	"github.com/tandemgw/tandem/shared/persisted"
)

type globs []string

func (g *globs) String() string     { return strings.Join(*g, ",") }
func (g *globs) Set(s string) error { *g = append(*g, s); return nil }

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "manifest:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("manifest", flag.ContinueOnError)
	var schemaGlobs globs
	fs.Var(&schemaGlobs, "schema", "glob of schema files (.graphqls); repeatable")
	ops := fs.String("operations", "", "folder of .graphql operation files")
	out := fs.String("out", "", "manifest file to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if len(schemaGlobs) == 0 || *ops == "" || *out == "" {
		return errors.New("-schema, -operations and -out are required")
	}
	schema, err := loadSchema(schemaGlobs)
	if err != nil {
		return err
	}
	docs, err := readOperations(schema, *ops)
	if err != nil {
		return err
	}
	data, err := persisted.WriteApolloManifest(docs)
	if err != nil {
		return err
	}
	// The BFF checks the manifest the same way at startup; check here too,
	// so a bad manifest never gets committed.
	m, err := persisted.ParseManifest(*out, data)
	if err != nil {
		return err
	}
	if _, err := persisted.NewList(schema, m); err != nil {
		return err
	}
	if old, err := os.ReadFile(*out); err == nil && bytes.Equal(old, data) {
		return nil
	}
	return os.WriteFile(*out, data, 0o644)
}

func loadSchema(patterns []string) (*ast.Schema, error) {
	var sources []*ast.Source
	for _, p := range patterns {
		files, err := filepath.Glob(p)
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("-schema %q matches no file", p)
		}
		sort.Strings(files)
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			sources = append(sources, &ast.Source{Name: f, Input: string(b)})
		}
	}
	return gqlparser.LoadSchema(sources...)
}

// readOperations parses, validates and formats every .graphql file of dir.
func readOperations(schema *ast.Schema, dir string) ([]persisted.Document, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.graphql"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no .graphql file in %s", dir)
	}
	sort.Strings(files)
	var docs []persisted.Document
	names := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		doc, gerrs := gqlparser.LoadQueryWithRules(schema, string(b), rules.NewDefaultRules())
		if len(gerrs) > 0 {
			return nil, fmt.Errorf("%s: %s", f, gerrs[0].Error())
		}
		if len(doc.Operations) != 1 {
			return nil, fmt.Errorf("%s: holds %d operations; put one operation (and its fragments) in each file", f, len(doc.Operations))
		}
		op := doc.Operations[0]
		if op.Name == "" {
			return nil, fmt.Errorf("%s: the operation needs a name", f)
		}
		if prev, ok := names[op.Name]; ok {
			return nil, fmt.Errorf("%s: operation %s is also in %s", f, op.Name, prev)
		}
		names[op.Name] = f
		var buf bytes.Buffer
		formatter.NewFormatter(&buf, formatter.WithIndent("  ")).FormatQueryDocument(doc)
		docs = append(docs, persisted.Document{
			Name: op.Name,
			Type: string(op.Operation),
			Body: strings.TrimSpace(buf.String()),
		})
	}
	return docs, nil
}
