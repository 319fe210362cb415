package store_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"hearsay/graph"
	"hearsay/store"
)

// goodBackup returns a backup of a small database on disk and its stats.
func goodBackup(tb testing.TB) ([]byte, graph.Stats) {
	return backupOf(tb, 300)
}

// backupOf returns a backup of a generated database of about n claims
// and its stats.
func backupOf(tb testing.TB, n int) ([]byte, graph.Stats) {
	tb.Helper()
	ctx := context.Background()
	opt := diskOptions(tb)
	bulkLoad(tb, opt, genDataset(tb, n, 7))
	db, err := store.Open(opt)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	var buf bytes.Buffer
	if err := db.Backup(ctx, &buf); err != nil {
		tb.Fatal(err)
	}
	st, err := db.Stats(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes(), st
}

// TestRestore_Damaged: a backup with a flipped byte (byte 25 among them),
// cut at any of several points, or with bytes appended is refused with
// EINVALID before anything is written, never panics, and leaves the
// directory as it was, so that a retry with the good file works.
func TestRestore_Damaged(t *testing.T) {
	ctx := context.Background()
	good, want := goodBackup(t)
	t.Logf("backup: %d bytes", len(good))
	type bad struct {
		name string
		data []byte
	}
	var cases []bad
	for _, i := range []int{0, 16, 17, 18, 20, 24, 25, 26, 30, 40, 100, len(good) / 3, len(good) / 2, len(good) - 6, len(good) - 5, len(good) - 1} {
		for _, mask := range []byte{0x01, 0x80, 0xff} {
			d := bytes.Clone(good)
			d[i] ^= mask
			cases = append(cases, bad{fmt.Sprintf("byte %d ^ %#x", i, mask), d})
		}
	}
	for _, n := range []int{0, 10, 17, 18, 25, 26, 100, len(good) / 2, len(good) - 5, len(good) - 1} {
		cases = append(cases, bad{fmt.Sprintf("cut at %d", n), good[:n]})
	}
	for _, tail := range []string{"x", "\x00", "\x00\x00\x00\x00\x00", string(good)} {
		cases = append(cases, bad{fmt.Sprintf("%d bytes appended", len(tail)), append(bytes.Clone(good), tail...)})
	}
	for i, c := range cases {
		for _, exists := range []bool{false, true} {
			dir := filepath.Join(t.TempDir(), "r")
			if exists {
				if err := os.Mkdir(dir, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			opt := store.DefaultOptions(dir)
			opt.MemTableSize = 4 << 20
			// Half the cases come as a file, half as a pipe would.
			var in io.Reader = bytes.NewReader(c.data)
			if i%2 == 1 {
				in = struct{ io.Reader }{in}
			}
			_, err := store.Restore(ctx, opt, in)
			if graph.ErrorCode(err) != graph.EINVALID {
				t.Errorf("%s: err = %v, want EINVALID", c.name, err)
			}
			entries, serr := os.ReadDir(dir)
			switch {
			case exists && (serr != nil || len(entries) > 0):
				t.Errorf("%s: the empty directory now holds %d entries (%v)", c.name, len(entries), serr)
			case !exists && !os.IsNotExist(serr):
				t.Errorf("%s: the directory did not exist and now does (%d entries)", c.name, len(entries))
			}
			if c.name == "byte 25 ^ 0x1" {
				// A retry with the good file works.
				st, err := store.Restore(ctx, opt, bytes.NewReader(good))
				if err != nil || st != want {
					t.Errorf("retry after %s: %+v, %v; want %+v", c.name, st, err, want)
				}
			}
		}
	}
}

// TestRestore_Unfinished: a restore cut short (the process killed while
// it loaded) leaves its marker; every open refuses the directory, so
// 'hearsay check' cannot call it clean, and a new restore replaces it.
func TestRestore_Unfinished(t *testing.T) {
	ctx := context.Background()
	good, want := goodBackup(t)
	opt := diskOptions(t)
	// The state a kill leaves in the middle of the load.
	if err := os.MkdirAll(filepath.Join(opt.Dir, "g000001"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"RESTORING", "hearsay.lock", "g000001/000001.vlog"} {
		if err := os.WriteFile(filepath.Join(opt.Dir, name), []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, ro := range []bool{true, false} {
		o := opt
		o.ReadOnly = ro
		db, err := store.Open(o)
		if err == nil {
			db.Close()
		}
		if graph.ErrorCode(err) != graph.EINVALID {
			t.Errorf("open (read-only %v) of an unfinished restore: %v, want EINVALID", ro, err)
		}
	}
	// Anything else in a directory is not replaced.
	if _, err := store.Restore(ctx, diskOptions(t), bytes.NewReader(good)); err != nil {
		t.Fatal(err)
	}
	st, err := store.Restore(ctx, opt, bytes.NewReader(good))
	if err != nil || st != want {
		t.Fatalf("restore over an unfinished one: %+v, %v; want %+v", st, err, want)
	}
	onlyLive(t, opt.Dir)
	db, err := store.Open(opt)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if rep := mustCheck(t, db, false); rep.Total != 0 || rep.Stats != want {
		t.Fatalf("restored: %d problems, %+v", rep.Total, rep.Stats)
	}
}

// streamOf returns Badger's stream inside a backup: its frames joined.
func streamOf(tb testing.TB, backup []byte) []byte {
	tb.Helper()
	rest := backup[len("HEARSAY-BACKUP 1\n"):]
	var out []byte
	for {
		n, k := binary.Uvarint(rest)
		if k <= 0 {
			tb.Fatal("bad frame")
		}
		rest = rest[k:]
		if n == 0 {
			return out
		}
		out = append(out, rest[:n]...)
		rest = rest[n:]
	}
}

// frame wraps a stream in a backup's framing with a matching checksum.
func frame(stream []byte) []byte {
	out := []byte("HEARSAY-BACKUP 1\n")
	for len(stream) > 0 {
		n := min(len(stream), 1000)
		out = binary.AppendUvarint(out, uint64(n))
		out = append(out, stream[:n]...)
		stream = stream[n:]
	}
	out = binary.AppendUvarint(out, 0)
	return binary.BigEndian.AppendUint32(out, crc32.Checksum(streamAll(out), crc32.MakeTable(crc32.Castagnoli)))
}

// streamAll returns the stream bytes of a framed backup without its end.
func streamAll(framed []byte) []byte {
	rest := framed[len("HEARSAY-BACKUP 1\n"):]
	var out []byte
	for {
		n, k := binary.Uvarint(rest)
		rest = rest[k:]
		if n == 0 {
			return out
		}
		out = append(out, rest[:n]...)
		rest = rest[n:]
	}
}

// FuzzRestore restores arbitrary files through store.Restore: as given,
// and (framed) with Badger's stream inside given and the framing and
// checksum made to match, so that the fuzzer reaches the record and entry
// checks and Badger's loader. Whatever the input, Restore must not panic;
// it succeeds, or refuses with EINVALID and leaves no directory behind;
// and a refused input costs memory bounded by its size, not by any length
// it declares. Run it longer by hand with
//
//	go test ./store -run '^$' -fuzz '^FuzzRestore$' -fuzztime 10m
func FuzzRestore(f *testing.F) {
	ctx := context.Background()
	// A small seed: the fuzzer minimizes every new input, each try a
	// restore.
	good, _ := backupOf(f, 2)
	f.Logf("seed backup: %d bytes", len(good))
	stream := streamOf(f, good)
	f.Add(good, false)
	f.Add(stream, true)
	f.Add(stream[:len(stream)/2], true)
	f.Add(good[:25], false)
	bad := bytes.Clone(good)
	bad[25] ^= 1
	f.Add(bad, false)
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x0a, 0xff, 0xff, 0xff, 0x7f}, true)
	f.Fuzz(func(t *testing.T, data []byte, reframe bool) {
		if reframe {
			data = frame(data)
		}
		dir := filepath.Join(t.TempDir(), "r")
		opt := store.DefaultOptions(dir)
		opt.MemTableSize = 1 << 20
		opt.SyncWrites = false
		// A hang has no failing check to report it: crash with every
		// goroutine's stack, and the fuzzer keeps the input.
		watchdog := time.AfterFunc(20*time.Second, func() {
			buf := make([]byte, 1<<20)
			panic(fmt.Sprintf("the restore has run for a minute:\n%s", buf[:runtime.Stack(buf, true)]))
		})
		defer watchdog.Stop()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := store.Restore(ctx, opt, bytes.NewReader(data))
		runtime.ReadMemStats(&after)
		if err == nil {
			return
		}
		if graph.ErrorCode(err) != graph.EINVALID {
			t.Fatalf("err = %v, want EINVALID", err)
		}
		if _, serr := os.Stat(dir); !os.IsNotExist(serr) {
			t.Fatalf("a refused restore left %s behind (%v)", dir, err)
		}
		// A refused file is refused before Badger opens, unless it passed
		// the first pass: reading costs its buffers and its bytes.
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20+8*uint64(len(data)) {
			t.Fatalf("refusing %d bytes allocated %d bytes (%v)", len(data), alloc, err)
		}
	})
}

// TestRestoreOver: a backup restored over an existing database replaces it
// as a new generation; a damaged backup, or the database open in another
// process, leaves it as it was; an empty directory is restored into.
func TestRestoreOver(t *testing.T) {
	ctx := context.Background()
	good, want := backupOf(t, 300)
	opt := diskOptions(t)
	bulkLoad(t, opt, genDataset(t, 100, 3))
	before := dump(t, opt)

	// Ensure a damaged backup changes nothing.
	bad := bytes.Clone(good)
	bad[len(bad)/2] ^= 0xff
	if _, err := store.RestoreOver(ctx, opt, io.MultiReader(bytes.NewReader(bad))); graph.ErrorCode(err) != graph.EINVALID {
		t.Fatalf("damaged: %v, want EINVALID", err)
	}
	sameKVs(t, dump(t, opt), before)
	onlyLive(t, opt.Dir)

	// Ensure an open database is not replaced under its process.
	db, err := store.Open(opt)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.RestoreOver(ctx, opt, bytes.NewReader(good)); err == nil {
		t.Fatal("restored over an open database")
	}
	db.Close()
	sameKVs(t, dump(t, opt), before)

	// A pipe (not seekable) is spooled in the directory and removed.
	st, err := store.RestoreOver(ctx, opt, io.MultiReader(bytes.NewReader(good)))
	if err != nil || st != want {
		t.Fatalf("restore over: %+v %v, want %+v", st, err, want)
	}
	onlyLive(t, opt.Dir)
	db = mustOpenDBWith(t, opt)
	if got := mustStats(t, db); got != want {
		t.Fatalf("stats after: %+v, want %+v", got, want)
	}
	if rep, err := db.Check(ctx, false); err != nil || rep.Total != 0 {
		t.Fatalf("check: %v %+v", err, rep.Problems)
	}

	empty := filepath.Join(t.TempDir(), "new")
	eopt := opt
	eopt.Dir = empty
	if st, err := store.RestoreOver(ctx, eopt, bytes.NewReader(good)); err != nil || st != want {
		t.Fatalf("into a new directory: %+v %v", st, err)
	}
}
