package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// The hearsay binary, built by the first test that asks for it and shared
// by the rest of the test binary; TestMain removes it.
var built struct {
	once sync.Once
	dir  string
	bin  string
	err  error
	out  []byte
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// buildHearsay returns the path of the hearsay binary, building it once per
// test binary.
func buildHearsay(t testing.TB) string {
	t.Helper()
	built.once.Do(func() {
		built.dir, built.err = os.MkdirTemp("", "hearsay-bin-")
		if built.err != nil {
			return
		}
		built.bin = filepath.Join(built.dir, "hearsay")
		built.out, built.err = exec.Command("go", "build", "-o", built.bin, ".").CombinedOutput()
	})
	if built.err != nil {
		t.Fatalf("build: %v\n%s", built.err, built.out)
	}
	return built.bin
}

// testSeed returns the seed of a randomized test: HEARSAY_TEST_SEED if set,
// else the clock. It logs the seed, so that a failure can be replayed with
// HEARSAY_TEST_SEED=<seed> go test -run <test> ./cmd/hearsay.
func testSeed(t *testing.T) uint64 {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("HEARSAY_TEST_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("HEARSAY_TEST_SEED=%q: %v", s, err)
		}
		seed = v
	}
	t.Logf("seed %d (replay with HEARSAY_TEST_SEED=%d)", seed, seed)
	return seed
}
