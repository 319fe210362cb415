package api_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"hearsay/api"
	"hearsay/graph"
)

// failedGraph is a graph whose storage has failed: it says so in Health
// and refuses reads.
type failedGraph struct {
	graph.Graph
	err error
}

func (g failedGraph) Health() error { return g.err }

func (g failedGraph) Stats(ctx context.Context) (graph.Stats, error) { return graph.Stats{}, g.err }

// TestHealth_StorageUnavailable: /healthz answers 503 with the code and
// the reason when the store reports a storage failure, and 200 otherwise.
func TestHealth_StorageUnavailable(t *testing.T) {
	db := openSeeded(t)
	defer db.Close()
	for _, c := range []struct {
		name   string
		g      graph.Graph
		status int
		code   string
	}{
		{"OK", db, http.StatusOK, ""},
		{"Failed", failedGraph{db, graph.Errorf(graph.EUNAVAILABLE, "the database's storage failed (read-only file system)")}, http.StatusServiceUnavailable, "STORAGE_UNAVAILABLE"},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv, err := api.New(api.Config{Graph: c.g, Logger: zerolog.Nop()})
			if err != nil {
				t.Fatal(err)
			}
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
			var body map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("%v: %s", err, rec.Body)
			}
			if rec.Code != c.status || (c.code != "" && (body["code"] != c.code || body["reason"] != "the database's storage failed (read-only file system)")) {
				t.Fatalf("status %d, body %s", rec.Code, rec.Body)
			}
		})
	}
}

// TestHealth_ProvesIdentity: a server with an instance key answers a
// challenge of 16 to 64 bytes in hex with its HMAC, and nothing else;
// a server without a key never answers.
func TestHealth_ProvesIdentity(t *testing.T) {
	db := openSeeded(t)
	defer db.Close()
	key := []byte("0123456789abcdef0123456789abcdef")
	challenge := "00112233445566778899aabbccddeeff"
	raw, _ := hex.DecodeString(challenge)
	for _, c := range []struct {
		name, challenge, want string
		key                   []byte
	}{
		{"OK", challenge, hex.EncodeToString(api.Proof(key, raw)), key},
		{"NoKey", challenge, "", nil},
		{"NotHex", "zz" + challenge[2:], "", key},
		{"TooShort", challenge[:30], "", key},
		{"TooLong", strings.Repeat("ab", 65), "", key},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv, err := api.New(api.Config{Graph: db, Logger: zerolog.Nop(), InstanceKey: c.key})
			if err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
			req.Header.Set(api.HeaderChallenge, c.challenge)
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if got := rec.Header().Get(api.HeaderProof); got != c.want || rec.Code != http.StatusOK {
				t.Errorf("status %d, proof %q, want %q", rec.Code, got, c.want)
			}
		})
	}
	if a, b := api.Proof(key, raw), api.Proof([]byte("another key"), raw); hex.EncodeToString(a) == hex.EncodeToString(b) {
		t.Error("two keys give the same proof")
	}
}
