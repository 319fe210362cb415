package store_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"hearsay/graph"
	"hearsay/store"
)

// TestBackupRestore: a restored database holds exactly the keys and values
// of the one backed up, checks clean, and takes writes; the backup is
// taken while writes go on and is a consistent snapshot.
func TestBackupRestore(t *testing.T) {
	ctx := context.Background()
	opt := diskOptions(t)
	bulkLoad(t, opt, genDataset(t, 2000, 4))
	db, err := store.Open(opt)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// A writer keeps creating outlets while the backup runs.
	stop := make(chan struct{})
	wrote := make(chan int)
	go func() {
		n := 0
		for {
			select {
			case <-stop:
				wrote <- n
				return
			default:
			}
			if err := db.CreateOutlet(ctx, &graph.Outlet{ID: fmt.Sprintf("outlet:during-backup-%d", n), Name: "x"}); err != nil {
				t.Error(err)
			}
			n++
		}
	}()
	var buf bytes.Buffer
	if err := db.Backup(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	close(stop)
	t.Logf("%d outlets written during the backup", <-wrote)
	data := buf.Bytes()

	target := filepath.Join(t.TempDir(), "restored")
	ropt := diskOptions(t)
	ropt.Dir = target
	st, err := store.Restore(ctx, ropt, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	restored, err := store.Open(ropt)
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	if rep := mustCheck(t, restored, false); rep.Total != 0 || rep.Stats != st {
		t.Fatalf("restored database: %d problems %v; stats %+v, Restore said %+v", rep.Total, rep.Problems, rep.Stats, st)
	}
	if st.Edges == 0 || st.Claims == 0 {
		t.Fatalf("restored stats %+v", st)
	}
	// Restoring the same backup again gives the same keys.
	again := diskOptions(t)
	again.Dir = filepath.Join(t.TempDir(), "again")
	if _, err := store.Restore(ctx, again, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	want, err := store.RawKVs(restored, nil)
	if err != nil {
		t.Fatal(err)
	}
	sameKVs(t, dump(t, again), want)
	if err := restored.CreateOutlet(ctx, &graph.Outlet{ID: "outlet:after-restore", Name: "x"}); err != nil {
		t.Fatalf("write after restore: %v", err)
	}

	t.Run("refuses a damaged or cut file and leaves nothing", func(t *testing.T) {
		flipped := bytes.Clone(data)
		flipped[len(flipped)/2] ^= 0x40
		for name, bad := range map[string][]byte{
			"empty":       nil,
			"not ours":    []byte("hello"),
			"cut":         data[:len(data)*2/3],
			"no checksum": data[:len(data)-4],
			"flipped bit": flipped,
			"trailing":    append(bytes.Clone(data), 'x'),
		} {
			dir := filepath.Join(t.TempDir(), "r")
			_, err := store.Restore(ctx, store.DefaultOptions(dir), bytes.NewReader(bad))
			if graph.ErrorCode(err) != graph.EINVALID {
				t.Errorf("%s: err = %v, want EINVALID", name, err)
			}
			if entries, _ := os.ReadDir(dir); len(entries) > 0 {
				t.Errorf("%s: left %d entries in the directory", name, len(entries))
			}
		}
	})
	t.Run("refuses a directory in use", func(t *testing.T) {
		if _, err := store.Restore(ctx, opt, bytes.NewReader(data)); graph.ErrorCode(err) != graph.ECONFLICT {
			t.Errorf("err = %v, want ECONFLICT", err)
		}
	})
}
