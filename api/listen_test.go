package api_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"hearsay/api"
)

// TestServe: the server answers until its context is done, or until its
// storage fails, then drains a request in flight and returns nil, or the
// failure's error.
func TestServe(t *testing.T) {
	errFailed := errors.New("the storage failed")
	for _, tc := range []struct {
		name string
		want error
	}{{"Signal", nil}, {"StorageFailed", errFailed}} {
		t.Run(tc.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			started, release := make(chan struct{}), make(chan struct{})
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				close(started)
				<-release
				_, _ = io.WriteString(w, "drained")
			})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			failed := make(chan struct{})
			done := make(chan error, 1)
			go func() {
				done <- api.Serve(ctx, ln, h, api.HTTPConfig{Logger: zerolog.Nop(), DrainTimeout: 10 * time.Second,
					Failed: failed, OnFailed: func() error { return errFailed }})
			}()
			answer := make(chan string, 1)
			go func() {
				resp, err := http.Get("http://" + ln.Addr().String() + "/")
				if err != nil {
					answer <- err.Error()
					return
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				answer <- string(b)
			}()
			<-started
			if tc.want == nil {
				cancel()
			} else {
				close(failed)
			}
			// Ensure Serve waits for the request in flight.
			select {
			case err := <-done:
				t.Fatalf("Serve returned %v before the request in flight ended", err)
			case <-time.After(50 * time.Millisecond):
			}
			close(release)
			if got := <-answer; got != "drained" {
				t.Errorf("the request in flight got %q", got)
			}
			if err := <-done; err != tc.want {
				t.Errorf("Serve returned %v, want %v", err, tc.want)
			}
		})
	}
}
