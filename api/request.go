package api

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// A POST body is read whole into a pooled buffer (it is bounded by
// Config.MaxBodyBytes) and decoded by decodeRequest: a one-pass reader of
// the shape clients send — an object of "query", "operationName",
// "variables" and "extensions" — that hands only escaped strings, the
// variables and the extensions to encoding/json. Any other shape (other
// keys, a repeated key, other kinds, bad JSON) goes to encoding/json
// whole, so that what is accepted, and every error message, is exactly
// encoding/json's; FuzzDecodeRequest holds the two to the same results.

// buffers holds the buffers request bodies are read into and answers are
// encoded into, so that a request does not grow new ones through six
// doublings: nothing decoded points into a body's buffer (strings are
// copied), and an answer's is released once written.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuffer is the largest buffer put back in the pool: a rare
// large one is left to the collector.
const maxPooledBuffer = 64 << 10

func getBuffer() *bytes.Buffer {
	b := buffers.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

// putBuffer releases b; nothing may use it after.
func putBuffer(b *bytes.Buffer) {
	if b != nil && b.Cap() <= maxPooledBuffer {
		buffers.Put(b)
	}
}

// decodeRequest decodes a JSON request body into req, as
// json.NewDecoder(bytes.NewReader(body)).Decode(req) would, and returns
// errTrailing when more than white space follows the object.
func decodeRequest(body []byte, req *request) error {
	if fastRequest(body, req) {
		return nil
	}
	*req = request{}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(req); err != nil {
		return err
	}
	// Decoder.More is false for a stray closing bracket: Token tells.
	if _, err := dec.Token(); err != io.EOF {
		return errTrailing
	}
	return nil
}

// errTrailing is the error of a body holding more than one JSON value.
var errTrailing = &trailingError{}

type trailingError struct{}

func (*trailingError) Error() string { return "more than one JSON value" }

// fastRequest decodes the common shape of a request body into req and
// reports whether it could; when it reports false, req may hold part of
// the body and must be decoded again.
func fastRequest(b []byte, req *request) bool {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return skipSpace(b, i+1) == len(b)
	}
	for {
		key, j, ok := plainKey(b, i)
		if !ok {
			return false
		}
		i = skipSpace(b, j)
		if i >= len(b) || b[i] != ':' {
			return false
		}
		i = skipSpace(b, i+1)
		var str *string
		var obj *map[string]any
		switch string(key) {
		case "query":
			str = &req.Query
		case "operationName":
			str = &req.OperationName
		case "variables":
			obj = &req.Variables
		case "extensions":
			obj = &req.Extensions
		default:
			// Other keys match fields case-insensitively, or not at
			// all, in encoding/json: left to it.
			return false
		}
		if str != nil {
			if *str != "" {
				return false // repeated: left to encoding/json
			}
			*str, i, ok = stringValue(b, i)
		} else {
			if *obj != nil {
				return false // repeated: encoding/json merges the maps
			}
			*obj, i, ok = objectValue(b, i)
		}
		if !ok {
			return false
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return false
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			return skipSpace(b, i+1) == len(b)
		default:
			return false
		}
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// plainKey reads the JSON string at b[i] when it is printable ASCII
// without escapes, as every key fastRequest takes is. It returns its bytes
// and the index after the closing quote.
func plainKey(b []byte, i int) ([]byte, int, bool) {
	if i >= len(b) || b[i] != '"' {
		return nil, 0, false
	}
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return b[i+1 : j], j + 1, true
		case c < 0x20 || c == '\\' || c >= utf8.RuneSelf:
			return nil, 0, false
		}
	}
	return nil, 0, false
}

// stringValue reads the JSON string at b[i] and returns its value and the
// index after it: a string without escapes or bad UTF-8 is its bytes.
func stringValue(b []byte, i int) (string, int, bool) {
	if i >= len(b) || b[i] != '"' {
		return "", 0, false
	}
	plain, ascii := true, true
	j := i + 1
	for ; j < len(b) && b[j] != '"'; j++ {
		switch c := b[j]; {
		case c == '\\':
			plain = false
			j++ // the escaped byte, a quote perhaps
		case c < 0x20:
			return "", 0, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	if j >= len(b) {
		return "", 0, false
	}
	s := b[i+1 : j]
	if plain && (ascii || utf8.Valid(s)) {
		return string(s), j + 1, true
	}
	v, ok := unquote(s)
	return v, j + 1, ok
}

// unquote decodes the escapes of a JSON string's bytes s (between its
// quotes, without control characters) as encoding/json does: a lone or
// unpaired surrogate escape, and a byte that is not UTF-8, become U+FFFD.
// It reports false for an escape JSON does not have.
func unquote(s []byte) (string, bool) {
	var out strings.Builder
	out.Grow(len(s)) // escapes only shrink
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\':
			if i+1 >= len(s) {
				return "", false
			}
			switch e := s[i+1]; e {
			case '"', '\\', '/':
				out.WriteByte(e)
			case 'b':
				out.WriteByte('\b')
			case 'f':
				out.WriteByte('\f')
			case 'n':
				out.WriteByte('\n')
			case 'r':
				out.WriteByte('\r')
			case 't':
				out.WriteByte('\t')
			case 'u':
				r, ok := hex4(s[i+2:])
				if !ok {
					return "", false
				}
				i += 6
				if utf16.IsSurrogate(r) {
					if len(s) >= i+2 && s[i] == '\\' && s[i+1] == 'u' {
						if r2, ok := hex4(s[i+2:]); ok {
							if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
								out.WriteRune(d)
								i += 6
								continue
							}
						}
					}
					r = utf8.RuneError
				}
				out.WriteRune(r)
				continue
			default:
				return "", false
			}
			i += 2
		case c < utf8.RuneSelf:
			out.WriteByte(c)
			i++
		default:
			r, n := utf8.DecodeRune(s[i:])
			out.WriteRune(r) // RuneError for a bad byte, as encoding/json
			i += n
		}
	}
	return out.String(), true
}

// hex4 reads the four hex digits of a \u escape.
func hex4(s []byte) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range s[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r*16 + rune(c)
	}
	return r, true
}

// objectValue decodes the JSON object or null at b[i] and returns it and
// the index after it. Its end is found by matching brackets outside
// strings; whether it is valid JSON is for json.Unmarshal to say.
func objectValue(b []byte, i int) (map[string]any, int, bool) {
	end, ok := objectEnd(b, i)
	if !ok {
		return nil, 0, false
	}
	var m map[string]any
	if err := json.Unmarshal(b[i:end], &m); err != nil {
		return nil, 0, false
	}
	return m, end, true
}

func objectEnd(b []byte, i int) (int, bool) {
	if bytes.HasPrefix(b[i:], []byte("null")) {
		return i + 4, true
	}
	if i >= len(b) || b[i] != '{' {
		return 0, false
	}
	depth := 0
	for ; i < len(b); i++ {
		switch b[i] {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i + 1, true
			}
		case '"':
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
		}
	}
	return 0, false
}
