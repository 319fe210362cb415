package api

import (
	"testing"

	"hearsay/graph"
)

func TestExtractArgsNotUTF8(t *testing.T) {
	// Ensure a text that is not UTF-8 (which JSON requests cannot carry,
	// their decoder replaces such bytes) is refused naming the byte offset,
	// with the CLI's message.
	_, _, err := extractArgs(map[string]any{"text": "Zoë said \xff"})
	if graph.ErrorCode(err) != graph.EINVALID || graph.ErrorMessage(err) != "text: the text is not UTF-8: invalid byte 0xff at byte offset 10" {
		t.Errorf("got %v", err)
	}
}
