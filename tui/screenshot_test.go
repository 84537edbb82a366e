package tui

import (
	"image"
	"image/color"
	"image/png"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/nix-community/installer-console/internal/netnstest"
	"github.com/nix-community/installer-console/internal/testtool"
	"github.com/nix-community/installer-console/qr"
	"github.com/nix-community/installer-console/qr/qrtest"
	"github.com/nix-community/installer-console/state"
	"github.com/nix-community/installer-console/wifi/fakeiwd"
)

// TestScreenshots makes the README's screenshots: the real binary in tmux
// at 128x48 (a 1024x768 Linux console with an 8x16 font), with demo data,
// drawn pixel by pixel with a Terminus console font and the Tango colours
// the installer image sets. It runs only when INSTALLER_CONSOLE_SCREENSHOTS
// names the directory to write to (scripts/screenshots.sh).
func TestScreenshots(t *testing.T) {
	outDir := os.Getenv("INSTALLER_CONSOLE_SCREENSHOTS")
	if outDir == "" {
		t.Skip("makes screenshots; run scripts/screenshots.sh")
	}
	font := screenshotFont(t)
	testtool.Require(t, "unshare", "util-linux")
	bin := consoleBinary(t)

	// The console's namespace has a wired and a WiFi interface; their
	// peers live in another, so that the screen shows what a machine has.
	ns, far := netnstest.New(t), netnstest.New(t)
	ns.IP("link", "add", "enp1s0", "address", "52:54:00:12:34:56", "type", "veth", "peer", "name", "peer0", "netns", far.Name)
	ns.IP("link", "add", "wlan0", "address", "02:00:00:00:01:00", "type", "veth", "peer", "name", "peer1", "netns", far.Name)
	ns.IP("addr", "add", "192.168.178.54/24", "dev", "enp1s0")
	ns.IP("addr", "add", "2001:db8:85a3::8a2e:370:7334/64", "dev", "enp1s0", "nodad")
	for _, l := range []string{"enp1s0", "wlan0"} {
		ns.IP("link", "set", l, "up")
	}
	far.IP("link", "set", "peer0", "up")
	far.IP("link", "set", "peer1", "up")
	bus := fakeiwd.StartBus(t)
	fake := fakeiwd.Start(t, bus, fakeiwd.Demo())
	fake.OnConnect(func(c fakeiwd.Connection) {
		exec.Command("ip", "-n", ns.Name, "addr", "replace", "192.168.1.77/24", "dev", c.Interface).Run()
	})

	// Fixed demo host keys (public halves only: all the console reads),
	// so that the pictures change only when the console does.
	keys, err := filepath.Abs("testdata/ssh")
	if err != nil {
		t.Fatal(err)
	}
	dir := state.New(t.TempDir())
	for _, err := range []error{
		dir.WritePassword("unusable-shrewdly-decibel-ample"),
		dir.WriteOnionHostname(demoOnion),
		dir.WriteTorStatus(state.TorStatus{State: state.TorPublished, Bootstrap: 100, Published: true}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	// Its own host name and host keys, in namespaces of its own.
	script := `hostname nixos && mount --bind "$0" /etc/ssh && exec "$@"`
	tm := startTmux(t, 128, 48, []string{"ip", "netns", "exec", ns.Name, "unshare", "--uts", "--mount",
		"sh", "-c", script, keys,
		"env", "DBUS_SYSTEM_BUS_ADDRESS=" + bus, "LANG=en_US.UTF-8", "TERM=linux", "NO_COLOR=",
		bin, "--state-dir", dir.Path})
	tm.waitForText("unusable-shrewdly-decibel-ample", "ssh root@192.168.178.54", "published", "ED25519", "Scan to log in")
	status := renderScreen(t, tm.capture(), font)
	// The picture is what a phone would see: its QR code must scan.
	want, _ := qr.NewPayload("unusable-shrewdly-decibel-ample", demoOnion, []netip.Addr{
		netip.MustParseAddr("192.168.178.54"), netip.MustParseAddr("2001:db8:85a3::8a2e:370:7334")}).JSON()
	if got := qrtest.Zbarimg(t, status); got != string(want) {
		t.Fatalf("the screenshot's QR code reads %q, want %q", got, want)
	}
	writePNG(t, filepath.Join(outDir, "screenshot-status.png"), status)

	tm.keys("2")
	tm.waitForText("Home", "Cafe")
	selectNetwork(tm, "Home")
	tm.keys("Enter")
	tm.waitForText(`WiFi passphrase for "Home"`)
	tm.typeText("correct horse battery")
	tm.keys("Enter")
	tm.waitForText("connected to Home", "wlan0 has 192.168.1.77")
	selectNetwork(tm, "Neighbour")
	tm.keys("Enter")
	tm.waitForText(`WiFi passphrase for "Neighbour"`)
	tm.typeText("not yours")
	tm.waitForText("*********")
	writePNG(t, filepath.Join(outDir, "screenshot-wifi.png"), renderScreen(t, tm.capture(), font))
}

// capture is the screen with its colours and attributes.
func (s *tmux) capture() string { return s.run("capture-pane", "-p", "-e", "-t", tmuxTarget) }

// screenshotFont finds an 8x16 Terminus console font with every glyph the
// console draws among Debian's console-setup fonts (ter-u16n, the image's
// font, is not packaged by Debian; these share its glyphs).
func screenshotFont(t *testing.T) *psfFont {
	t.Helper()
	paths, _ := filepath.Glob("/usr/share/consolefonts/*-Terminus16.psf.gz")
	for _, p := range paths {
		f, err := loadPSF(p)
		if err != nil {
			continue
		}
		all := true
		for r := range consoleGlyphs {
			if _, ok := f.unicode[r]; !ok {
				all = false
			}
		}
		if all {
			return f
		}
	}
	// Asked for explicitly: fail rather than skip.
	t.Fatal("no Terminus 8x16 console font with block elements in /usr/share/consolefonts; install the Debian package console-setup-linux")
	return nil
}

// tango is the palette nixos-images' installer sets with console.colors.
var tango = [16]color.RGBA{}

func init() {
	for i, hex := range strings.Fields("000000 CC0000 4E9A06 C4A000 3465A4 75507B 06989A D3D7CF 555753 EF2929 8AE234 FCE94F 739FCF AD7FA8 34E2E2 EEEEEC") {
		v, _ := strconv.ParseUint(hex, 16, 32)
		tango[i] = color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 0xff}
	}
}

// renderScreen draws captured screen text with SGR colours as the Linux
// VT does: 16 colours, bold as bright, reverse video, the font's glyphs.
func renderScreen(t *testing.T, screen string, font *psfFont) image.Image {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(screen, "\n"), "\n")
	cols := 0
	for _, l := range lines {
		cols = max(cols, len([]rune(stripSGR(l))))
	}
	cols = max(cols, 128)
	img := image.NewRGBA(image.Rect(0, 0, cols*font.width, len(lines)*font.height))
	for i := range img.Pix {
		if i%4 == 3 {
			img.Pix[i] = 0xff
		}
	}
	for row, l := range lines {
		fg, bg, bold, reverse := 7, 0, false, false
		col := 0
		for l != "" {
			n := tokenLen(l)
			tok := l[:n]
			l = l[n:]
			if tok[0] == 0x1b {
				fg, bg, bold, reverse = applySGR(tok, fg, bg, bold, reverse)
				continue
			}
			f, b := fg, bg
			if bold && f < 8 {
				f += 8
			}
			if reverse {
				f, b = b, f
			}
			glyph := font.glyph([]rune(tok)[0])
			for y := range font.height {
				for x := range font.width {
					c := tango[b]
					if font.lit(glyph, x, y) {
						c = tango[f]
					}
					img.SetRGBA(col*font.width+x, row*font.height+y, c)
				}
			}
			col++
		}
	}
	return img
}

func applySGR(seq string, fg, bg int, bold, reverse bool) (int, int, bool, bool) {
	if !strings.HasPrefix(seq, "\x1b[") || !strings.HasSuffix(seq, "m") {
		return fg, bg, bold, reverse
	}
	ps := strings.Split(seq[2:len(seq)-1], ";")
	for i := 0; i < len(ps); i++ {
		p, _ := strconv.Atoi(ps[i])
		switch {
		case p == 0:
			fg, bg, bold, reverse = 7, 0, false, false
		case p == 1:
			bold = true
		case p == 22:
			bold = false
		case p == 7:
			reverse = true
		case p == 27:
			reverse = false
		case p >= 30 && p <= 37:
			fg = p - 30
		case p == 39:
			fg = 7
		case p >= 40 && p <= 47:
			bg = p - 40
		case p == 49:
			bg = 0
		case p >= 90 && p <= 97:
			fg = p - 90 + 8
		case p >= 100 && p <= 107:
			bg = p - 100 + 8
		case (p == 38 || p == 48) && i+2 < len(ps) && ps[i+1] == "5":
			n, _ := strconv.Atoi(ps[i+2])
			if n < 16 {
				if p == 38 {
					fg = n
				} else {
					bg = n
				}
			}
			i += 2
		}
	}
	return fg, bg, bold, reverse
}

func stripSGR(s string) string {
	var b strings.Builder
	for s != "" {
		n := tokenLen(s)
		if s[0] != 0x1b {
			b.WriteString(s[:n])
		}
		s = s[n:]
	}
	return b.String()
}

func writePNG(t *testing.T, path string, img image.Image) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s", path)
}
