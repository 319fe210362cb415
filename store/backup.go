package store

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"

	"github.com/dgraph-io/badger/v4"

	"hearsay/graph"
)

// A backup is a consistent snapshot of the live generation in Badger's
// backup format, framed so that a truncated or damaged file is refused
// before anything is restored from it:
//
//	"HEARSAY-BACKUP 1\n"
//	frames: uvarint(n) | n bytes of Badger's stream   (n > 0)
//	end:    uvarint(0) | CRC-32C of every frame's bytes (4 bytes, big-endian)
const backupMagic = "HEARSAY-BACKUP 1\n"

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Backup writes a backup of the database to w from one snapshot; writes
// committed meanwhile are not in it, and are not held up by it.
func (db *DB) Backup(ctx context.Context, w io.Writer) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	if _, err := bw.WriteString(backupMagic); err != nil {
		return err
	}
	fw := &frameWriter{ctx: ctx, w: bw}
	if _, err := db.db.Backup(fw, 0); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	var end [binary.MaxVarintLen64 + 4]byte
	n := binary.PutUvarint(end[:], 0)
	binary.BigEndian.PutUint32(end[n:], fw.sum)
	if _, err := bw.Write(end[:n+4]); err != nil {
		return err
	}
	return bw.Flush()
}

type frameWriter struct {
	ctx context.Context
	w   *bufio.Writer
	sum uint32
}

func (f *frameWriter) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if err := f.ctx.Err(); err != nil {
		return 0, err
	}
	var hdr [binary.MaxVarintLen64]byte
	if _, err := f.w.Write(hdr[:binary.PutUvarint(hdr[:], uint64(len(p)))]); err != nil {
		return 0, err
	}
	f.sum = crc32.Update(f.sum, castagnoli, p)
	return f.w.Write(p)
}

// errBadBackup wraps what is wrong with a backup file.
func errBadBackup(format string, args ...any) error {
	return graph.Errorf(graph.EINVALID, "not a complete hearsay backup: "+format, args...)
}

// Restore loads a backup into a new database at opt.Dir, which must not
// exist or be empty. The backup is loaded into a new generation that
// becomes live only once the whole file has been read and its checksum
// matched, so a bad file leaves nothing behind. It returns the restored
// graph's counts.
func Restore(ctx context.Context, opt Options, r io.Reader) (graph.Stats, error) {
	if opt.InMemory || opt.ReadOnly || opt.Dir == "" {
		return graph.Stats{}, graph.Errorf(graph.EINVALID, "a restore needs a database directory to write")
	}
	if entries, err := os.ReadDir(opt.Dir); err == nil && len(entries) > 0 {
		return graph.Stats{}, graph.Errorf(graph.ECONFLICT, "%s is not empty: restore into a new directory", opt.Dir)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return graph.Stats{}, err
	}
	br := bufio.NewReaderSize(r, 1<<20)
	magic := make([]byte, len(backupMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != backupMagic {
		return graph.Stats{}, errBadBackup("it does not start with %q", backupMagic[:len(backupMagic)-1])
	}
	l, err := openLayout(opt.Dir, false)
	if err != nil {
		return graph.Stats{}, err
	}
	gen := l.next()
	st, err := restoreInto(ctx, opt, l.path(gen), br)
	if err == nil {
		err = l.switchTo(gen)
	}
	if err == nil {
		err = l.removeStale()
	}
	l.close()
	if err != nil {
		// The directory was empty: leave it so.
		if entries, rerr := os.ReadDir(opt.Dir); rerr == nil {
			for _, e := range entries {
				_ = os.RemoveAll(filepath.Join(opt.Dir, e.Name()))
			}
		}
		return graph.Stats{}, err
	}
	return st, nil
}

func restoreInto(ctx context.Context, opt Options, dir string, br *bufio.Reader) (st graph.Stats, err error) {
	bdb, err := badger.Open(badgerOptions(opt, dir))
	if err != nil {
		return st, fmt.Errorf("open badger at %q: %w", dir, err)
	}
	defer func() {
		if cerr := bdb.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("close badger: %w", cerr)
		}
	}()
	fr := &frameReader{ctx: ctx, r: br}
	if err := bdb.Load(fr, 256); err != nil {
		if fr.err != nil {
			return st, fr.err
		}
		return st, errBadBackup("%v", err)
	}
	if !fr.done {
		return st, errBadBackup("it ends before its last frame")
	}
	db := &DB{db: bdb, log: opt.Logger, maxRetries: 1}
	return db.Stats(ctx)
}

// frameReader turns the frames back into Badger's stream and checks the
// checksum at the end.
type frameReader struct {
	ctx  context.Context
	r    *bufio.Reader
	left int
	sum  uint32
	done bool
	err  error
}

func (f *frameReader) Read(p []byte) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	if f.done {
		return 0, io.EOF
	}
	if err := f.ctx.Err(); err != nil {
		f.err = err
		return 0, err
	}
	for f.left == 0 {
		n, err := binary.ReadUvarint(f.r)
		if err != nil {
			f.err = errBadBackup("it is cut short")
			return 0, f.err
		}
		if n == 0 {
			var sum [4]byte
			if _, err := io.ReadFull(f.r, sum[:]); err != nil {
				f.err = errBadBackup("its checksum is cut short")
				return 0, f.err
			}
			if binary.BigEndian.Uint32(sum[:]) != f.sum {
				f.err = errBadBackup("its checksum does not match: the file is damaged")
				return 0, f.err
			}
			if _, err := f.r.ReadByte(); err != io.EOF {
				f.err = errBadBackup("there is data after its end")
				return 0, f.err
			}
			f.done = true
			return 0, io.EOF
		}
		if n > 1<<30 {
			f.err = errBadBackup("a frame of %d bytes", n)
			return 0, f.err
		}
		f.left = int(n)
	}
	if len(p) > f.left {
		p = p[:f.left]
	}
	n, err := f.r.Read(p)
	f.left -= n
	f.sum = crc32.Update(f.sum, castagnoli, p[:n])
	if err == io.EOF {
		if f.left > 0 {
			f.err = errBadBackup("it is cut short")
			return n, f.err
		}
		err = nil
	}
	return n, err
}

// VerifyBackup reads a whole backup and checks its framing and checksum
// without loading it.
func VerifyBackup(ctx context.Context, r io.Reader) error {
	br := bufio.NewReaderSize(r, 1<<20)
	magic := make([]byte, len(backupMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != backupMagic {
		return errBadBackup("it does not start with %q", backupMagic[:len(backupMagic)-1])
	}
	fr := &frameReader{ctx: ctx, r: br}
	if _, err := io.Copy(io.Discard, fr); err != nil {
		return err
	}
	if !fr.done {
		return errBadBackup("it ends before its last frame")
	}
	return nil
}
