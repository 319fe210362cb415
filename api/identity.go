package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
)

// A client that finds a server's address in a file (`hearsay backup`
// reads server.url in the database directory) must not send the write
// token before it knows that the address is still that server's: the
// server may have stopped and another program taken its port. The server
// keeps a random key, written beside server.url and readable by the
// database's owner only; a client sends a random challenge to /healthz in
// HeaderChallenge and the server answers HeaderProof, the challenge's
// HMAC-SHA256 under the key. Only a process that can read the key can
// answer, and an answer seen once is worth nothing for another challenge.
const (
	HeaderChallenge = "X-Hearsay-Challenge"
	HeaderProof     = "X-Hearsay-Proof"
	// maxChallengeBytes bounds the challenge a server hashes.
	maxChallengeBytes = 64
)

// proveIdentity answers a /healthz challenge when the server has a key.
// A challenge that is not hex of 16 to 64 bytes gets no answer.
func (s *Server) proveIdentity(w http.ResponseWriter, r *http.Request) {
	c := r.Header.Get(HeaderChallenge)
	if len(s.cfg.InstanceKey) == 0 || c == "" || len(c) > 2*maxChallengeBytes {
		return
	}
	challenge, err := hex.DecodeString(c)
	if err != nil || len(challenge) < 16 {
		return
	}
	w.Header().Set(HeaderProof, hex.EncodeToString(Proof(s.cfg.InstanceKey, challenge)))
}

// Proof is what a server holding key answers to challenge.
func Proof(key, challenge []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(challenge)
	return m.Sum(nil)
}
