package netrestore

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

var update = flag.Bool("update", false, "recapture testdata/capture, rewrite testdata/golden and the fuzz seed corpus")

var goldenDir = filepath.Join("testdata", "golden")

// TestGoldenLiveCapture builds the scenario in real namespaces, dumps it
// with iproute2 exactly as kexec/run does, and checks the units against the
// expected files. With -update it refreshes the capture and expected files
// (review the diff: the expected files are the specification).
func TestGoldenLiveCapture(t *testing.T) {
	d := capture(scenarioHost(t))
	units, err := Generate(d.sources())
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		writeTestdata(t, d, units)
	}
	compareGolden(t, units)
}

// TestGoldenCheckedInCapture runs the rules on the checked-in capture (no
// root needed) and checks the same expected files.
func TestGoldenCheckedInCapture(t *testing.T) {
	units, err := Generate(checkedInCapture(t).sources())
	if err != nil {
		t.Fatal(err)
	}
	compareGolden(t, units)
}

func compareGolden(t *testing.T, units []Unit) {
	t.Helper()
	want, err := filepath.Glob(filepath.Join(goldenDir, "*.network"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range units {
		got = append(got, u.Name)
		exp, err := os.ReadFile(filepath.Join(goldenDir, u.Name))
		if err != nil {
			t.Errorf("unexpected unit %s (-update to accept):\n%s", u.Name, u.Content)
			continue
		}
		if !bytes.Equal(exp, u.Content) {
			t.Errorf("%s differs from the expected file\n--- got\n%s--- want\n%s", u.Name, u.Content, exp)
		}
	}
	for i := range want {
		want[i] = filepath.Base(want[i])
	}
	if !slices.Equal(got, want) {
		t.Errorf("units %v, want %v", got, want)
	}
}

func writeTestdata(t *testing.T, d dumps, units []Unit) {
	t.Helper()
	for _, dir := range []string{captureDir, goldenDir} {
		os.RemoveAll(dir)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, data := range map[string][]byte{"addrs.json": d.addrs, "routes-v4.json": d.routes4, "routes-v6.json": d.routes6} {
		if err := os.WriteFile(filepath.Join(captureDir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range units {
		if err := os.WriteFile(filepath.Join(goldenDir, u.Name), u.Content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeFuzzSeeds(t, d)
}
