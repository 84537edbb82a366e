package tui

import (
	"image"
	"image/color"
	"net/netip"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/nix-community/installer-console/login"
	"github.com/nix-community/installer-console/qr"
	"github.com/nix-community/installer-console/qr/qrtest"
	"github.com/nix-community/installer-console/state"
)

// The QR code cut out of a rendered screen must decode to the payload:
// beside the status text on large screens, alone on its screen, as ASCII,
// and with the thinner quiet zone used when a terminal is just too small.

func TestQRBesideStatusDecodes(t *testing.T) {
	for _, size := range [][2]int{{200, 60}, {128, 48}} {
		m := demoModel(size[0], size[1])
		view := m.View()
		got, err := qrtest.DecodeTerminal(strings.Split(view, "\n"))
		if err != nil {
			t.Fatalf("%dx%d: %v\n%s", size[0], size[1], err, view)
		}
		if want := demoPayload(t); got != want {
			t.Errorf("%dx%d: decoded %q, want %q", size[0], size[1], got, want)
		}
	}
}

func TestQRScreenDecodes(t *testing.T) {
	m := demoModel(200, 60)
	press(m, "3")
	got, err := qrtest.DecodeTerminal(strings.Split(m.View(), "\n"))
	if err != nil {
		t.Fatal(err)
	}
	if want := demoPayload(t); got != want {
		t.Errorf("decoded %q, want %q", got, want)
	}
}

// TestQRScreenSmallTerminalDecodes: at 80x24 the full code does not fit;
// the screen shows one with fewer parts, says so, and that code decodes to
// exactly what it says.
func TestQRScreenSmallTerminalDecodes(t *testing.T) {
	m := demoModel(80, 24)
	press(m, "3")
	view := m.View()
	got, err := qrtest.DecodeTerminal(strings.Split(view, "\n"))
	if err != nil {
		t.Fatalf("%v\n%s", err, view)
	}
	want := qr.Payload{Pass: demoInfo().Password, Addrs: []string{"192.168.178.54"}}
	if wantJSON, _ := want.JSON(); got != string(wantJSON) {
		t.Errorf("decoded %q, want %q", got, wantJSON)
	}
	if !strings.Contains(view, "It holds only the root password") || !strings.Contains(view, "and the address 192.168.178.54.") {
		t.Errorf("the screen does not say what the smaller code holds:\n%s", view)
	}
}

// TestQRThinQuietZoneDecodes: with an IPv6 first address the password and
// address code needs 25 lines; with a 2-module quiet zone it fits 80x24.
// The picture of the whole screen (text counts as dark, like the terminal
// background around the code) decodes with both gozxing and zbarimg.
func TestQRThinQuietZoneDecodes(t *testing.T) {
	m := demoModel(80, 24)
	m.info.Interfaces = m.info.Interfaces[:1]
	m.info.Interfaces[0].Addrs = []netip.Addr{netip.MustParseAddr("2001:db8:85a3::8a2e:370:7334")}
	press(m, "3")
	code, ok := m.qr.fit(m.info, 80, 23)
	if !ok || code.quiet != 2 {
		t.Fatalf("expected a code with a 2-module quiet zone, got ok=%v quiet=%d", ok, code.quiet)
	}
	view := m.View()
	img := screenImage(strings.Split(view, "\n"), 4)
	want, _ := code.payload.JSON()
	got, err := qrtest.DecodeImage(img)
	if err != nil {
		t.Fatalf("gozxing: %v\n%s", err, view)
	}
	if got != string(want) {
		t.Errorf("gozxing decoded %q, want %q", got, want)
	}
	if got := qrtest.Zbarimg(t, img); got != string(want) {
		t.Errorf("zbarimg decoded %q, want %q", got, want)
	}
}

func TestQRASCIIDecodes(t *testing.T) {
	// The ASCII code takes a line per module: 65 lines here.
	m := demoModel(140, 70)
	m.look = makeLook(false, false, false)
	m.qr = qrCodes{utf8: false}
	press(m, "3")
	got, err := qrtest.DecodeASCII(strings.Split(m.View(), "\n"))
	if err != nil {
		t.Fatal(err)
	}
	if want := demoPayload(t); got != want {
		t.Errorf("decoded %q, want %q", got, want)
	}
}

// TestQRFollowsInfo: the code changes with the password, at once.
func TestQRFollowsInfo(t *testing.T) {
	m := demoModel(200, 60)
	m.View()
	m.Update(stateMsg{files: []string{state.PasswordFile}, info: login.Info{Password: "brand-new-password"}})
	got, err := qrtest.DecodeTerminal(strings.Split(m.View(), "\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, `"pass":"brand-new-password"`) {
		t.Errorf("decoded %q, want the new password", got)
	}
}

func demoPayload(t *testing.T) string {
	t.Helper()
	info := demoInfo()
	b, err := qr.NewPayload(info.Password, info.Onion, info.Addrs()).JSON()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// screenImage draws a screen as a dark console shows it, scale pixels per
// module: half blocks light their halves, every other cell is dark.
func screenImage(lines []string, scale int) image.Image {
	w := 0
	for i, l := range lines {
		lines[i] = ansi.Strip(l)
		w = max(w, textWidth(lines[i]))
	}
	// A dark margin, as around a terminal window.
	const margin = 2
	img := image.NewGray(image.Rect(0, 0, (w+2*margin)*scale, (2*len(lines)+4*margin)*scale))
	light := func(x, y int) {
		for dy := range scale {
			for dx := range scale {
				img.SetGray((x+margin)*scale+dx, (y+2*margin)*scale+dy, color.Gray{Y: 0xff})
			}
		}
	}
	for row, l := range lines {
		for col, r := range []rune(l) {
			switch r {
			case '█':
				light(col, 2*row)
				light(col, 2*row+1)
			case '▀':
				light(col, 2*row)
			case '▄':
				light(col, 2*row+1)
			}
		}
	}
	return img
}

// A console without UTF-8 that takes escape sequences (a Linux VT with a
// C locale) gets the code in reverse-video spaces, which a camera reads
// off the real console font where "#" would not do.
func TestQRReverseVideoDecodesOffConsole(t *testing.T) {
	m := demoModel(140, 70)
	m.look = makeLook(false, false, true)
	m.qr = qrCodes{utf8: false, attrs: true}
	press(m, "3")
	view := m.View()
	if !strings.Contains(view, "\x1b[7m") {
		t.Fatal("the code is not drawn in reverse video")
	}
	img, err := qrtest.VTScreenshot(strings.Split(view, "\n"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := qrtest.DecodeImage(img)
	if err != nil {
		t.Fatal(err)
	}
	if want := demoPayload(t); got != want {
		t.Errorf("decoded %q, want %q", got, want)
	}
}
