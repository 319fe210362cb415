package api

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// playgroundTestQuery stands in for the server's own default query.
const playgroundTestQuery = `query TraceHeadlineClaim {
  claim(id: "claim:us-negotiators-willing-to-support-western-force") {
    text
    chains { terminal hops { report { id } outlet { name } mode quote } origin { ... on Official { name anonymous } } }
  }
}`

var (
	// playgroundQueryBlock matches the page's default-query block.
	playgroundQueryBlock = regexp.MustCompile(`(?s)<script type="application/json" id="hearsay-default-query">(.*?)</script>`)
	// playgroundURLAttr matches every src and href attribute of the page.
	playgroundURLAttr = regexp.MustCompile(`(?i)\b(?:src|href)\s*=\s*["']?([^"'\s>]*)`)
)

// MustServePlayground serves playgroundHandler(defaultQuery) mounted at
// "/graphiql", "/playground" and "/playground/", as the server mounts it,
// and closes it at cleanup.
func MustServePlayground(tb testing.TB, defaultQuery string) *httptest.Server {
	tb.Helper()
	h, err := playgroundHandler(defaultQuery)
	if err != nil {
		tb.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/graphiql", h)
	mux.Handle("/playground", h)
	mux.Handle("/playground/", h)
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)
	return srv
}

// playgroundDo sends one request and returns the response with its body read.
func playgroundDo(tb testing.TB, method, url string, header http.Header) (*http.Response, string) {
	tb.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		tb.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp, string(body)
}

// playgroundPageQuery returns the default query decoded from page's block.
func playgroundPageQuery(tb testing.TB, page string) string {
	tb.Helper()
	m := playgroundQueryBlock.FindAllStringSubmatch(page, -1)
	if len(m) != 1 {
		tb.Fatalf("page has %d default-query blocks, want 1:\n%s", len(m), page)
	}
	var q string
	if err := json.Unmarshal([]byte(m[0][1]), &q); err != nil {
		tb.Fatalf("default-query block %q: %v", m[0][1], err)
	}
	return q
}

// playgroundAssetURLs returns every src and href of page.
func playgroundAssetURLs(page string) []string {
	var urls []string
	for _, m := range playgroundURLAttr.FindAllStringSubmatch(page, -1) {
		urls = append(urls, m[1])
	}
	return urls
}

func TestPlaygroundHandler_Page(t *testing.T) {
	// Ensure GET /graphiql serves the page with its CSP and the default query.
	t.Run("OK", func(t *testing.T) {
		srv := MustServePlayground(t, playgroundTestQuery)
		resp, page := playgroundDo(t, "GET", srv.URL+"/graphiql", nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status = %d, want 200", resp.StatusCode)
		}
		if got, want := resp.Header.Get("Content-Type"), "text/html; charset=utf-8"; got != want {
			t.Errorf("Content-Type = %q, want %q", got, want)
		}
		if got := resp.Header.Get("Content-Security-Policy"); got != playgroundCSP {
			t.Errorf("Content-Security-Policy = %q, want %q", got, playgroundCSP)
		}
		for _, directive := range []string{"default-src 'self'", "script-src 'self'", "connect-src 'self'"} {
			if !strings.Contains(resp.Header.Get("Content-Security-Policy"), directive+";") {
				t.Errorf("Content-Security-Policy lacks %q", directive)
			}
		}
		if strings.Contains(playgroundCSP, "unsafe-eval") || strings.Contains(playgroundCSP, "script-src 'self' 'unsafe-inline'") {
			t.Errorf("Content-Security-Policy allows inline or eval'd scripts: %q", playgroundCSP)
		}
		if got := playgroundPageQuery(t, page); got != playgroundTestQuery {
			t.Errorf("default query = %q, want %q", got, playgroundTestQuery)
		}
	})

	// Ensure HEAD /graphiql answers like GET /graphiql without a body.
	t.Run("Head", func(t *testing.T) {
		srv := MustServePlayground(t, playgroundTestQuery)
		resp, body := playgroundDo(t, "HEAD", srv.URL+"/graphiql", nil)
		if resp.StatusCode != http.StatusOK || body != "" {
			t.Fatalf("HEAD /graphiql = %d with %d bytes, want 200 with none", resp.StatusCode, len(body))
		}
		if got := resp.Header.Get("Content-Security-Policy"); got != playgroundCSP {
			t.Errorf("Content-Security-Policy = %q, want %q", got, playgroundCSP)
		}
	})

	// Ensure the page loads nothing from another origin and has no inline script.
	t.Run("SameOrigin", func(t *testing.T) {
		srv := MustServePlayground(t, playgroundTestQuery)
		_, page := playgroundDo(t, "GET", srv.URL+"/graphiql", nil)
		for _, s := range []string{"http://", "https://", "//cdn", "unpkg", "jsdelivr"} {
			if strings.Contains(page, s) {
				t.Errorf("page contains %q", s)
			}
		}
		urls := playgroundAssetURLs(page)
		if len(urls) != 5 {
			t.Errorf("page links %d assets, want 5: %q", len(urls), urls)
		}
		for _, u := range urls {
			if !strings.HasPrefix(u, "/playground/") {
				t.Errorf("page links %q, want a /playground/ path", u)
			}
		}
		// Every script but the JSON block has a src, so script-src 'self' holds.
		scripts := regexp.MustCompile(`<script[^>]*>`).FindAllString(page, -1)
		for _, s := range scripts {
			if !strings.Contains(s, ` src="/playground/`) && !strings.Contains(s, `type="application/json"`) {
				t.Errorf("page has an inline script: %s", s)
			}
		}
	})
}

func TestPlaygroundHandler_DefaultQuery(t *testing.T) {
	// Ensure no default query can end its block, open a comment or add markup.
	for _, q := range []string{
		playgroundTestQuery,
		`</script><script>alert(1)</script>`,
		`{ claim(id: "</SCRIPT >") { text } }`,
		`# <!-- <script>`,
		`<!-- --> ]]> "quoted" 'single' \back\slash & &amp;`,
		"line\u2028separator\u2029paragraph\x00nul",
		"",
	} {
		srv := MustServePlayground(t, q)
		_, page := playgroundDo(t, "GET", srv.URL+"/graphiql", nil)
		if got := playgroundPageQuery(t, page); got != q {
			t.Errorf("default query = %q, want %q", got, q)
		}
		block := playgroundQueryBlock.FindStringSubmatch(page)[1]
		if strings.ContainsAny(block, "<>&") {
			t.Errorf("default-query block %q holds a raw '<', '>' or '&'", block)
		}
		if got := strings.Count(strings.ToLower(page), "<script"); got != 5 {
			t.Errorf("query %q: page has %d <script tags, want 5", q, got)
		}
		if got := strings.Count(strings.ToLower(page), "</script"); got != 5 {
			t.Errorf("query %q: page has %d </script tags, want 5", q, got)
		}
	}
}

func TestPlaygroundHandler_Assets(t *testing.T) {
	// Ensure every asset the page links is served with its type, cached for a
	// year, and revalidated by its ETag.
	t.Run("OK", func(t *testing.T) {
		srv := MustServePlayground(t, playgroundTestQuery)
		_, page := playgroundDo(t, "GET", srv.URL+"/graphiql", nil)
		for _, u := range playgroundAssetURLs(page) {
			resp, body := playgroundDo(t, "GET", srv.URL+u, nil)
			if resp.StatusCode != http.StatusOK {
				t.Errorf("GET %s = %d, want 200", u, resp.StatusCode)
				continue
			}
			ct := resp.Header.Get("Content-Type")
			if ct != "text/javascript; charset=utf-8" && ct != "text/css; charset=utf-8" {
				t.Errorf("GET %s: Content-Type = %q, want JavaScript or CSS", u, ct)
			}
			if body == "" {
				t.Errorf("GET %s: empty body", u)
			}
			if got, want := resp.Header.Get("Cache-Control"), "public, max-age=31536000, immutable"; got != want {
				t.Errorf("GET %s: Cache-Control = %q, want %q", u, got, want)
			}
			if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("GET %s: X-Content-Type-Options = %q, want nosniff", u, got)
			}
			etag := resp.Header.Get("ETag")
			if etag == "" {
				t.Errorf("GET %s: no ETag", u)
				continue
			}
			resp, body = playgroundDo(t, "GET", srv.URL+u, http.Header{"If-None-Match": {etag}})
			if resp.StatusCode != http.StatusNotModified || body != "" {
				t.Errorf("GET %s If-None-Match %s = %d with %d bytes, want 304", u, etag, resp.StatusCode, len(body))
			}
		}
	})

	// Ensure an asset asked for without its current version is not cached blindly.
	t.Run("Unversioned", func(t *testing.T) {
		srv := MustServePlayground(t, playgroundTestQuery)
		for _, u := range []string{"/playground/graphiql.min.js", "/playground/graphiql.min.css?v=old"} {
			resp, body := playgroundDo(t, "GET", srv.URL+u, nil)
			if resp.StatusCode != http.StatusOK || body == "" {
				t.Fatalf("GET %s = %d with %d bytes, want 200 with a body", u, resp.StatusCode, len(body))
			}
			if got := resp.Header.Get("Cache-Control"); got != "no-cache" {
				t.Errorf("GET %s: Cache-Control = %q, want no-cache", u, got)
			}
		}
	})

	// Ensure a path that is neither the page nor an asset is not found.
	t.Run("ErrNotFound", func(t *testing.T) {
		srv := MustServePlayground(t, playgroundTestQuery)
		for _, u := range []string{
			"/playground/nope.js",
			"/playground/index.html",
			"/playground/README.md",
			"/playground/refresh.sh",
			"/playground/graphiql.min.js.map",
			"/playground/x/graphiql.min.js",
			"/graphiql/",
			"/graphiql/index.html",
			"/",
			"/index.html",
			"/favicon.ico",
		} {
			resp, _ := playgroundDo(t, "GET", srv.URL+u, nil)
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s = %d, want 404", u, resp.StatusCode)
			}
		}
	})

	// Ensure the old playground paths go on to /graphiql.
	t.Run("Redirect", func(t *testing.T) {
		srv := MustServePlayground(t, playgroundTestQuery)
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		for _, u := range []string{"/playground", "/playground/"} {
			resp, err := client.Get(srv.URL + u)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/graphiql" {
				t.Errorf("GET %s = %d to %q, want 301 to /graphiql", u, resp.StatusCode, resp.Header.Get("Location"))
			}
		}
	})

	// Ensure the page and the assets accept only GET and HEAD.
	t.Run("ErrMethodNotAllowed", func(t *testing.T) {
		srv := MustServePlayground(t, playgroundTestQuery)
		for _, u := range []string{"/graphiql", "/playground/graphiql.min.js"} {
			for _, method := range []string{"POST", "PUT", "DELETE"} {
				resp, _ := playgroundDo(t, method, srv.URL+u, nil)
				if resp.StatusCode != http.StatusMethodNotAllowed {
					t.Errorf("%s %s = %d, want 405", method, u, resp.StatusCode)
				}
			}
		}
	})
}
