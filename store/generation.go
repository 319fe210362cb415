package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"hearsay/graph"
)

// A database directory holds generations, each a whole Badger database,
// and names the live one in CURRENT:
//
//	DIR/hearsay.lock   locked while the database is open: exclusively
//	                   for writing, shared for reading
//	DIR/CURRENT        the live generation's name and a newline: "g000001\n"
//	DIR/g000001/       the live generation
//	DIR/g000002/       a bulk load being built, not yet named in CURRENT
//	DIR/g000002.sort/  the bulk load's sorted runs
//
// A bulk load builds a whole new generation beside the live one and makes
// it live by replacing CURRENT with one rename, so a crash at any moment
// leaves either the old generation or the new one live, never a mix.
// Opening for writing removes every generation that CURRENT does not name:
// an interrupted load's, or the one a finished load replaced.
//
// A restore (backup.go) writes DIR/RESTORING before its first generation
// and removes it after CURRENT: every open refuses a directory that holds
// it, so a restore cut short is never taken for a database, and a new
// restore replaces it.
const (
	currentFile   = "CURRENT"
	lockFile      = "hearsay.lock"
	restoreMarker = "RESTORING"
)

var genName = regexp.MustCompile(`^g[0-9]{6}$`)

// layout is an open database directory: its lock and its live generation.
type layout struct {
	dir  string
	gen  string // the live generation's name; "" when there is none yet
	lock *os.File
}

// openLayout locks dir and reads its live generation. For writing it
// creates dir and a first generation when there is none, and removes stale
// generations.
func openLayout(dir string, readOnly bool) (*layout, error) {
	if !readOnly {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("create database directory: %w", err)
		}
	} else if _, err := os.Stat(dir); err != nil {
		return nil, graph.Errorf(graph.ENOTFOUND, "no database at %s", dir)
	}
	if _, err := os.Stat(filepath.Join(dir, "MANIFEST")); err == nil {
		return nil, graph.Errorf(graph.EINVALID,
			"%s holds a Badger database written directly, by a hearsay build older than the generation layout; "+
				"export it with that build and load the export into a new directory", dir)
	}
	lock, err := lockDir(filepath.Join(dir, lockFile), readOnly)
	if err != nil {
		return nil, err
	}
	l := &layout{dir: dir, lock: lock}
	if restoring(dir) {
		l.close()
		return nil, graph.Errorf(graph.EINVALID,
			"%s holds a restore that did not finish: run 'hearsay restore' into it again (it replaces it), or remove it", dir)
	}
	if err := l.init(readOnly); err != nil {
		l.close()
		return nil, err
	}
	return l, nil
}

// lockLayout creates dir if needed and locks it for writing, without
// reading or creating a generation: a restore's start.
func lockLayout(dir string) (*layout, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create database directory: %w", err)
	}
	lock, err := lockDir(filepath.Join(dir, lockFile), false)
	if err != nil {
		return nil, err
	}
	return &layout{dir: dir, lock: lock}, nil
}

// restoring reports whether dir holds a restore that did not finish.
func restoring(dir string) bool {
	_, err := os.Lstat(filepath.Join(dir, restoreMarker))
	return err == nil
}

// beginRestore empties the directory but for its lock and marks it as
// being restored, durably, before anything of the restore is written.
func (l *layout) beginRestore() error {
	f, err := os.OpenFile(filepath.Join(l.dir, restoreMarker), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := syncDir(l.dir); err != nil {
		return err
	}
	clearDir(l.dir, lockFile, restoreMarker, restoreSpool)
	l.gen = ""
	return nil
}

// endRestore removes the marker once CURRENT names the restored
// generation.
func (l *layout) endRestore() error {
	if err := os.Remove(filepath.Join(l.dir, restoreMarker)); err != nil {
		return err
	}
	return syncDir(l.dir)
}

// clearDir removes every entry of dir but those named in keep.
func clearDir(dir string, keep ...string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !slices.Contains(keep, e.Name()) {
			_ = os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}

func (l *layout) init(readOnly bool) error {
	gen, err := readCurrent(l.dir)
	if err != nil {
		return err
	}
	l.gen = gen
	if readOnly {
		if gen == "" {
			return graph.Errorf(graph.ENOTFOUND, "no database at %s", l.dir)
		}
		return nil
	}
	if err := l.removeStale(); err != nil {
		return err
	}
	if gen == "" {
		if err := l.switchTo(l.next()); err != nil {
			return err
		}
	}
	return nil
}

// readCurrent returns the generation CURRENT names, or "" when there is no
// CURRENT.
func readCurrent(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, currentFile))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read %s: %w", currentFile, err)
	}
	gen := strings.TrimSuffix(string(b), "\n")
	if !genName.MatchString(gen) {
		return "", fmt.Errorf("%s: %s names %q, not a generation", dir, currentFile, gen)
	}
	return gen, nil
}

// path returns the directory of a generation.
func (l *layout) path(gen string) string { return filepath.Join(l.dir, gen) }

// live returns the directory of the live generation.
func (l *layout) live() string { return l.path(l.gen) }

// next returns the name of the generation after the live one.
func (l *layout) next() string {
	n := 0
	if l.gen != "" {
		n, _ = strconv.Atoi(l.gen[1:])
	}
	return fmt.Sprintf("g%06d", n+1)
}

// removeStale removes every generation, and every sort directory, that
// CURRENT does not name.
func (l *layout) removeStale() error {
	entries, err := os.ReadDir(l.dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := e.Name()
		base := strings.TrimSuffix(name, ".sort")
		if !genName.MatchString(base) || name == l.gen {
			continue
		}
		if err := os.RemoveAll(filepath.Join(l.dir, name)); err != nil {
			return fmt.Errorf("remove stale generation: %w", err)
		}
	}
	return nil
}

// switchTo makes gen the live generation: CURRENT is written beside, synced
// and renamed over the old one, and the directory is synced, so that after
// a crash CURRENT names either the old generation or gen.
func (l *layout) switchTo(gen string) error {
	if err := os.MkdirAll(l.path(gen), 0o755); err != nil {
		return err
	}
	tmp := filepath.Join(l.dir, currentFile+".tmp")
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(gen + "\n"); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(l.dir, currentFile)); err != nil {
		return err
	}
	if err := syncDir(l.dir); err != nil {
		return err
	}
	l.gen = gen
	return nil
}

// syncDir makes a directory's entries durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

func (l *layout) close() {
	if l != nil && l.lock != nil {
		unlockDir(l.lock)
		l.lock = nil
	}
}
