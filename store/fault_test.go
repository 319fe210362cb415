package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"hearsay/graph"
	"hearsay/store"
)

// mountTmpfs mounts a tmpfs with options at a new directory for the test,
// or skips the test where mounting is not allowed (not root, or no
// CAP_SYS_ADMIN).
func mountTmpfs(t *testing.T, options string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "mnt")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", options, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (needs root): %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// fillInodes creates empty files in dir until the file system has no
// inode left, and returns a function that removes them.
func fillInodes(t *testing.T, dir string) func() {
	t.Helper()
	fill := filepath.Join(dir, "fill")
	if err := os.Mkdir(fill, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		f, err := os.Create(filepath.Join(fill, fmt.Sprint(i)))
		if errors.Is(err, syscall.ENOSPC) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	return func() {
		if err := os.RemoveAll(fill); err != nil {
			t.Fatal(err)
		}
	}
}

// TestWrite_StorageFails: when the storage fails under a write (here a
// file system out of inodes, so that Badger cannot create the log of its
// next memtable: the failure that used to leave Badger without a memtable
// and every later read panicking), the write fails with EUNAVAILABLE,
// every later read and write fails with EUNAVAILABLE naming the cause, and
// nothing panics.
func TestWrite_StorageFails(t *testing.T) {
	ctx := context.Background()
	mnt := mountTmpfs(t, "size=256m,nr_inodes=64")
	opt := store.DefaultOptions(filepath.Join(mnt, "db"))
	opt.MemTableSize = 1 << 20
	opt.MinFreeBytes = -1
	db, err := store.Open(opt)
	if err != nil {
		t.Fatal(err)
	}
	release := fillInodes(t, mnt)
	var acked []string
	var werr error
	for i := 0; i < 100_000 && werr == nil; i++ {
		id := fmt.Sprintf("outlet:o%06d", i)
		if werr = db.CreateOutlet(ctx, &graph.Outlet{ID: id, Name: strings.Repeat("n", 400)}); werr == nil {
			acked = append(acked, id)
		}
	}
	t.Logf("%d writes acknowledged, then: %v", len(acked), werr)
	if graph.ErrorCode(werr) != graph.EUNAVAILABLE {
		t.Fatalf("the failed write: %v (code %q), want %q", werr, graph.ErrorCode(werr), graph.EUNAVAILABLE)
	}
	select {
	case <-db.Failed():
	default:
		t.Error("Failed() is not closed after the failure")
	}
	herr := db.Health()
	if graph.ErrorCode(herr) != graph.EUNAVAILABLE || !strings.Contains(graph.ErrorMessage(herr), "no space left on device") {
		t.Errorf("Health() = %v, want EUNAVAILABLE naming the cause", herr)
	}
	// Every later read and write fails the same way, without a panic.
	for i := range 3 {
		if _, err := db.Stats(ctx); graph.ErrorCode(err) != graph.EUNAVAILABLE {
			t.Errorf("read %d after the failure: %v", i, err)
		}
		if _, err := db.FindOutletByID(ctx, acked[0]); graph.ErrorCode(err) != graph.EUNAVAILABLE {
			t.Errorf("find %d after the failure: %v", i, err)
		}
		if err := db.CreateOutlet(ctx, &graph.Outlet{ID: fmt.Sprintf("outlet:after-%d", i), Name: "x"}); graph.ErrorCode(err) != graph.EUNAVAILABLE {
			t.Errorf("write %d after the failure: %v", i, err)
		}
	}
	// Close leaves Badger as a killed process would (its close would
	// flush and compact on the failed storage); the directory stays
	// locked until the process exits. Reopening after a restart, with
	// every acknowledged write, is TestServe_StorageFails (cmd/hearsay),
	// which runs the real binary.
	release()
	if err := db.Close(); graph.ErrorCode(err) != graph.EUNAVAILABLE {
		t.Errorf("Close after the failure = %v, want EUNAVAILABLE", err)
	}
	if _, err := store.Open(opt); graph.ErrorCode(err) != graph.ECONFLICT {
		t.Errorf("open in the same process after the failure = %v, want ECONFLICT (the directory stays locked)", err)
	}
}

// TestWrite_DiskFull: Badger writes through memory-mapped files, and on a
// full disk a write into one kills the process (SIGBUS). So writes are
// refused with EUNAVAILABLE, before Badger sees them, once the file
// system has less than MinFreeBytes free; reads go on, and writes resume
// by themselves once space is freed.
func TestWrite_DiskFull(t *testing.T) {
	ctx := context.Background()
	mnt := mountTmpfs(t, "size=64m")
	opt := store.DefaultOptions(filepath.Join(mnt, "db"))
	opt.MemTableSize = 1 << 20
	opt.MinFreeBytes = 16 << 20
	db, err := store.Open(opt)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Leave about 20 MB free.
	filler := filepath.Join(mnt, "filler")
	var st syscall.Statfs_t
	if err := syscall.Statfs(mnt, &st); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filler, make([]byte, int64(st.Bavail)*st.Bsize-20<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	var acked []string
	var werr error
	for i := 0; i < 200_000 && werr == nil; i++ {
		id := fmt.Sprintf("outlet:o%06d", i)
		if werr = db.CreateOutlet(ctx, &graph.Outlet{ID: id, Name: strings.Repeat("n", 400)}); werr == nil {
			acked = append(acked, id)
		}
	}
	t.Logf("%d writes acknowledged, then: %v", len(acked), werr)
	if graph.ErrorCode(werr) != graph.EUNAVAILABLE || !strings.Contains(graph.ErrorMessage(werr), "nearly full") {
		t.Fatalf("the refused write: %v, want EUNAVAILABLE saying the disk is nearly full", werr)
	}
	if err := db.Health(); graph.ErrorCode(err) != graph.EUNAVAILABLE {
		t.Errorf("Health() = %v, want EUNAVAILABLE", err)
	}
	select {
	case <-db.Failed():
		t.Error("a nearly full disk is not a storage failure")
	default:
	}
	// Reads go on.
	if _, err := db.FindOutletByID(ctx, acked[len(acked)-1]); err != nil {
		t.Errorf("read on a nearly full disk: %v", err)
	}
	// Space is freed: writes resume within a second or so.
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		err := db.CreateOutlet(ctx, &graph.Outlet{ID: "outlet:after-freeing", Name: "x"})
		if err == nil {
			break
		}
		if graph.ErrorCode(err) != graph.EUNAVAILABLE || time.Now().After(deadline) {
			t.Fatalf("write after freeing space: %v", err)
		}
	}
	if err := db.Health(); err != nil {
		t.Errorf("Health() after freeing space = %v", err)
	}
	if rep := mustCheck(t, db, false); rep.Total != 0 || rep.Stats.Outlets != int64(len(acked))+1 {
		t.Errorf("%d problems, %d outlets, want %d", rep.Total, rep.Stats.Outlets, len(acked)+1)
	}
}
