package graph

import "time"

// StorageStats are the figures of a graph's storage an operator watches
// (the server's /metrics). A graph that has them implements
// StorageStater; reading them costs no scan.
type StorageStats struct {
	// LSMBytes and ValueLogBytes are the sizes on disk of the storage's
	// LSM tree and value log (Badger's own estimate, refreshed by Badger
	// about once a minute); 0 in memory.
	LSMBytes, ValueLogBytes int64
	// Generation is the number of the open generation of the database
	// directory (g000003 is 3); 0 in memory.
	Generation int
	// WriteWait is how long writes waited for their turn: writes run one
	// at a time.
	WriteWait WaitHistogram
}

// StorageStater is implemented by a graph that reports its storage's
// figures (store.DB).
type StorageStater interface {
	StorageStats() StorageStats
}

// WaitBounds are the upper bounds, in seconds, of a WaitHistogram's
// buckets: from 10 µs (a write that found the lock free) to 10 s.
var WaitBounds = []float64{
	0.00001, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
	0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
}

// WaitHistogram counts waits.
type WaitHistogram struct {
	Count uint64
	Sum   time.Duration
	// Buckets[i] counts the waits of at most WaitBounds[i], cumulatively
	// (the waits of at most the bound, not only those above the previous
	// one), as Prometheus's histograms do.
	Buckets []uint64
}
