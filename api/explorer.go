package api

import (
	"embed"
	"net/http"
	"net/url"
)

// explorerFS holds the chain explorer, the page a person lands on at "/":
// its template and the bundle that explorer/build.sh makes from
// explorer/src with the npm packages pinned by explorer/package-lock.json.
// dist/ is committed, so go build needs no node; TestExplorerBundle_Sums
// checks it against explorer/SHA256SUMS.
//
//go:embed explorer/index.html
//go:embed explorer/dist/explorer.js explorer/dist/explorer.css explorer/dist/LICENSES.txt
var explorerFS embed.FS

// explorerAssetNames are the files of explorerFS served under /explorer/.
var explorerAssetNames = []string{"explorer.css", "explorer.js", "LICENSES.txt"}

// explorerCSP is the explorer's Content-Security-Policy: nothing inline,
// nothing from another origin. Its styles are a file too, and its SVG
// picture sets no inline style, so unlike the playground's it needs no
// 'unsafe-inline'. connect-src 'self' covers /graphql, the live
// subscription's event stream included.
const explorerCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// explorerRoutes are the page's own paths, each served the same page; its
// script reads the path (the history API keeps it in step).
var explorerRoutes = []string{"GET /{$}", "GET /claims/{id...}", "GET /outlets/{id...}", "GET /officials/{id...}", "GET /review"}

// graphiQLParams are the query parameters of GraphiQL's old links to "/"
// (when it was the page there): such a link goes on to /graphiql.
var graphiQLParams = []string{"query", "variables", "operationName", "headers"}

// explorerHandler returns the handler of the explorer's page and assets, to
// be mounted at "/". It serves GET and HEAD of "/", /claims/<id>,
// /outlets/<id>, /officials/<id> and /review as the page, and its
// files under /explorer/NAME?v=VERSION, cached as the playground's are.
// "/" with GraphiQL's query parameters redirects to /graphiql with them.
// Any other path is 404; any other method on those paths is 405.
func explorerHandler() (http.Handler, error) {
	pg, err := newEmbeddedPage(explorerFS, "explorer", "explorer/index.html", "explorer/dist/", "/explorer/", explorerCSP, explorerAssetNames, nil)
	if err != nil {
		return nil, err
	}
	servePage := func(w http.ResponseWriter, r *http.Request) {
		if r.Pattern != "GET /{$}" && r.Pattern != "GET /review" && r.PathValue("id") == "" {
			http.NotFound(w, r) // /claims/ with no ID
			return
		}
		if r.URL.Path == "/" && hasAnyParam(r.URL.Query(), graphiQLParams) {
			http.Redirect(w, r, "/graphiql?"+r.URL.RawQuery, http.StatusMovedPermanently)
			return
		}
		pg.servePage(w, r)
	}
	mux := http.NewServeMux()
	for _, pattern := range explorerRoutes {
		mux.HandleFunc(pattern, servePage)
	}
	mux.HandleFunc("GET /explorer/{name}", pg.serveAsset)
	return mux, nil
}

// hasAnyParam reports whether q holds any of names.
func hasAnyParam(q url.Values, names []string) bool {
	for _, n := range names {
		if q.Has(n) {
			return true
		}
	}
	return false
}
