package main

import (
	"encoding/json"
	"os/exec"
	"testing"

	"hearsay/cmd/hearsay/internal/bench"
)

// TestBench_Smoke runs 'hearsay bench' on a small graph, through the real
// binary (the bench starts itself again for its fresh-process figures),
// and checks that it measured every stage.
func TestBench_Smoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs the whole bench")
	}
	bin := buildHearsay(t)
	out, err := exec.Command(bin, "bench", "--edges", "1000", "--http-time", "100ms", "--json").Output()
	if err != nil {
		t.Fatalf("bench: %v", err)
	}
	var rep bench.Report
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if rep.Edges < 1000 || rep.IngestEdgesPerS <= 0 || rep.Chain6P50Us <= 0 || rep.HTTPChainRps <= 0 ||
		rep.HTTPChainErrors != 0 || rep.Origins10kNodes == 0 || rep.OpenFirstQueryMs <= 0 || rep.ServerRSSMb <= 0 {
		t.Errorf("a stage was not measured:\n%s", out)
	}
}
