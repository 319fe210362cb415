package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"hearsay/graph"
)

// Backuper is what /admin/backup needs from the graph; store.DB has it.
type Backuper interface {
	Backup(ctx context.Context, w io.Writer) error
}

// serveBackup streams a backup of the whole database: GET /admin/backup
// with the write token. It is how the database is backed up while the
// server holds it ('hearsay backup' finds the server and calls it). The
// backup is a consistent snapshot and does not hold up writes. Its last
// bytes are a checksum: a backup cut short by a failure here is refused by
// 'hearsay restore'.
func (s *Server) serveBackup(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		s.writeRefusal(w, r, refuse(http.StatusMethodNotAllowed, CodeBadUserInput, "GET /admin/backup with the write token."))
		return
	}
	if herr := s.authorize(r); herr != nil {
		s.writeRefusal(w, r, herr)
		return
	}
	b, ok := s.cfg.Graph.(Backuper)
	if !ok {
		s.writeRefusal(w, r, refuse(http.StatusNotImplemented, CodeInternal, "This server's store cannot make backups."))
		return
	}
	// A backup outlasts the write timeout meant for GraphQL answers.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", `attachment; filename="hearsay.backup"`)
	w.Header().Set("Cache-Control", "no-store")
	if err := b.Backup(r.Context(), w); err != nil {
		logger(r.Context()).Error().Err(err).Msg("backup failed part way; the client's file will not verify")
	}
}

// serveReplica answers GET /admin/replica, with the write token (it
// reads every key), on a replicated node: its graph.ReplicaStatus as
// JSON. 'hearsay replica status --server' compares nodes with it.
func (s *Server) serveReplica(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		s.writeRefusal(w, r, refuse(http.StatusMethodNotAllowed, CodeBadUserInput, "GET /admin/replica with the write token."))
		return
	}
	if herr := s.authorize(r); herr != nil {
		s.writeRefusal(w, r, herr)
		return
	}
	rs, ok := s.cfg.Graph.(graph.ReplicaStatuser)
	if !ok {
		s.writeRefusal(w, r, refuse(http.StatusNotFound, CodeNotFound, "This server is not a replicated node (serve --nats)."))
		return
	}
	st, err := rs.ReplicaStatus(r.Context())
	if err != nil {
		logger(r.Context()).Error().Err(err).Msg("replica status")
		s.writeRefusal(w, r, refuse(http.StatusServiceUnavailable, CodeStorage, "The node could not read its database: %s", graph.ErrorMessage(err)))
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(st)
}
