package qr_test

import (
	"bytes"
	"fmt"
	"math/rand"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nix-community/installer-console/internal/testtool"
	"github.com/nix-community/installer-console/qr"
	"github.com/nix-community/installer-console/qr/qrtest"
)

// randomPayload is a payload as a machine might show it: 3 to 6 words, an
// onion hostname or not yet, and up to 8 addresses of either family.
func randomPayload(r *rand.Rand) qr.Payload {
	const letters = "abcdefghijklmnopqrstuvwxyz"
	var words []string
	for range 3 + r.Intn(4) {
		w := make([]byte, 3+r.Intn(7))
		for i := range w {
			w[i] = letters[r.Intn(len(letters))]
		}
		words = append(words, string(w))
	}
	onion := ""
	if r.Intn(2) == 0 {
		b := make([]byte, 56)
		for i := range b {
			b[i] = "abcdefghijklmnopqrstuvwxyz234567"[r.Intn(32)]
		}
		onion = string(b) + ".onion"
	}
	var as []netip.Addr
	for range r.Intn(9) {
		if r.Intn(2) == 0 {
			as = append(as, netip.AddrFrom4([4]byte{192, 168, byte(r.Intn(256)), byte(1 + r.Intn(254))}))
		} else {
			var b [16]byte
			r.Read(b[:])
			b[0], b[1] = 0x2a, 0x02
			as = append(as, netip.AddrFrom16(b))
		}
	}
	return qr.NewPayload(strings.Join(words, "-"), onion, as)
}

// TestRandomRealisticPayloadsDecode encodes many realistic payloads and
// reads every one back with gozxing (PNG at scales that Encode does not
// check itself, and the terminal rendering) and with zbarimg. About 2 in
// 100 of these would defeat gozxing's finder search with go-qrcode's mask
// alone.
func TestRandomRealisticPayloadsDecode(t *testing.T) {
	t.Parallel()
	count := 40
	if testing.Short() {
		count = 10
	}
	r := rand.New(rand.NewSource(1))
	var texts []string
	var pngs [][]byte
	for range count {
		c, err := randomPayload(r).Code()
		if err != nil {
			t.Fatal(err)
		}
		for _, scale := range []int{7, 10} {
			img, err := c.Image(scale)
			if err != nil {
				t.Fatal(err)
			}
			if got, err := qrtest.DecodeImage(img); err != nil || got != c.Text() {
				t.Errorf("version %d, %d bytes, scale %d: gozxing reads %q, %v", c.Version(), len(c.Text()), scale, got, err)
			}
		}
		if got, err := qrtest.DecodeTerminal(c.Terminal()); err != nil || got != c.Text() {
			t.Errorf("version %d, %d bytes: gozxing reads the terminal as %q, %v", c.Version(), len(c.Text()), got, err)
		}
		data, err := c.PNG(3)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, c.Text())
		pngs = append(pngs, data)
	}
	got := zbarimgAll(t, pngs)
	for i := range texts {
		if i >= len(got) || got[i] != texts[i] {
			t.Fatalf("zbarimg read %d codes; code %d reads %q, want %q", len(got), i, at(got, i), texts[i])
		}
	}
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return "(nothing)"
}

// zbarimgAll runs one zbarimg over many PNG files and returns one line per
// code read, in file order.
func zbarimgAll(t *testing.T, pngs [][]byte) []string {
	t.Helper()
	zbarimg := testtool.Require(t, "zbarimg", "zbar-tools")
	dir := t.TempDir()
	args := []string{"--quiet", "--raw"}
	for i, data := range pngs {
		file := filepath.Join(dir, fmt.Sprintf("%04d.png", i))
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, file)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(zbarimg, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("zbarimg: %v: %s", err, stderr.String())
	}
	return strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
}
