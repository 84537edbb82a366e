package qr

import (
	"strings"
	"testing"

	"github.com/nix-community/installer-console/qr/qrtest"
)

// TestPlacingWithTheSameMaskGivesTheSameCode shows that reading the code
// words back out of go-qrcode's symbol and placing them again loses
// nothing: with go-qrcode's own mask the result is module for module the
// same code.
func TestPlacingWithTheSameMaskGivesTheSameCode(t *testing.T) {
	for _, n := range []int{1, 20, 43, 120, 236, 449, 700} {
		data := []byte(strings.Repeat("{pass:x-y}", 70)[:n])
		c, err := encodeStandard(data)
		if err != nil {
			t.Fatal(err)
		}
		words, err := c.codewords()
		if err != nil {
			t.Fatal(err)
		}
		again, _, err := c.withMask(words, c.mask)
		if err != nil {
			t.Fatal(err)
		}
		for y := 0; y < c.Size(); y++ {
			for x := 0; x < c.Size(); x++ {
				if c.Dark(x, y) != again.Dark(x, y) {
					t.Fatalf("%d bytes, version %d, mask %d: module (%d, %d) differs after placing again",
						n, c.version, c.mask, x, y)
				}
			}
		}
	}
}

// TestAnotherMaskWhenZXingCannotFindTheCode takes a text for which
// go-qrcode's mask leaves a finder-like blob that hides the code from
// gozxing, and checks that Encode gives a code with another mask, of the
// same version and level, that gozxing and zbarimg read.
func TestAnotherMaskWhenZXingCannotFindTheCode(t *testing.T) {
	data := []byte(strings.Repeat("{pass:x-y}", 70)[:43])
	standard, err := encodeStandard(data)
	if err != nil {
		t.Fatal(err)
	}
	img, err := standard.Image(4)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := qrtest.DecodeImage(img); err == nil {
		t.Fatal("gozxing now reads go-qrcode's code for this text; pick a text that shows the problem")
	}
	if got := qrtest.Zbarimg(t, img); got != string(data) {
		t.Fatalf("zbarimg reads the standard code as %q", got)
	}

	c, err := Encode(data)
	if err != nil {
		t.Fatal(err)
	}
	if c.mask == standard.mask {
		t.Fatalf("Encode kept mask %d, which gozxing cannot find", c.mask)
	}
	if c.version != standard.version || c.level != standard.level {
		t.Errorf("version %d level %s, want those of the standard code: %d %s",
			c.version, c.level, standard.version, standard.level)
	}
	if m, err := c.readMask(); err != nil || m != c.mask {
		t.Errorf("format information says mask %d (%v), want %d", m, err, c.mask)
	}
	for _, scale := range []int{2, 3, 4, 5, 6, 8, 10} {
		img, err := c.Image(scale)
		if err != nil {
			t.Fatal(err)
		}
		got, err := qrtest.DecodeImage(img)
		if err != nil || got != string(data) {
			t.Errorf("scale %d: gozxing reads %q, %v", scale, got, err)
		}
	}
	img, err = c.Image(4)
	if err != nil {
		t.Fatal(err)
	}
	if got := qrtest.Zbarimg(t, img); got != string(data) {
		t.Errorf("zbarimg reads %q", got)
	}
}
