package api

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"net/http"
	"path"
	"time"
)

// playgroundFS holds the GraphiQL page: its template, its bootstrap script and
// the built UMD files of GraphiQL, React and ReactDOM, copied from their npm
// packages by playground/refresh.sh, so the page works with no internet.
//
//go:embed playground/index.html
//go:embed playground/playground.js
//go:embed playground/graphiql.min.js playground/graphiql.min.css
//go:embed playground/react.production.min.js playground/react-dom.production.min.js
var playgroundFS embed.FS

// playgroundAssetNames are the files of playgroundFS served under /playground/.
var playgroundAssetNames = []string{
	"graphiql.min.css",
	"graphiql.min.js",
	"playground.js",
	"react-dom.production.min.js",
	"react.production.min.js",
}

// playgroundCSP is the page's Content-Security-Policy. Scripts come only from
// the server; GraphiQL's components set inline styles and its stylesheet
// embeds its fonts as data: URLs.
const playgroundCSP = "default-src 'self'; script-src 'self'; " +
	"style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; " +
	"frame-ancestors 'none'"

// playgroundAsset is one file served under /playground/.
type playgroundAsset struct {
	body        []byte
	contentType string
	version     string // first 16 hex digits of the body's SHA-256
}

// playgroundHandler returns the handler of the GraphiQL playground, to be
// mounted at "/graphiql" and "/playground". It serves GET and HEAD of
// /graphiql as the page,
// with defaultQuery in GraphiQL's first tab, and the page's scripts and
// stylesheets under /playground/. /playground and /playground/, where old
// links may point, redirect to /graphiql. Any other path is 404; any other
// method on those paths is 405.
//
// The page links each asset as /playground/NAME?v=VERSION, VERSION being a
// hash of its content: such a request is cached for a year, while one without
// the current version is served with no-cache and an ETag, so a new binary's
// assets replace the old ones at once.
func playgroundHandler(defaultQuery string) (http.Handler, error) {
	// html/template writes the default query into the page's
	// <script type="application/json"> block as a JSON string whose '<', '>'
	// and '&' are \u escapes, so no query can close the block or open a comment.
	pg, err := newEmbeddedPage(playgroundFS, "playground", "playground/index.html", "playground/", "/playground/", playgroundCSP,
		playgroundAssetNames, struct{ DefaultQuery string }{defaultQuery})
	if err != nil {
		return nil, err
	}
	// A GET pattern matches HEAD too; the mux answers 405 to other methods
	// on these paths and 404 to any other path.
	mux := http.NewServeMux()
	mux.Handle("GET /playground", http.RedirectHandler("/graphiql", http.StatusMovedPermanently))
	mux.Handle("GET /playground/{$}", http.RedirectHandler("/graphiql", http.StatusMovedPermanently))
	mux.HandleFunc("GET /graphiql", pg.servePage)
	mux.HandleFunc("GET /playground/{name}", pg.serveAsset)
	return mux, nil
}

// embeddedPage is a page rendered once from an embedded template, with the
// files it links, each as PREFIX NAME?v=VERSION (the template's asset
// function), VERSION a hash of its content.
type embeddedPage struct {
	body   []byte
	etag   string
	csp    string
	assets map[string]playgroundAsset
}

// newEmbeddedPage reads the assets names from dir in fsys and renders the
// template at page with data; what names the page in errors.
func newEmbeddedPage(fsys embed.FS, what, page, dir, prefix, csp string, names []string, data any) (*embeddedPage, error) {
	assets := make(map[string]playgroundAsset, len(names))
	for _, name := range names {
		body, err := fsys.ReadFile(dir + name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		var contentType string
		switch path.Ext(name) {
		case ".js":
			contentType = "text/javascript; charset=utf-8"
		case ".css":
			contentType = "text/css; charset=utf-8"
		case ".txt":
			contentType = "text/plain; charset=utf-8"
		default:
			return nil, fmt.Errorf("%s: no content type for %q", what, name)
		}
		assets[name] = playgroundAsset{body: body, contentType: contentType, version: playgroundVersion(body)}
	}
	tmpl, err := template.New("index.html").Funcs(template.FuncMap{
		"asset": func(name string) (string, error) {
			a, ok := assets[name]
			if !ok {
				return "", fmt.Errorf("no asset %q", name)
			}
			return prefix + name + "?v=" + a.version, nil
		},
	}).ParseFS(fsys, page)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	var body bytes.Buffer
	if err := tmpl.Execute(&body, data); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return &embeddedPage{body: body.Bytes(), etag: `"` + playgroundVersion(body.Bytes()) + `"`, csp: csp, assets: assets}, nil
}

// servePage serves the page, revalidated on every load.
func (p *embeddedPage) servePage(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", p.csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", p.etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(p.body))
}

// serveAsset serves the asset {name}: for a year when asked with its
// current version, else with no-cache and an ETag.
func (p *embeddedPage) serveAsset(w http.ResponseWriter, r *http.Request) {
	a, ok := p.assets[r.PathValue("name")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("ETag", `"`+a.version+`"`)
	if r.URL.Query().Get("v") == a.version {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
}

// playgroundVersion returns the first 16 hex digits of body's SHA-256.
func playgroundVersion(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:8])
}
