package api_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"hearsay/api"
)

func sha256Hex(q string) string {
	sum := sha256.Sum256([]byte(q))
	return hex.EncodeToString(sum[:])
}

// apq is a request body with Apollo's persistedQuery extension; query ""
// sends the hash alone.
func apq(query, hash string, version any) string {
	body := map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{"version": version, "sha256Hash": hash}}}
	if query != "" {
		body["query"] = query
	}
	b, _ := json.Marshal(body)
	return string(b)
}

// TestPersistedQueries checks automatic persisted queries as Apollo's
// clients send them: a hash alone that the server does not hold is
// answered PERSISTED_QUERY_NOT_FOUND with 200 (so the client sends the
// query with its hash), the query with its hash is checked, run and
// kept, and then the hash alone runs it, by POST and by GET. The store
// keeps Config.CacheSize queries, dropping the least recently used.
func TestPersistedQueries(t *testing.T) {
	s := MustServer(t, WithConfig(func(c *api.Config) { c.CacheSize = 2 }))
	const apollo = "application/graphql-response+json,application/json;q=0.9"
	q1 := `{ claims { totalCount } }`
	q2 := `{ outlets { totalCount } }`
	q3 := `{ reports { totalCount } }`

	notFound := func(t *testing.T, r *Response) {
		t.Helper()
		if r.Status != http.StatusOK || len(r.Errors) != 1 || r.Errors[0].Code() != api.CodePersistedQueryNotFound ||
			r.Errors[0].Message != "PersistedQueryNotFound" || len(r.Data) != 0 {
			t.Fatalf("want 200 with PERSISTED_QUERY_NOT_FOUND, got %d %s", r.Status, r.Short())
		}
	}
	t.Run("ErrNotFound", func(t *testing.T) {
		// Ensure an unknown hash sent alone asks for the query, in each media type.
		for _, accept := range []string{"", "application/json", apollo} {
			notFound(t, s.postAccept(t, accept, "", apq("", sha256Hex(q1), 1)))
		}
	})
	var want string
	t.Run("OKRegisterThenHashAlone", func(t *testing.T) {
		// Ensure the query sent with its hash runs, and the hash alone then runs it.
		r := s.postAccept(t, apollo, "", apq(q1, sha256Hex(q1), 1))
		if r.Status != http.StatusOK || len(r.Errors) > 0 || len(r.Data) == 0 {
			t.Fatalf("query with hash: %d %s", r.Status, r.Short())
		}
		want = string(r.Body)
		if got := s.postAccept(t, apollo, "", apq("", sha256Hex(q1), 1)); got.Status != http.StatusOK || string(got.Body) != want {
			t.Fatalf("hash alone: %d %s, want %s", got.Status, got.Short(), want)
		}
		// Apollo sends queries by GET with the extensions as a parameter.
		ext := `{"persistedQuery":{"version":1,"sha256Hash":"` + sha256Hex(q1) + `"}}`
		hr := mustRequest(t, http.MethodGet, s.URL+"/graphql?extensions="+url.QueryEscape(ext), nil)
		if got := s.Do(t, hr); got.Status != http.StatusOK || string(got.Body) != want {
			t.Fatalf("hash alone by GET: %d %s, want %s", got.Status, got.Short(), want)
		}
	})
	t.Run("OKBounded", func(t *testing.T) {
		// Ensure the store keeps at most CacheSize (2) queries, dropping the
		// least recently used: q1 is used after q2, so q3 drops q2.
		for _, q := range []string{q2, q1, q3} {
			if r := s.postAccept(t, "", "", apq(q, sha256Hex(q), 1)); r.Status != http.StatusOK || len(r.Errors) > 0 {
				t.Fatalf("%s: %d %s", q, r.Status, r.Short())
			}
		}
		notFound(t, s.postAccept(t, "", "", apq("", sha256Hex(q2), 1)))
		for _, q := range []string{q1, q3} {
			if r := s.postAccept(t, "", "", apq("", sha256Hex(q), 1)); r.Status != http.StatusOK || len(r.Errors) > 0 {
				t.Errorf("%s kept: %d %s", q, r.Status, r.Short())
			}
		}
	})
	t.Run("OKLongQueryRunsNotKept", func(t *testing.T) {
		// Ensure a query over the cache's per-query bound runs but is not kept.
		long := `{ claims { totalCount } }` + strings.Repeat(" ", 17<<10)
		if r := s.postAccept(t, "", "", apq(long, sha256Hex(long), 1)); r.Status != http.StatusOK || len(r.Errors) > 0 {
			t.Fatalf("long query: %d %s", r.Status, r.Short())
		}
		notFound(t, s.postAccept(t, "", "", apq("", sha256Hex(long), 1)))
	})
	for _, tt := range []struct {
		name, body, says string
	}{
		{"ErrHashMismatch", apq(q1, sha256Hex(q2), 1), "not the SHA-256"},
		{"ErrUppercaseHash", apq(q1, strings.ToUpper(sha256Hex(q1)), 1), "lowercase"},
		{"ErrShortHash", apq("", sha256Hex(q1)[:63], 1), "64"},
		{"ErrNoHash", `{"query": "{ claims { totalCount } }", "extensions": {"persistedQuery": {"version": 1}}}`, "sha256Hash"},
		{"ErrVersion", apq(q1, sha256Hex(q1), 2), "version"},
		{"ErrVersionString", apq(q1, sha256Hex(q1), "1"), "version"},
		{"ErrNotAnObject", `{"query": "{ claims { totalCount } }", "extensions": {"persistedQuery": "x"}}`, "object"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Ensure a malformed persistedQuery is refused with 400 and says what is wrong.
			for _, accept := range []string{"", "application/json", apollo} {
				r := s.postAccept(t, accept, "", tt.body)
				e := r.MustFail(t, http.StatusBadRequest, api.CodeBadUserInput)
				if !strings.Contains(e.Message, tt.says) || !strings.Contains(e.Message, "persistedQuery") {
					t.Errorf("message %q does not name %q", e.Message, tt.says)
				}
			}
		})
	}
	t.Run("ErrExtensionsParameter", func(t *testing.T) {
		// Ensure a GET extensions parameter that is not a JSON object is refused.
		hr := mustRequest(t, http.MethodGet, s.URL+"/graphql?query=%7B__typename%7D&extensions=%5B1%5D", nil)
		if e := s.Do(t, hr).MustFail(t, http.StatusBadRequest, api.CodeBadUserInput); !strings.Contains(e.Message, "extensions") {
			t.Errorf("message %q does not name the parameter", e.Message)
		}
	})
}
