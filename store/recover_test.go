package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hearsay/graph"
	"hearsay/store"
)

// liveGen returns the directory of the generation CURRENT names.
func liveGen(tb testing.TB, dir string) string {
	tb.Helper()
	cur, err := os.ReadFile(filepath.Join(dir, "CURRENT"))
	if err != nil {
		tb.Fatal(err)
	}
	return filepath.Join(dir, strings.TrimSpace(string(cur)))
}

// TestOpen_EmptyWAL: a process killed inside Badger's close can leave a
// 0-byte write-ahead log (NNNNN.mem): Badger truncates a flushed
// memtable's log to 0 bytes before it removes the file. Every open, for
// writing or for reading, recovers from it and keeps every write.
func TestOpen_EmptyWAL(t *testing.T) {
	ctx := context.Background()
	for _, name := range []string{"newest", "oldest"} {
		t.Run(name, func(t *testing.T) {
			opt := diskOptions(t)
			db, err := store.Open(opt)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.CreateOutlet(ctx, &graph.Outlet{ID: "outlet:kept", Name: "Kept"}); err != nil {
				t.Fatal(err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			// The state close leaves when killed between truncating a
			// flushed memtable's log and removing it.
			gen := liveGen(t, opt.Dir)
			fid := "99999.mem"
			if name == "oldest" {
				fid = "00000.mem"
			}
			if err := os.WriteFile(filepath.Join(gen, fid), nil, 0o644); err != nil {
				t.Fatal(err)
			}
			for _, ro := range []bool{true, false} {
				o := opt
				o.ReadOnly = ro
				db, err := store.Open(o)
				if err != nil {
					t.Fatalf("open (read-only %v) with a 0-byte %s: %v", ro, fid, err)
				}
				if _, err := db.FindOutletByID(ctx, "outlet:kept"); err != nil {
					t.Errorf("read-only %v: %v", ro, err)
				}
				if err := db.Close(); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := os.Stat(filepath.Join(gen, fid)); !os.IsNotExist(err) {
				t.Errorf("the 0-byte %s is still there (%v)", fid, err)
			}
		})
	}
}
