package qr_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/nix-community/installer-console/qr"
)

// byteModeVersion returns the smallest version whose data capacity at
// level holds n bytes in byte mode, from gozxing's tables of the standard
// (independent of the encoder): 4 mode bits, a character count of 8 bits
// (versions 1-9) or 16 bits, then the bytes.
func byteModeVersion(t *testing.T, n int, level string) int {
	t.Helper()
	ec, err := decoder.ErrorCorrectionLevel_ValueOf(level)
	if err != nil {
		t.Fatal(err)
	}
	for v := 1; v <= 40; v++ {
		ver, err := decoder.Version_GetVersionForNumber(v)
		if err != nil {
			t.Fatal(err)
		}
		dataCodewords := ver.GetTotalCodewords() - ver.GetECBlocksForLevel(ec).GetTotalECCodewords()
		count := 8
		if v >= 10 {
			count = 16
		}
		if 4+count+8*n <= 8*dataCodewords {
			return v
		}
	}
	return 41
}

// payloadsOfEverySize are texts from 1 to 700 bytes, covering versions 1
// to about 20 and every level boundary in between.
func payloadsOfEverySize() [][]byte {
	var out [][]byte
	for n := 1; n <= 700; n += 10 {
		out = append(out, []byte(strings.Repeat("{pass:x-y}", 70)[:n]))
	}
	for _, f := range fixtures() {
		data, _ := f.payload.JSON()
		out = append(out, data)
	}
	return out
}

var betterLevel = map[qr.Level]qrcode.RecoveryLevel{
	qr.LevelM: qrcode.High,
	qr.LevelQ: qrcode.Highest,
}

// TestVersionLevelAndDecodedLevel checks, for texts of every size up to
// 700 bytes: the version is the smallest that holds the text at level M,
// the level is the best that fits that version, and gozxing reads that
// level back from the picture's format information.
func TestVersionLevelAndDecodedLevel(t *testing.T) {
	t.Parallel()
	seen := map[qr.Level]bool{}
	for _, data := range payloadsOfEverySize() {
		c, err := qr.Encode(data)
		if err != nil {
			t.Fatalf("Encode(%d bytes): %v", len(data), err)
		}
		v := c.Version()
		// Never bigger than byte mode needs at M, per the standard's tables.
		if limit := byteModeVersion(t, len(data), "M"); v > limit {
			t.Errorf("%d bytes: version %d, but byte mode fits version %d at M", len(data), v, limit)
		}
		// And no smaller version holds it at M.
		if v > 1 {
			if _, err := qrcode.NewWithForcedVersion(string(data), v-1, qrcode.Medium); err == nil {
				t.Errorf("%d bytes: version %d, but version %d holds it at M", len(data), v, v-1)
			}
		}
		// The level is at least M, and the next better one does not fit.
		switch c.Level() {
		case qr.LevelM, qr.LevelQ:
			if _, err := qrcode.NewWithForcedVersion(string(data), v, betterLevel[c.Level()]); err == nil {
				t.Errorf("%d bytes: level %s, but a better level fits version %d", len(data), c.Level(), v)
			}
		case qr.LevelH:
		default:
			t.Errorf("%d bytes: level %q", len(data), c.Level())
		}
		seen[c.Level()] = true
		if want := 4*v + 17 + 2*qr.QuietZone; c.Size() != want {
			t.Errorf("%d bytes: Size() = %d, want %d for version %d", len(data), c.Size(), want, v)
		}
		if c.Text() != string(data) {
			t.Errorf("Text() = %q, want %q", c.Text(), data)
		}

		img, err := c.Image(3)
		if err != nil {
			t.Fatal(err)
		}
		bmp, err := gozxing.NewBinaryBitmapFromImage(img)
		if err != nil {
			t.Fatal(err)
		}
		res, err := gozxingqr.NewQRCodeReader().Decode(bmp, nil)
		if err != nil {
			t.Fatalf("%d bytes: gozxing: %v", len(data), err)
		}
		if res.GetText() != string(data) {
			t.Errorf("decoded %q, want %q", res.GetText(), data)
		}
		if got := res.GetResultMetadata()[gozxing.ResultMetadataType_ERROR_CORRECTION_LEVEL]; got != string(c.Level()) {
			t.Errorf("%d bytes: decoder reads level %v, Level() = %s", len(data), got, c.Level())
		}
	}
	// The sizes cover all three levels, so each branch above ran.
	for _, l := range []qr.Level{qr.LevelM, qr.LevelQ, qr.LevelH} {
		if !seen[l] {
			t.Errorf("no payload got level %s", l)
		}
	}
}

func TestLargestPayloadSize(t *testing.T) {
	c, err := largest().Code()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("largest payload: %d bytes, version %d, level %s, %d modules with quiet zone, %d×%d terminal cells",
		len(c.Text()), c.Version(), c.Level(), c.Size(), c.Size(), (c.Size()+1)/2)
	// The console lays itself out for this size: version 16 is 81 modules,
	// 89 cells wide and 45 lines high with the quiet zone, more than an
	// 80×25 text console holds.
	if c.Version() > 16 {
		t.Errorf("largest realistic payload needs version %d, more than the 16 the console plans for", c.Version())
	}
}

func TestEncodeNothingIsAnError(t *testing.T) {
	if _, err := qr.Encode(nil); err == nil || !strings.Contains(err.Error(), "nothing to encode") {
		t.Errorf("Encode(nil) error = %v, want one saying there is nothing to encode", err)
	}
}

func TestEncodeTooLongNamesTheSize(t *testing.T) {
	_, err := qr.Encode(bytes.Repeat([]byte("x"), 3000))
	if err == nil || !strings.Contains(err.Error(), "3000 bytes") {
		t.Errorf("Encode(3000 bytes) error = %v, want one naming 3000 bytes", err)
	}
}

func TestDarkOutsideTheCodeIsLight(t *testing.T) {
	c, err := qr.Encode([]byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	n := c.Size()
	for _, p := range [][2]int{{-1, 0}, {0, -1}, {n, 0}, {0, n}, {n + 5, n + 5}} {
		if c.Dark(p[0], p[1]) {
			t.Errorf("Dark(%d, %d) = true outside a %d-module code", p[0], p[1], n)
		}
	}
	// The finder pattern's corner sits just inside the quiet zone.
	if !c.Dark(qr.QuietZone, qr.QuietZone) || c.Dark(qr.QuietZone-1, qr.QuietZone) {
		t.Error("the top-left finder pattern is not where it belongs")
	}
}
