package api

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/rs/zerolog"
)

// The http.Server's limits on slow clients and its drain, as
// `hearsay serve` sets them by default.
const (
	DefaultReadHeaderTimeout = 5 * time.Second
	DefaultReadTimeout       = 30 * time.Second
	DefaultIdleTimeout       = 2 * time.Minute
	DefaultDrainTimeout      = 15 * time.Second
	MaxHeaderBytes           = 64 << 10
)

// HTTPConfig is how Serve runs its http.Server.
type HTTPConfig struct {
	// The timeouts of http.Server, which cut off clients that send or read
	// slowly (slow loris) before they tie up connections. Zero is no limit,
	// as in http.Server: callers pass the defaults above, and a
	// WriteTimeout longer than Config.Timeout.
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// DrainTimeout bounds how long a stopping server waits for requests in
	// flight before it closes their connections (default
	// DefaultDrainTimeout).
	DrainTimeout time.Duration
	// Logger is told when the server stops and how the drain went.
	Logger zerolog.Logger
	// Failed, if set, stops the server as the context does: the storage
	// under it failed. OnFailed is then called once, before the drain; it
	// logs why and returns the error Serve returns after the drain.
	Failed   <-chan struct{}
	OnFailed func() error
}

// Serve answers HTTP requests with h on ln until ctx is done (a signal) or
// cfg.Failed is closed, then stops accepting, drains the requests in flight
// for at most cfg.DrainTimeout and closes the connections still open. It
// returns nil after a drain started by ctx, OnFailed's error after one
// started by Failed, or the error that stopped serving early.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, cfg HTTPConfig) error {
	if cfg.DrainTimeout <= 0 {
		cfg.DrainTimeout = DefaultDrainTimeout
	}
	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
	}
	if st, ok := h.(interface{ CloseStreams() }); ok {
		// Subscription streams never end on their own: end them when
		// the drain starts, or Shutdown would wait for them.
		hs.RegisterOnShutdown(st.CloseStreams)
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	var failed error
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
		cfg.Logger.Info().Msg("stopping: draining requests")
	case <-cfg.Failed:
		if cfg.OnFailed != nil {
			failed = cfg.OnFailed()
		}
	}
	dctx, cancel := context.WithTimeout(context.Background(), cfg.DrainTimeout)
	defer cancel()
	if err := hs.Shutdown(dctx); err != nil {
		cfg.Logger.Warn().Err(err).Msg("requests still running at the end of the drain; closing their connections")
		_ = hs.Close()
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return failed
}
