package store

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/pb"
	"google.golang.org/protobuf/proto"

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
	if err := db.unavailable(); err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	if _, err := bw.WriteString(backupMagic); err != nil {
		return err
	}
	fw := &frameWriter{ctx: ctx, w: bw}
	if err := db.live.with(func(bdb *badger.DB) error { _, err := bdb.Backup(fw, 0); return err }); err != nil {
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

// Bounds of what a backup may declare, checked before anything is
// allocated for it; memory grows with the bytes actually read, never with
// a declared length.
const (
	// maxRecord bounds one record of Badger's stream (a list of keys):
	// Badger's backup sends batches of about 100 MB.
	maxRecord = 1 << 30
	// maxEntry bounds one key and its value as stored in a record: a key
	// is at most Badger's 65,000 bytes and a value smaller than a value
	// log file (256 MB).
	maxEntry = 256 << 20
	// maxKeySize is Badger's limit on a key.
	maxKeySize = 65000
	// metaBits are the entry flags a backup may carry: deleted, value
	// pointer, discard earlier versions, merge (badger/structs.go); the
	// transaction bits are cleared by Badger's backup.
	metaBits = 0x0f
	// maxVersion keeps a restored version far from overflowing Badger's
	// next transaction timestamp.
	maxVersion = 1 << 62
)

// Restore loads a backup into a new database at opt.Dir, which must not
// exist, be empty, or hold a restore that did not finish (see generation.go).
//
// It reads the whole file twice. The first pass writes nothing: it checks
// the framing, the checksum, every record and every entry (see
// backupReader), so a damaged, cut or foreign file is refused as EINVALID
// and leaves the directory as it was. Input that cannot be read twice (a
// pipe) is copied into the directory during that pass and removed after.
// The second pass loads the entries into a first generation; CURRENT,
// which makes it live, is written last, and until then a marker names the
// directory as an unfinished restore, which every open refuses and which
// a new restore replaces. A failure in the second pass leaves the
// directory empty. It returns the restored graph's counts.
func Restore(ctx context.Context, opt Options, r io.Reader) (graph.Stats, error) {
	if opt.InMemory || opt.ReadOnly || opt.Dir == "" {
		return graph.Stats{}, graph.Errorf(graph.EINVALID, "a restore needs a database directory to write")
	}
	existed, err := restorable(opt.Dir)
	if err != nil {
		return graph.Stats{}, err
	}
	_, lerr := os.Lstat(filepath.Join(opt.Dir, lockFile))
	hadLock := lerr == nil
	l, err := lockLayout(opt.Dir)
	if err != nil {
		return graph.Stats{}, err
	}
	st, verified, err := restore(ctx, opt, l, r)
	if err != nil {
		if verified {
			// The directory was empty or held an unfinished restore, which
			// this one has replaced: leave it empty.
			clearDir(opt.Dir, lockFile)
		} else {
			_ = os.Remove(filepath.Join(opt.Dir, restoreSpool))
		}
		if !hadLock {
			_ = os.Remove(filepath.Join(opt.Dir, lockFile))
		}
	}
	l.close()
	if err != nil && !existed {
		_ = os.Remove(opt.Dir)
	}
	return st, err
}

// RestoreOver replaces the database at opt.Dir, which no process may have
// open, with a backup: the backup is verified whole first (as Restore
// does), loaded into a new generation beside the live one and made live by
// one rename of CURRENT (generation.go), so a failure or a crash at any
// moment leaves the old database or the restored one, never neither nor a
// mix. A directory that does not exist, is empty or holds an unfinished
// restore is restored into as by Restore. It returns the restored graph's
// counts.
func RestoreOver(ctx context.Context, opt Options, r io.Reader) (graph.Stats, error) {
	if opt.InMemory || opt.ReadOnly || opt.Dir == "" {
		return graph.Stats{}, graph.Errorf(graph.EINVALID, "a restore needs a database directory to write")
	}
	if entries, err := os.ReadDir(opt.Dir); errors.Is(err, os.ErrNotExist) || (err == nil && len(entries) == 0) || restoring(opt.Dir) {
		return Restore(ctx, opt, r)
	}
	l, err := openLayout(opt.Dir, false)
	if err != nil {
		return graph.Stats{}, err
	}
	defer l.close()
	spool := filepath.Join(l.dir, restoreSpool)
	_ = os.Remove(spool) // left by a restore cut short
	src, err := rereadableInput(r, spool)
	if err != nil {
		return graph.Stats{}, err
	}
	defer src.Close()
	if err := VerifyBackup(ctx, src); err != nil {
		return graph.Stats{}, err
	}
	if err := src.rewind(); err != nil {
		return graph.Stats{}, err
	}
	gen := l.next()
	dir := l.path(gen)
	fail := func(err error) (graph.Stats, error) {
		_ = os.RemoveAll(dir)
		return graph.Stats{}, err
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		return fail(err)
	}
	if err := loadInto(ctx, opt, dir, src); err != nil {
		return fail(err)
	}
	st, err := statsOf(ctx, opt, dir)
	if err != nil {
		return fail(err)
	}
	if err := l.switchTo(gen); err != nil {
		return fail(fmt.Errorf("make the restored generation live: %w", err))
	}
	if err := l.removeStale(); err != nil {
		opt.Logger.Warn().Err(err).Msg("restore: remove the replaced generation")
	}
	return st, nil
}

// restorable reports whether dir existed; it refuses a directory that
// holds anything but an unfinished restore.
func restorable(dir string) (bool, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if len(entries) > 0 && !restoring(dir) {
		return true, graph.Errorf(graph.ECONFLICT, "%s is not empty: restore into a new directory", dir)
	}
	return true, nil
}

// restore verifies the backup r and then loads it; verified reports
// whether the first pass was passed (and the directory changed).
func restore(ctx context.Context, opt Options, l *layout, r io.Reader) (st graph.Stats, verified bool, err error) {
	src, err := rereadableInput(r, filepath.Join(l.dir, restoreSpool))
	if err != nil {
		return st, false, err
	}
	defer src.Close()
	if err := VerifyBackup(ctx, src); err != nil {
		return st, false, err
	}
	if err := src.rewind(); err != nil {
		return st, false, err
	}
	// Verified: replace whatever the directory holds (nothing, or an
	// unfinished restore) with this one.
	if err := l.beginRestore(); err != nil {
		return st, true, err
	}
	gen := l.next()
	dir := l.path(gen)
	if err := os.Mkdir(dir, 0o755); err != nil {
		return st, true, err
	}
	if err := loadInto(ctx, opt, dir, src); err != nil {
		return st, true, err
	}
	if st, err = statsOf(ctx, opt, dir); err != nil {
		return st, true, err
	}
	if err := l.switchTo(gen); err != nil {
		return st, true, err
	}
	if err := src.Close(); err != nil {
		return st, true, err
	}
	return st, true, l.endRestore()
}

// loadInto writes the entries of the backup src into a new Badger
// database at dir. src was verified, but it is checked again on the way
// (the file may have changed since), so Badger only ever sees entries
// that passed every check; the checksum at the end fails the restore if
// anything differs.
func loadInto(ctx context.Context, opt Options, dir string, src io.Reader) (err error) {
	bdb, err := badger.Open(badgerOptions(opt, dir))
	if err != nil {
		return fmt.Errorf("open badger at %q: %w", dir, err)
	}
	defer func() {
		if cerr := bdb.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("close badger: %w", cerr)
		}
	}()
	br, err := newBackupReader(ctx, src)
	if err != nil {
		return err
	}
	ldr := bdb.NewKVLoader(4)
	for {
		kv, err := br.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			_ = ldr.Finish()
			return err
		}
		if err := ldr.Set(kv); err != nil {
			_ = ldr.Finish()
			return fmt.Errorf("restore: %w", err)
		}
	}
	if err := ldr.Finish(); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	return nil
}

// statsOf opens the restored generation again (Badger's KVLoader leaves
// the open database's read timestamp behind the restored versions; an
// open computes it from them) and counts its graph.
func statsOf(ctx context.Context, opt Options, dir string) (graph.Stats, error) {
	bdb, err := badger.Open(badgerOptions(opt, dir))
	if err != nil {
		return graph.Stats{}, fmt.Errorf("open badger at %q: %w", dir, err)
	}
	db := &DB{live: newLiveKV(bdb, ""), kv: badgerKV{bdb}, log: opt.Logger, fault: newFault(dir, -1)}
	st, err := db.Stats(ctx)
	if cerr := bdb.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close badger: %w", cerr)
	}
	return st, err
}

// VerifyBackup reads a whole backup and checks it without loading it: its
// framing and checksum, and that every record is a list of entries each
// with a key of hearsay's layout, a version, known flags and bounded
// sizes. Nothing is allocated for a declared length before its bytes have
// been read.
func VerifyBackup(ctx context.Context, r io.Reader) error {
	br, err := newBackupReader(ctx, r)
	if err != nil {
		return err
	}
	for {
		if _, err := br.next(); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
	}
}

// backupReader reads the entries of a backup one at a time. Badger's
// stream inside the frames is a sequence of records, each a little-endian
// uint64 length and a protobuf KVList of that length; a KVList is a
// sequence of fields 1, each a length-prefixed protobuf KV.
type backupReader struct {
	fr      *frameReader
	r       *bufio.Reader // reads fr
	left    uint64        // bytes left in the current record
	records int
	entries int
}

func newBackupReader(ctx context.Context, r io.Reader) (*backupReader, error) {
	fbr := bufio.NewReaderSize(r, 1<<20)
	magic := make([]byte, len(backupMagic))
	if _, err := io.ReadFull(fbr, magic); err != nil || string(magic) != backupMagic {
		return nil, errBadBackup("it does not start with %q", backupMagic[:len(backupMagic)-1])
	}
	fr := &frameReader{ctx: ctx, r: fbr}
	return &backupReader{fr: fr, r: bufio.NewReaderSize(fr, 64<<10)}, nil
}

// next returns the next entry, checked; io.EOF after the last one, once
// the checksum has matched.
func (b *backupReader) next() (*pb.KV, error) {
	for b.left == 0 {
		var hdr [8]byte
		n, err := io.ReadFull(b.r, hdr[:])
		if n == 0 && err == io.EOF {
			if !b.fr.done {
				return nil, errBadBackup("it ends before its last frame")
			}
			return nil, io.EOF
		}
		if err != nil {
			return nil, b.fail("it ends inside the header of record %d", b.records+1)
		}
		b.records++
		b.left = binary.LittleEndian.Uint64(hdr[:])
		if b.left > maxRecord {
			return nil, errBadBackup("record %d declares %d bytes (at most %d)", b.records, b.left, maxRecord)
		}
	}
	tag, err := b.uvarint()
	if err != nil {
		return nil, err
	}
	if tag != 1<<3|2 { // field 1, length-delimited
		return nil, errBadBackup("record %d holds field %d of wire type %d, not an entry", b.records, tag>>3, tag&7)
	}
	size, err := b.uvarint()
	if err != nil {
		return nil, err
	}
	if size > maxEntry || size > b.left {
		return nil, errBadBackup("an entry of record %d declares %d bytes (at most %d, and %d left in the record)",
			b.records, size, uint64(maxEntry), b.left)
	}
	buf, err := b.read(int(size))
	if err != nil {
		return nil, err
	}
	b.entries++
	kv := new(pb.KV)
	if err := proto.Unmarshal(buf, kv); err != nil {
		return nil, errBadBackup("entry %d is not an entry: %v", b.entries, err)
	}
	if err := checkEntry(kv); err != nil {
		return nil, errBadBackup("entry %d: %v", b.entries, err)
	}
	return kv, nil
}

// uvarint reads a varint inside the current record.
func (b *backupReader) uvarint() (uint64, error) {
	var v uint64
	for i := 0; ; i++ {
		if b.left == 0 || i == binary.MaxVarintLen64 {
			return 0, errBadBackup("record %d ends inside a number", b.records)
		}
		c, err := b.r.ReadByte()
		if err != nil {
			return 0, b.fail("it ends inside record %d", b.records)
		}
		b.left--
		v |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			return v, nil
		}
	}
}

// read reads n bytes of the current record, allocating as they come.
func (b *backupReader) read(n int) ([]byte, error) {
	var buf []byte
	if n <= 64<<10 {
		buf = make([]byte, n)
		if _, err := io.ReadFull(b.r, buf); err != nil {
			return nil, b.fail("it ends inside record %d", b.records)
		}
	} else {
		var bb bytes.Buffer
		if _, err := io.CopyN(&bb, b.r, int64(n)); err != nil {
			return nil, b.fail("it ends inside record %d", b.records)
		}
		buf = bb.Bytes()
	}
	b.left -= uint64(n)
	return buf, nil
}

// fail returns the frame reader's error if it has one (a damaged or cut
// frame, a cancelled context), else a bad-backup error.
func (b *backupReader) fail(format string, args ...any) error {
	if b.fr.err != nil {
		return b.fr.err
	}
	return errBadBackup(format, args...)
}

// checkEntry checks one entry of a backup.
func checkEntry(kv *pb.KV) error {
	switch {
	case len(kv.Key) == 0 || len(kv.Key) > maxKeySize:
		return fmt.Errorf("a key of %d bytes", len(kv.Key))
	case kv.Version == 0 || kv.Version >= maxVersion:
		return fmt.Errorf("version %d", kv.Version)
	case len(kv.Meta) > 1 || len(kv.UserMeta) > 1 || (len(kv.Meta) == 1 && kv.Meta[0]&^metaBits != 0):
		return fmt.Errorf("unknown flags %x/%x", kv.Meta, kv.UserMeta)
	case kv.StreamDone:
		return errors.New("a stream marker")
	}
	if _, err := parseKey(kv.Key); err != nil {
		return fmt.Errorf("key %q is not one of hearsay's", kv.Key)
	}
	return nil
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
			return 0, f.fail(err, "it is cut short")
		}
		if n == 0 {
			var sum [4]byte
			if _, err := io.ReadFull(f.r, sum[:]); err != nil {
				return 0, f.fail(err, "its checksum is cut short")
			}
			if binary.BigEndian.Uint32(sum[:]) != f.sum {
				return 0, f.fail(nil, "its checksum does not match: the file is damaged")
			}
			if _, err := f.r.ReadByte(); err != io.EOF {
				return 0, f.fail(err, "there is data after its end")
			}
			f.done = true
			return 0, io.EOF
		}
		if n > 1<<30 {
			return 0, f.fail(nil, "a frame of %d bytes", n)
		}
		f.left = int(n)
	}
	if len(p) > f.left {
		p = p[:f.left]
	}
	n, err := f.r.Read(p)
	f.left -= n
	f.sum = crc32.Update(f.sum, castagnoli, p[:n])
	switch {
	case err == io.EOF && f.left > 0:
		return n, f.fail(err, "it is cut short")
	case err == io.EOF:
		err = nil
	case err != nil:
		return n, f.fail(err, "")
	}
	return n, err
}

// fail records and returns the error of a read: the reader's own when it
// failed (not a damaged file, a failing disk or pipe), else a bad backup.
func (f *frameReader) fail(err error, format string, args ...any) error {
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		f.err = fmt.Errorf("read the backup: %w", err)
	} else {
		f.err = errBadBackup(format, args...)
	}
	return f.err
}

// restoreSpool is where a restore keeps a copy of input it cannot read
// twice.
const restoreSpool = "restore.spool"

// rereadable is a restore's input, read once to verify it and once to
// load it.
type rereadable struct {
	io.Reader
	rewind func() error
	close  func() error
}

func (r *rereadable) Close() error {
	if r.close == nil {
		return nil
	}
	c := r.close
	r.close = nil
	return c()
}

// rereadableInput returns r as it can be read twice: a file read again
// from where it started, anything else copied into spool on the first
// read.
func rereadableInput(r io.Reader, spool string) (*rereadable, error) {
	if s, ok := r.(io.ReadSeeker); ok {
		if at, err := s.Seek(0, io.SeekCurrent); err == nil {
			return &rereadable{Reader: r, rewind: func() error {
				_, err := s.Seek(at, io.SeekStart)
				return err
			}}, nil
		}
	}
	f, err := os.OpenFile(spool, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("copy the backup: %w", err)
	}
	out := &rereadable{close: func() error {
		f.Close()
		return os.Remove(spool)
	}}
	bw := bufio.NewWriterSize(f, 1<<20)
	out.Reader = io.TeeReader(r, writerFunc(func(p []byte) (int, error) {
		n, err := bw.Write(p)
		if err != nil {
			err = fmt.Errorf("copy the backup: %w", err)
		}
		return n, err
	}))
	out.rewind = func() error {
		if err := bw.Flush(); err != nil {
			return fmt.Errorf("copy the backup: %w", err)
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		out.Reader = f
		return nil
	}
	return out, nil
}

type writerFunc func([]byte) (int, error)

func (w writerFunc) Write(p []byte) (int, error) { return w(p) }
