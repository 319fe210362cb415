//go:build !unix

package store

import (
	"errors"
	"fmt"
	"os"
)

// lockDir opens the lock file; without flock, Badger's own directory lock
// is the only guard against a second process.
func lockDir(path string, shared bool) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	return f, nil
}

func unlockDir(f *os.File) { _ = f.Close() }

func relockDir(f *os.File, shared bool) error { return nil }

// freeBytes is not measured here: the free-space guard is off.
func freeBytes(dir string) (uint64, error) { return 0, errors.ErrUnsupported }
