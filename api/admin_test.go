package api_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/rs/zerolog"

	"hearsay/api"
	"hearsay/fixtures"
	"hearsay/store"
)

// TestAdminBackup: /admin/backup needs the write token and GET, and
// streams a backup that restores to the same graph.
func TestAdminBackup(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(store.DefaultOptions(filepath.Join(t.TempDir(), "db")))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := fixtures.LoadSeed(ctx, db); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, token, method, auth string
		want                      int
	}{
		{"writes off", "", http.MethodGet, "Bearer x", http.StatusForbidden},
		{"no token", "t0ken", http.MethodGet, "", http.StatusUnauthorized},
		{"wrong token", "t0ken", http.MethodGet, "Bearer nope", http.StatusUnauthorized},
		{"POST", "t0ken", http.MethodPost, "Bearer t0ken", http.StatusMethodNotAllowed},
		{"ok", "t0ken", http.MethodGet, "Bearer t0ken", http.StatusOK},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv, err := api.New(api.Config{Graph: db, Logger: zerolog.Nop(), WriteToken: c.token})
			if err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest(c.method, "/admin/backup", nil)
			if c.auth != "" {
				req.Header.Set("Authorization", c.auth)
			}
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if rec.Code != c.want {
				t.Fatalf("status %d, want %d: %s", rec.Code, c.want, rec.Body)
			}
			// Ensure a 405 names the one method that works (issue 16: it
			// said "GET, POST" and refused POST).
			if allow := rec.Header().Values("Allow"); c.want == http.StatusMethodNotAllowed && (len(allow) != 1 || allow[0] != http.MethodGet) {
				t.Errorf("Allow %q, want GET", allow)
			}
			if c.want != http.StatusOK {
				return
			}
			st, err := store.Restore(ctx, store.DefaultOptions(filepath.Join(t.TempDir(), "r")), bytes.NewReader(rec.Body.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			want, err := db.Stats(ctx)
			if err != nil || st != want {
				t.Errorf("restored %+v, want %+v (%v)", st, want, err)
			}
		})
	}
}
