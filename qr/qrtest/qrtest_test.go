package qrtest_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/nix-community/installer-console/qr"
	"github.com/nix-community/installer-console/qr/qrtest"
)

const payload = `{"pass":"ruby-tuesday-glow","tor":"abcdefgh234567xyabcdefgh234567xyabcdefgh234567xyabcdefgh.onion","addrs":["192.168.1.23","[2001:db8::1]"]}`

func code(t *testing.T) *qr.Code {
	t.Helper()
	c, err := qr.Encode([]byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// screen lays code lines out as a console screen would: a border, text
// with colours, a hyperlink and wide characters on the left, more text on
// the right, lines above and below.
func screen(code []string) []string {
	left := []string{
		"\x1b[1mPassword\x1b[0m  ruby-tuesday-glow",
		"\x1b]8;;https://nixos.org\x1b\\NixOS\x1b]8;;\x1b\\ installer",
		"日本語のテキスト",
		"ssh root@192.168.1.23",
	}
	out := []string{"┌" + strings.Repeat("─", 120) + "┐", "│ Login", ""}
	for i, l := range code {
		text := ""
		if i < len(left) {
			text = left[i]
		}
		// Pad by cells: the wide line is 8 characters, 16 cells.
		pad := 40 - len([]rune(stripped(text)))
		if strings.HasPrefix(text, "日") {
			pad -= 8
		}
		out = append(out, fmt.Sprintf("│ %s%s  %s  ▀▄█ status: published", text, strings.Repeat(" ", pad), l))
	}
	return append(out, "", "└"+strings.Repeat("─", 120)+"┘")
}

func stripped(s string) string {
	for _, seq := range []string{"\x1b[1m", "\x1b[0m", "\x1b]8;;https://nixos.org\x1b\\", "\x1b]8;;\x1b\\"} {
		s = strings.ReplaceAll(s, seq, "")
	}
	return s
}

func TestDecodeTerminalCutsTheCodeOutOfAScreen(t *testing.T) {
	c := code(t)
	for name, lines := range map[string][]string{
		"plain":            c.Terminal(),
		"colour":           c.TerminalColor(),
		"on a screen":      screen(c.Terminal()),
		"colour on screen": screen(c.TerminalColor()),
		"one string":       {strings.Join(screen(c.TerminalColor()), "\r\n")},
	} {
		got, err := qrtest.DecodeTerminal(lines)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got != payload {
			t.Errorf("%s: decoded %q", name, got)
		}
	}
}

func TestDecodeTerminalFindsANarrowQuietZone(t *testing.T) {
	c, err := code(t).WithQuietZone(qr.MinQuietZone)
	if err != nil {
		t.Fatal(err)
	}
	got, err := qrtest.DecodeTerminal(screen(c.TerminalColor()))
	if err != nil || got != payload {
		t.Errorf("decoded %q, %v", got, err)
	}
	got, err = qrtest.DecodeASCII(screen(c.ASCIIReverse()))
	if err != nil || got != payload {
		t.Errorf("ASCII decoded %q, %v", got, err)
	}
}

func TestDecodeASCIICutsTheCodeOutOfAScreen(t *testing.T) {
	c := code(t)
	for name, lines := range map[string][]string{
		"plain":                 c.ASCII(),
		"on a screen":           screen(c.ASCII()),
		"reverse video":         c.ASCIIReverse(),
		"reverse video, screen": screen(c.ASCIIReverse()),
	} {
		got, err := qrtest.DecodeASCII(lines)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got != payload {
			t.Errorf("%s: decoded %q", name, got)
		}
	}
}

func TestTerminalImageIsTheCodeWithItsQuietZone(t *testing.T) {
	c := code(t)
	img, err := qrtest.TerminalImage(screen(c.Terminal()), 1)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != c.Size() || b.Dy() != c.Size() {
		t.Fatalf("image is %v, want %d modules square", b, c.Size())
	}
	for y := 0; y < c.Size(); y++ {
		for x := 0; x < c.Size(); x++ {
			r, _, _, _ := img.At(x, y).RGBA()
			if light := r > 0x8000; light == c.Dark(x, y) {
				t.Fatalf("module (%d, %d): light = %v, but Dark = %v", x, y, light, c.Dark(x, y))
			}
		}
	}
}

// TestWrongPolarityIsNotACode shows that the helper holds a renderer to
// the dark-console polarity: a code drawn with dark modules lit has no
// light quiet zone, and is not taken for a code.
func TestWrongPolarityIsNotACode(t *testing.T) {
	swap := strings.NewReplacer("█", " ", " ", "█", "▀", "▄", "▄", "▀")
	var inverted []string
	for _, l := range code(t).Terminal() {
		inverted = append(inverted, swap.Replace(l))
	}
	if got, err := qrtest.DecodeTerminal(inverted); err == nil {
		t.Errorf("an inverted code decodes to %q", got)
	}
	hashes := strings.NewReplacer("##", "  ", "  ", "##")
	inverted = nil
	for _, l := range code(t).ASCII() {
		inverted = append(inverted, hashes.Replace(l))
	}
	if got, err := qrtest.DecodeASCII(inverted); err == nil {
		t.Errorf("an inverted ASCII code decodes to %q", got)
	}
}

func TestNoCodeIsAnError(t *testing.T) {
	lines := code(t).Terminal()
	for name, s := range map[string][]string{
		"text only":       {"Password: x", "████ not a code ████"},
		"empty":           nil,
		"bottom cut off":  lines[:len(lines)-3],
		"right side gone": cutRight(lines, 10),
	} {
		if got, err := qrtest.DecodeTerminal(s); err == nil {
			t.Errorf("%s: decodes to %q, want an error", name, got)
		}
	}
	if _, err := qrtest.DecodeASCII([]string{"##", "#"}); err == nil {
		t.Error("DecodeASCII of no code: want an error")
	}
}

func cutRight(lines []string, n int) []string {
	var out []string
	for _, l := range lines {
		r := []rune(l)
		out = append(out, string(r[:len(r)-n]))
	}
	return out
}

func TestZbarimgReadsTheTerminalRendering(t *testing.T) {
	img, err := qrtest.TerminalImage(screen(code(t).TerminalColor()), qrtest.Scale)
	if err != nil {
		t.Fatal(err)
	}
	if got := qrtest.Zbarimg(t, img); got != payload {
		t.Errorf("zbarimg reads %q", got)
	}
}
