package netrestore

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// FuzzRestore feeds arbitrary dumps to the whole command path (read files,
// generate, write). Whatever the input: no panic; an error names one of
// the input files and leaves the output directory empty; success writes
// exactly the generated units, each a well-formed unit of known keys, and
// generating twice gives the same bytes. The seed corpus in
// testdata/fuzz/FuzzRestore is the real capture and broken variants of it;
// those are large, so run the fuzzer with a short minimization time:
//
//	go test -run '^$' -fuzz FuzzRestore -fuzztime 5m -fuzzminimizetime 2s ./netrestore/
func FuzzRestore(f *testing.F) {
	f.Fuzz(func(t *testing.T, addrs, routes4, routes6 []byte) {
		dir := t.TempDir()
		in := func(name string, data []byte) string {
			p := filepath.Join(dir, name)
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
			return p
		}
		pa, p4, p6 := in("addrs.json", addrs), in("routes-v4.json", routes4), in("routes-v6.json", routes6)
		out := filepath.Join(dir, "network")

		paths, err := Restore(pa, p4, p6, out)
		if err != nil {
			if !strings.Contains(err.Error(), pa) && !strings.Contains(err.Error(), p4) && !strings.Contains(err.Error(), p6) {
				t.Fatalf("error does not name the input file: %v", err)
			}
			if entries, _ := os.ReadDir(out); len(entries) != 0 {
				t.Fatalf("bad input (%v) but %d files written", err, len(entries))
			}
			return
		}
		units, err := Generate(Source{pa, addrs}, Source{p4, routes4}, Source{p6, routes6})
		if err != nil {
			t.Fatalf("Restore succeeded, Generate failed: %v", err)
		}
		again, _ := Generate(Source{pa, addrs}, Source{p4, routes4}, Source{p6, routes6})
		entries, _ := os.ReadDir(out)
		if len(paths) != len(units) || len(entries) != len(units) || len(again) != len(units) {
			t.Fatalf("%d paths, %d files, %d units, %d on the second run", len(paths), len(entries), len(units), len(again))
		}
		for i, u := range units {
			if u.Name != again[i].Name || !bytes.Equal(u.Content, again[i].Content) {
				t.Fatalf("not deterministic: %s", u.Name)
			}
			got, err := os.ReadFile(filepath.Join(out, u.Name))
			if err != nil || !bytes.Equal(got, u.Content) {
				t.Fatalf("%s on disk differs from the generated unit (%v)", u.Name, err)
			}
			if _, err := parseUnit(string(u.Content)); err != nil {
				t.Fatalf("%s: %v\n%s", u.Name, err, u.Content)
			}
		}
	})
}

// writeFuzzSeeds writes the seed corpus: the capture, and the capture
// broken in the ways dumps break (cut short, damaged, wrong types, empty).
func writeFuzzSeeds(t *testing.T, d dumps) {
	t.Helper()
	// Other files there are inputs the fuzzer found; they stay.
	dir := filepath.Join("testdata", "fuzz", "FuzzRestore")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	seeds := map[string]dumps{
		"capture":          d,
		"truncated-addrs":  {d.addrs[:len(d.addrs)/2], d.routes4, d.routes6},
		"truncated-routes": {d.addrs, d.routes4, d.routes6[:len(d.routes6)-3]},
		"damaged":          {bytes.Replace(d.addrs, []byte(`":`), []byte(`";`), 1), d.routes4, d.routes6},
		"wrong-type":       {bytes.Replace(d.addrs, []byte(`"prefixlen":24`), []byte(`"prefixlen":"24"`), 1), d.routes4, d.routes6},
		"object":           {[]byte(`{"ifindex":1}`), d.routes4, d.routes6},
		"empty-file":       {d.addrs, d.routes4, nil},
		"null":             {[]byte("null"), d.routes4, d.routes6},
		"placeholders":     {[]byte(`[{},{"ifindex":2,"ifname":"eth0","link_type":"ether","address":"52:54:00:00:00:01","addr_info":[{},{"family":"inet","local":"10.0.0.2","prefixlen":24,"scope":"global"}]}]`), []byte(`[{},{"dst":"default","gateway":"10.0.0.1","dev":"eth0","flags":["onlink"]}]`), []byte("[]")},
		"bad-address":      {[]byte(`[{"ifindex":2,"ifname":"eth0","link_type":"ether","address":"52:54:00:00:00:01","addr_info":[{"family":"inet","local":"10.0.0.2\nDHCP=no","prefixlen":24,"scope":"global"}]}]`), []byte("[]"), []byte("[]")},
		"odd-ifname":       {[]byte(`[{"ifindex":2,"ifname":"../../x\n","link_type":"ether","address":"52:54:00:00:00:01","addr_info":[]}]`), []byte("[]"), []byte("[]")},
	}
	for name, s := range seeds {
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\n[]byte(%s)\n[]byte(%s)\n",
			strconv.Quote(string(s.addrs)), strconv.Quote(string(s.routes4)), strconv.Quote(string(s.routes6)))
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
