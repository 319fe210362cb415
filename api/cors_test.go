package api_test

import (
	"net/http"
	"strings"
	"testing"

	"hearsay/api"
	"hearsay/store/storetest"
)

// corsRequest sends a request to /graphql from a page of origin ("" sends
// no Origin header). A preflight is an OPTIONS asking for a POST with the
// token.
func corsRequest(t *testing.T, s *Server, origin string, preflight bool) *Response {
	t.Helper()
	var hr *http.Request
	if preflight {
		hr = mustRequest(t, http.MethodOptions, s.URL+"/graphql", nil)
		hr.Header.Set("Access-Control-Request-Method", "POST")
		hr.Header.Set("Access-Control-Request-Headers", "authorization,content-type")
	} else {
		hr = mustRequest(t, http.MethodPost, s.URL+"/graphql", strings.NewReader(`{"query":"{ claims { totalCount } }"}`))
		hr.Header.Set("Content-Type", "application/json")
	}
	if origin != "" {
		hr.Header.Set("Origin", origin)
	}
	return s.Do(t, hr)
}

// corsHeaders lists the response's Access-Control-* headers.
func corsHeaders(h http.Header) []string {
	var out []string
	for k := range h {
		if strings.HasPrefix(k, "Access-Control-") {
			out = append(out, k)
		}
	}
	return out
}

// varies reports whether the Vary header names field.
func varies(h http.Header, field string) bool {
	for _, v := range h.Values("Vary") {
		for _, f := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), field) {
				return true
			}
		}
	}
	return false
}

func TestCORS_OffByDefault(t *testing.T) {
	s := MustServer(t)
	for _, preflight := range []bool{false, true} {
		// Ensure without --cors-origin no answer carries a CORS header or
		// varies by Origin, and a preflight is not approved.
		r := corsRequest(t, s, "https://factcheck.example", preflight)
		if h := corsHeaders(r.Header); len(h) > 0 || varies(r.Header, "Origin") {
			t.Errorf("preflight %v: CORS headers %v, Vary %q; want none", preflight, h, r.Header.Values("Vary"))
		}
		if preflight && r.Status != http.StatusMethodNotAllowed {
			t.Errorf("preflight: status %d, want 405", r.Status)
		}
		if !preflight && r.Status != http.StatusOK {
			t.Errorf("status %d, want 200", r.Status)
		}
	}
}

func TestCORS_AllowList(t *testing.T) {
	s := MustServer(t, WithConfig(func(c *api.Config) {
		c.CORSOrigins = []string{"HTTPS://FactCheck.Example:443/", "http://localhost:3000"}
	}))
	t.Run("OK", func(t *testing.T) {
		// Ensure an allowed origin's request is answered with its origin
		// echoed, Vary: Origin and the exposed headers, without credentials.
		for _, origin := range []string{"https://factcheck.example", "http://localhost:3000"} {
			r := corsRequest(t, s, origin, false)
			r.MustData(t, nil)
			if got := r.Header.Get("Access-Control-Allow-Origin"); got != origin {
				t.Errorf("%s: Access-Control-Allow-Origin %q", origin, got)
			}
			if !varies(r.Header, "Origin") {
				t.Errorf("%s: Vary %q does not name Origin", origin, r.Header.Values("Vary"))
			}
			if got := r.Header.Get("Access-Control-Expose-Headers"); got != "Retry-After, X-Request-Id" {
				t.Errorf("%s: Access-Control-Expose-Headers %q", origin, got)
			}
			if r.Header.Get("Access-Control-Allow-Credentials") != "" {
				t.Errorf("%s: credentials allowed", origin)
			}
		}
	})
	t.Run("OKPreflight", func(t *testing.T) {
		// Ensure an allowed origin's preflight is answered 204 with the
		// methods and headers a GraphQL client with a token needs.
		r := corsRequest(t, s, "https://factcheck.example", true)
		if r.Status != http.StatusNoContent || len(r.Body) != 0 {
			t.Errorf("status %d, body %q; want 204 without a body", r.Status, r.Body)
		}
		for k, want := range map[string]string{
			"Access-Control-Allow-Origin":  "https://factcheck.example",
			"Access-Control-Allow-Methods": "GET, POST",
			"Access-Control-Allow-Headers": "Content-Type, Authorization",
			"Access-Control-Max-Age":       "600",
		} {
			if got := r.Header.Get(k); got != want {
				t.Errorf("%s %q, want %q", k, got, want)
			}
		}
		if !varies(r.Header, "Origin") || !varies(r.Header, "Access-Control-Request-Headers") {
			t.Errorf("Vary %q", r.Header.Values("Vary"))
		}
	})
	t.Run("ErrOtherOrigin", func(t *testing.T) {
		// Ensure an origin off the list, by host, scheme or port, gets no
		// CORS header, and its preflight is not approved; the request itself
		// is still answered (browsers, not servers, enforce CORS).
		for _, origin := range []string{"https://evil.example", "http://factcheck.example", "http://localhost:3001", "null"} {
			r := corsRequest(t, s, origin, false)
			if h := corsHeaders(r.Header); len(h) > 0 || r.Status != http.StatusOK {
				t.Errorf("%s: status %d, CORS headers %v; want 200 without any", origin, r.Status, h)
			}
			if !varies(r.Header, "Origin") {
				t.Errorf("%s: Vary %q does not name Origin", origin, r.Header.Values("Vary"))
			}
			r = corsRequest(t, s, origin, true)
			if h := corsHeaders(r.Header); len(h) > 0 || r.Status == http.StatusNoContent {
				t.Errorf("%s preflight: status %d, CORS headers %v", origin, r.Status, h)
			}
		}
	})
	t.Run("OKNoOrigin", func(t *testing.T) {
		// Ensure a request without Origin (curl, a server) gets no CORS header.
		r := corsRequest(t, s, "", false)
		if h := corsHeaders(r.Header); len(h) > 0 {
			t.Errorf("CORS headers %v", h)
		}
	})
}

func TestCORS_AnyOrigin(t *testing.T) {
	// Ensure "*" allows every origin with Access-Control-Allow-Origin: *.
	s := MustServer(t, WithConfig(func(c *api.Config) { c.CORSOrigins = []string{"*"} }))
	for _, preflight := range []bool{false, true} {
		r := corsRequest(t, s, "https://anyone.example", preflight)
		if got := r.Header.Get("Access-Control-Allow-Origin"); got != "*" {
			t.Errorf("preflight %v: Access-Control-Allow-Origin %q, want *", preflight, got)
		}
	}
}

func TestCORS_BadOrigin(t *testing.T) {
	for _, origin := range []string{"factcheck.example", "ftp://factcheck.example", "https://factcheck.example/path",
		"https://user@factcheck.example", "https://", "https://factcheck.example?q", ":"} {
		// Ensure an origin that is not scheme://host[:port] is refused with
		// a message naming it, by the server and by CheckCORSOrigin.
		_, err := api.New(api.Config{Graph: storetest.Open(t), CORSOrigins: []string{"https://ok.example", origin}})
		if err == nil || !strings.Contains(err.Error(), origin) {
			t.Errorf("%q: error %v, want one naming it", origin, err)
		}
		if api.CheckCORSOrigin(origin) == nil {
			t.Errorf("CheckCORSOrigin(%q) accepted it", origin)
		}
	}
	for _, origin := range []string{"*", "http://localhost:3000", "https://[::1]:8443", "https://FactCheck.example/"} {
		if err := api.CheckCORSOrigin(origin); err != nil {
			t.Errorf("CheckCORSOrigin(%q): %v", origin, err)
		}
	}
}
