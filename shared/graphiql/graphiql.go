package graphiql

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"sort"
	"strings"
)

//go:embed assets/*.js assets/*.css assets/LICENSES.txt
var assets embed.FS

// AssetPrefix is the path under which the assets are served.
const AssetPrefix = "/graphiql/"

var page = template.Must(template.New("graphiql").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<link rel="stylesheet" href="{{.CSS}}">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql">Loading…</div>
{{range .Scripts}}<script src="{{.}}"></script>
{{end}}<script>
  const fetcher = GraphiQL.createFetcher({ url: {{.Endpoint}} });
  ReactDOM.createRoot(document.getElementById('graphiql'))
    .render(React.createElement(GraphiQL, { fetcher, defaultEditorToolsVisibility: true }));
</script>
</body>
</html>
`))

// Handler serves the GraphiQL page for the GraphQL endpoint (e.g.
// "/graphql") at any path it is mounted on, and its assets under
// AssetPrefix; mount it at "/{$}" and AssetPrefix. Assets have versioned
// names and are cached for a year; the page is not cached.
func Handler(title, endpoint string) (http.Handler, error) {
	names, err := fs.Glob(assets, "assets/*")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var css string
	var scripts []string
	for _, order := range []string{"react-1", "react-dom-", "graphiql-"} {
		for _, n := range names {
			base := path.Base(n)
			if !strings.HasPrefix(base, order) {
				continue
			}
			switch {
			case strings.HasSuffix(base, ".js"):
				scripts = append(scripts, AssetPrefix+base)
			case strings.HasSuffix(base, ".css"):
				css = AssetPrefix + base
			}
		}
	}
	var buf bytes.Buffer
	if err := page.Execute(&buf, struct {
		Title, Endpoint, CSS string
		Scripts              []string
	}{title, endpoint, css, scripts}); err != nil {
		return nil, err
	}
	html := buf.Bytes()
	sub, err := fs.Sub(assets, "assets")
	if err != nil {
		return nil, err
	}
	files := http.StripPrefix(AssetPrefix, http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		if strings.HasPrefix(r.URL.Path, AssetPrefix) {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
			files.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(html)
	}), nil
}
