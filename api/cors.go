package api

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// The CORS answer to an allowed origin. Browsers send the write token as an
// Authorization header set by the page, never as a cookie, so credentials
// are not allowed and a page of an allowed origin holds only the tokens
// its user gives it.
const (
	corsMethods       = "GET, POST"
	corsHeaders       = "Content-Type, Authorization"
	corsExposeHeaders = "Retry-After, X-Request-Id"
	corsMaxAge        = "600" // seconds a browser may keep a preflight's answer
)

// cors is the cross-origin policy: an allow-list of origins. With an empty
// list the server sends no CORS headers at all, and browsers keep pages of
// other origins from reading its answers.
type cors struct {
	any     bool            // "*": every origin
	origins map[string]bool // normalised scheme://host[:port]
}

// newCORS checks and normalises the allowed origins.
func newCORS(origins []string) (*cors, error) {
	c := &cors{origins: make(map[string]bool)}
	for _, o := range origins {
		if o == "*" {
			c.any = true
			continue
		}
		n, err := normalizeOrigin(o)
		if err != nil {
			return nil, err
		}
		c.origins[n] = true
	}
	return c, nil
}

// CheckCORSOrigin reports whether origin can be given in
// Config.CORSOrigins, with the reason when it cannot.
func CheckCORSOrigin(origin string) error {
	_, err := newCORS([]string{origin})
	return err
}

// normalizeOrigin turns a configured origin into the form browsers send in
// the Origin header: lower-case scheme and host, the port only when it is
// not the scheme's default, no path.
func normalizeOrigin(o string) (string, error) {
	u, err := url.Parse(o)
	bad := func(why string) (string, error) {
		return "", fmt.Errorf("CORS origin %q: %s (want scheme://host[:port], e.g. https://factcheck.example, or *)", o, why)
	}
	switch {
	case err != nil:
		return bad(err.Error())
	case u.Scheme != "http" && u.Scheme != "https":
		return bad("the scheme is not http or https")
	case u.Host == "" || u.Hostname() == "":
		return bad("there is no host")
	case u.User != nil || u.RawQuery != "" || u.Fragment != "" || (u.Path != "" && u.Path != "/"):
		return bad("an origin has no user, path, query or fragment")
	}
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if p := u.Port(); p != "" && !(u.Scheme == "http" && p == "80" || u.Scheme == "https" && p == "443") {
		host += ":" + p
	}
	return u.Scheme + "://" + host, nil
}

func (c *cors) enabled() bool { return c.any || len(c.origins) > 0 }

func (c *cors) allows(origin string) bool {
	return origin != "" && (c.any || c.origins[strings.ToLower(origin)])
}

// wrap applies the policy in front of next. An allowed origin's preflight
// (OPTIONS with Access-Control-Request-Method) is answered 204 here; its
// other requests get Access-Control-Allow-Origin. Requests without an
// allowed Origin pass through without CORS headers.
func (c *cors) wrap(next http.Handler) http.Handler {
	if !c.enabled() {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		// The answer depends on the Origin, whatever it is, so that no cache
		// hands one origin's answer to another.
		h.Add("Vary", "Origin")
		origin := r.Header.Get("Origin")
		if !c.allows(origin) {
			next.ServeHTTP(w, r)
			return
		}
		allow := origin
		if c.any {
			allow = "*"
		}
		h.Set("Access-Control-Allow-Origin", allow)
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Add("Vary", "Access-Control-Request-Method")
			h.Add("Vary", "Access-Control-Request-Headers")
			h.Set("Access-Control-Allow-Methods", corsMethods)
			h.Set("Access-Control-Allow-Headers", corsHeaders)
			h.Set("Access-Control-Max-Age", corsMaxAge)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
		next.ServeHTTP(w, r)
	})
}
