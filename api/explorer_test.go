package api

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
)

// MustServeExplorer serves explorerHandler mounted at "/", as the server
// mounts it, and closes it at cleanup.
func MustServeExplorer(tb testing.TB) *httptest.Server {
	tb.Helper()
	h, err := explorerHandler()
	if err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	return srv
}

// explorerPagePaths are paths the explorer's page is served at.
var explorerPagePaths = []string{
	"/",
	"/claims/claim:us-negotiators-willing-to-support-western-force",
	"/claims/claim%3Aescaped",
	"/outlets/outlet:telegraph",
	"/officials/official:us-negotiators-unnamed",
	"/review",
}

func TestExplorerHandler_Page(t *testing.T) {
	// Ensure every route of the page serves it with its strict CSP.
	t.Run("OK", func(t *testing.T) {
		srv := MustServeExplorer(t)
		for _, p := range explorerPagePaths {
			resp, page := playgroundDo(t, "GET", srv.URL+p, nil)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s = %d, want 200", p, resp.StatusCode)
			}
			if got, want := resp.Header.Get("Content-Type"), "text/html; charset=utf-8"; got != want {
				t.Errorf("GET %s: Content-Type = %q, want %q", p, got, want)
			}
			csp := resp.Header.Get("Content-Security-Policy")
			if csp != explorerCSP {
				t.Errorf("GET %s: Content-Security-Policy = %q, want %q", p, csp, explorerCSP)
			}
			if !strings.Contains(page, `id="main"`) {
				t.Errorf("GET %s: not the explorer's page:\n%s", p, page)
			}
		}
	})

	// Ensure the policy allows nothing inline, nothing eval'd, nothing from
	// another origin.
	t.Run("CSP", func(t *testing.T) {
		for _, d := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
			"object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"} {
			if !strings.Contains(explorerCSP+";", d+";") {
				t.Errorf("Content-Security-Policy lacks %q: %q", d, explorerCSP)
			}
		}
		for _, bad := range []string{"unsafe-inline", "unsafe-eval", "http:", "https:", "*"} {
			if strings.Contains(explorerCSP, bad) {
				t.Errorf("Content-Security-Policy allows %q: %q", bad, explorerCSP)
			}
		}
	})

	// Ensure the page loads nothing from another origin and has no inline
	// script or style.
	t.Run("SameOrigin", func(t *testing.T) {
		srv := MustServeExplorer(t)
		_, page := playgroundDo(t, "GET", srv.URL+"/", nil)
		for _, s := range []string{"http://", "https://", "//cdn", "<style", "style=", "onclick", "onload"} {
			if strings.Contains(page, s) {
				t.Errorf("page contains %q", s)
			}
		}
		var assets []string
		for _, u := range playgroundAssetURLs(page) {
			switch {
			case strings.HasPrefix(u, "/explorer/"):
				assets = append(assets, u)
			case u == "data:," || u == "#main" || u == "/" || u == "/review" || u == "/graphiql":
			default:
				t.Errorf("page links %q", u)
			}
		}
		if len(assets) != 2 {
			t.Errorf("page links %d assets, want 2 (script, stylesheet): %q", len(assets), assets)
		}
		scripts := regexp.MustCompile(`(?s)<script([^>]*)>(.*?)</script>`).FindAllStringSubmatch(page, -1)
		if len(scripts) != 1 {
			t.Errorf("page has %d scripts, want 1", len(scripts))
		}
		for _, s := range scripts {
			if !strings.Contains(s[1], ` src="/explorer/explorer.js?v=`) || strings.TrimSpace(s[2]) != "" {
				t.Errorf("page has an inline script: %s", s[0])
			}
		}
	})

	// Ensure GraphiQL's old links to "/", which carried its query in the
	// URL, go on to /graphiql with their parameters.
	t.Run("RedirectGraphiQL", func(t *testing.T) {
		srv := MustServeExplorer(t)
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		for _, q := range []string{"query=%7B+claims+%7B+totalCount+%7D+%7D", "operationName=X&variables=%7B%7D", "variables="} {
			resp, err := client.Get(srv.URL + "/?" + q)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if want := "/graphiql?" + q; resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != want {
				t.Errorf("GET /?%s = %d to %q, want 301 to %q", q, resp.StatusCode, resp.Header.Get("Location"), want)
			}
		}
		// Other parameters stay on the explorer.
		resp, _ := playgroundDo(t, "GET", srv.URL+"/?utm=x", nil)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET /?utm=x = %d, want 200", resp.StatusCode)
		}
	})
}

func TestExplorerHandler_Assets(t *testing.T) {
	// Ensure the assets the page links are served with their types and
	// cached for a year by version, revalidated by ETag.
	t.Run("OK", func(t *testing.T) {
		srv := MustServeExplorer(t)
		_, page := playgroundDo(t, "GET", srv.URL+"/", nil)
		n := 0
		for _, u := range playgroundAssetURLs(page) {
			if !strings.HasPrefix(u, "/explorer/") {
				continue
			}
			n++
			resp, body := playgroundDo(t, "GET", srv.URL+u, nil)
			if resp.StatusCode != http.StatusOK || body == "" {
				t.Fatalf("GET %s = %d with %d bytes", u, resp.StatusCode, len(body))
			}
			if ct := resp.Header.Get("Content-Type"); ct != "text/javascript; charset=utf-8" && ct != "text/css; charset=utf-8" {
				t.Errorf("GET %s: Content-Type = %q", u, ct)
			}
			if got, want := resp.Header.Get("Cache-Control"), "public, max-age=31536000, immutable"; got != want {
				t.Errorf("GET %s: Cache-Control = %q, want %q", u, got, want)
			}
			etag := resp.Header.Get("ETag")
			resp, body = playgroundDo(t, "GET", srv.URL+u, http.Header{"If-None-Match": {etag}})
			if resp.StatusCode != http.StatusNotModified || body != "" {
				t.Errorf("GET %s If-None-Match %s = %d, want 304", u, etag, resp.StatusCode)
			}
		}
		if n != 2 {
			t.Errorf("checked %d assets, want 2", n)
		}
		resp, _ := playgroundDo(t, "GET", srv.URL+"/explorer/explorer.js", nil)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-cache" {
			t.Errorf("GET unversioned explorer.js = %d, Cache-Control %q; want 200, no-cache", resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
	})

	// Ensure nothing but the page and its assets is served: not the
	// sources, the build script, the test's axe-core or the lockfile.
	t.Run("ErrNotFound", func(t *testing.T) {
		srv := MustServeExplorer(t)
		for _, u := range []string{
			"/explorer/", "/explorer/index.html", "/explorer/src/main.ts", "/explorer/build.sh",
			"/explorer/package-lock.json", "/explorer/axe.min.js", "/explorer/testdata/axe.min.js",
			"/explorer/dist/explorer.js", "/explorer/explorer.js.map", "/claims/", "/claims", "/favicon.ico",
			"/index.html", "/review/x",
		} {
			resp, _ := playgroundDo(t, "GET", srv.URL+u, nil)
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s = %d, want 404", u, resp.StatusCode)
			}
		}
	})

	// Ensure the page and the assets accept only GET and HEAD.
	t.Run("ErrMethodNotAllowed", func(t *testing.T) {
		srv := MustServeExplorer(t)
		for _, u := range []string{"/", "/claims/claim:x", "/review", "/explorer/explorer.js"} {
			for _, method := range []string{"POST", "PUT", "DELETE"} {
				resp, _ := playgroundDo(t, method, srv.URL+u, nil)
				if resp.StatusCode != http.StatusMethodNotAllowed {
					t.Errorf("%s %s = %d, want 405", method, u, resp.StatusCode)
				}
			}
		}
		resp, body := playgroundDo(t, "HEAD", srv.URL+"/claims/claim:x", nil)
		if resp.StatusCode != http.StatusOK || body != "" {
			t.Errorf("HEAD /claims/claim:x = %d with %d bytes, want 200 with none", resp.StatusCode, len(body))
		}
	})
}

func TestExplorerBundle_Sums(t *testing.T) {
	// Ensure the committed bundle (and the test's axe-core) is what
	// explorer/build.sh wrote: each file matches explorer/SHA256SUMS, and
	// every embedded asset is listed.
	f, err := os.Open("explorer/SHA256SUMS")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	listed := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok || len(sum) != 64 {
			t.Fatalf("SHA256SUMS: bad line %q", sc.Text())
		}
		body, err := os.ReadFile("explorer/" + name)
		if err != nil {
			t.Fatal(err)
		}
		got := sha256.Sum256(body)
		if hex.EncodeToString(got[:]) != sum {
			t.Errorf("explorer/%s does not match SHA256SUMS: rebuild it with bash api/explorer/build.sh", name)
		}
		listed[name] = true
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for _, name := range explorerAssetNames {
		if !listed["dist/"+name] {
			t.Errorf("SHA256SUMS does not list dist/%s", name)
		}
		embedded, err := explorerFS.ReadFile("explorer/dist/" + name)
		if err != nil {
			t.Fatal(err)
		}
		onDisk, err := os.ReadFile("explorer/dist/" + name)
		if err != nil || !bytes.Equal(embedded, onDisk) {
			t.Errorf("embedded dist/%s differs from the file (%v)", name, err)
		}
	}
	if !listed["testdata/axe.min.js"] {
		t.Errorf("SHA256SUMS does not list testdata/axe.min.js")
	}
}

func TestExplorerScreenshot(t *testing.T) {
	// Ensure the README's screenshot is a PNG of the page at desktop width
	// (TestExplorer_Browser rewrites it with HEARSAY_UPDATE_SCREENSHOT=1).
	f, err := os.Open("explorer/screenshot.png")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil {
		t.Fatalf("explorer/screenshot.png: %v", err)
	}
	if cfg.Width < 1200 || cfg.Width > 1280 || cfg.Height < 600 {
		t.Errorf("explorer/screenshot.png is %d×%d, want a 1280 px wide page", cfg.Width, cfg.Height)
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(readme, []byte("api/explorer/screenshot.png")) {
		t.Errorf("README.md does not show api/explorer/screenshot.png")
	}
}
