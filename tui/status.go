package tui

import (
	"errors"
	"io/fs"
	"sort"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/nix-community/installer-console/login"
	"github.com/nix-community/installer-console/state"
)

// minTextWidth is the narrowest the status text gets beside the QR code:
// a host key fingerprint line still fits.
const minTextWidth = 60

// statusText is the status screen's text at the given width, most
// important first, so that a short screen that must scroll shows the
// password and the ssh commands without scrolling. qrHint adds where to
// find the QR code when it is not beside the text.
func (m *model) statusText(width int, qrHint bool) []string {
	l, info := m.look, m.info
	var b textBuilder
	b.width = width

	b.line(l.heading.Render("Root password"))
	if info.Password != "" {
		pw := l.clean(info.Password)
		b.lines(m.box(l.password.Render(pw), ansi.StringWidth(pw))...)
	} else {
		p := "(" + info.PasswordProblem() + ")"
		b.lines(m.box(l.busy.Render(p), len(p))...)
	}
	b.blank()

	b.line(l.heading.Render("Log in with SSH as root"))
	nameW := 4 // "mDNS"
	for _, ifc := range info.Interfaces {
		nameW = max(nameW, len(ifc.Name))
	}
	const stateW = 7
	cell := func(s string, w int) string { return s + strings.Repeat(" ", max(0, w-ansi.StringWidth(s))) }
	prefixW := 2 + nameW + 2 + stateW + 2
	anyAddr := false
	for _, ifc := range info.Interfaces {
		st, t := ifaceState(ifc)
		prefix := "  " + cell(ifc.Name, nameW) + "  " + l.paint(t, cell(st, stateW)) + "  "
		if len(ifc.Addrs) == 0 || !ifc.Up {
			note := "no address"
			if ifc.Wireless && len(ifc.Addrs) == 0 {
				note = "no address; WiFi: press 2"
			}
			b.row(prefix, prefixW, l.dim.Render(note))
			continue
		}
		for i, a := range ifc.Addrs {
			if i > 0 {
				prefix = strings.Repeat(" ", prefixW)
			}
			b.row(prefix, prefixW, "ssh root@"+a.String())
			anyAddr = true
		}
	}
	if !anyAddr {
		b.line("  " + l.busy.Render("No address yet: waiting for DHCP, or connect to WiFi (press 2)."))
	}
	if info.MDNSName != "" {
		b.row("  "+cell("mDNS", nameW)+"  "+strings.Repeat(" ", stateW)+"  ", prefixW, "ssh root@"+info.MDNSName)
	}
	if qrHint {
		b.line("  " + l.dim.Render("QR code with the login data: press 3"))
	}
	b.blank()

	torState, t := torSummary(info)
	b.wrapped(l.heading.Render("Tor onion service")+"  ", 19, torState, l.style(t))
	if info.Onion != "" {
		cmd := "torify ssh root@" + info.Onion
		switch {
		case 2+len(cmd) <= width:
			b.line("  " + cmd)
		case 2+len(info.Onion) <= width:
			b.line("  torify ssh root@")
			b.line("  " + info.Onion)
		default:
			// Beside the QR code on a 128-column console: the
			// address does not fit on one line.
			b.line("  torify ssh root@")
			parts := (len(info.Onion) + width - 3) / (width - 2)
			n := (len(info.Onion) + parts - 1) / parts
			for rest := info.Onion; rest != ""; {
				n = min(n, len(rest))
				b.line("  " + rest[:n])
				rest = rest[n:]
			}
		}
	} else if p := info.OnionProblem(); p != "" && info.OnionErr != nil {
		b.line("  " + l.dim.Render("("+p+")"))
	}
	b.blank()

	b.line(l.heading.Render("SSH host key fingerprints"))
	if len(info.HostKeys) == 0 && info.HostKeysErr == nil {
		b.line("  " + l.dim.Render("(none yet)"))
	}
	for _, k := range sortedKeysByType(info.HostKeys) {
		b.row("  "+cell(k.Type, 7)+"  ", 11, k.Fingerprint)
	}

	problems := info.Problems()
	for _, what := range sortedKeys(m.watchProblems) {
		problems = append(problems, "no live updates for "+what+": "+m.watchProblems[what])
	}
	if len(problems) > 0 {
		b.blank()
		b.line(l.bad.Render("Problems"))
		for _, p := range problems {
			b.wrapped("  ", 2, l.clean(p), l.bad)
		}
	}
	return b.out
}

// ifaceState names an interface's state in a word or two.
func ifaceState(ifc login.Interface) (string, tone) {
	switch {
	case !ifc.Up:
		return "off", toneDim
	case ifc.State == "up" || ifc.State == "unknown":
		// Virtual and some wired devices never report more than
		// "unknown" while they work.
		return "up", toneGood
	case ifc.State == "dormant":
		return "waiting", toneBusy
	}
	return "no link", toneBusy
}

// torSummary is the Tor state in words.
func torSummary(info login.Info) (string, tone) {
	s := login.TorSummary(info)
	switch {
	case info.Tor == nil:
		if info.TorErr != nil && !errors.Is(info.TorErr, fs.ErrNotExist) {
			return s, toneBad
		}
		return "not started yet", toneDim
	case info.Tor.State == state.TorPublished:
		return s, toneGood
	case info.Tor.State == state.TorError || info.Tor.State == state.TorStopped:
		return s, toneBad
	}
	return s, toneBusy
}

// box draws text (of visible width w) in a frame with a space of padding
// on each side.
func (m *model) box(text string, w int) []string {
	g := m.look.box()
	edge := strings.Repeat(g.h, w+4)
	return []string{
		g.tl + edge + g.tr,
		g.v + "  " + text + "  " + g.v,
		g.bl + edge + g.br,
	}
}

// textBuilder collects lines no wider than width, moving what does not
// fit onto following lines.
type textBuilder struct {
	width int
	out   []string
}

func (b *textBuilder) line(s string) { b.out = append(b.out, s) }

func (b *textBuilder) lines(s ...string) { b.out = append(b.out, s...) }

func (b *textBuilder) blank() { b.out = append(b.out, "") }

// row is a label of visible width prefixW followed by value; when the
// value does not fit beside the label, it goes on the next line, indented.
func (b *textBuilder) row(prefix string, prefixW int, value string) {
	if prefixW+ansi.StringWidth(value) <= b.width {
		b.line(prefix + value)
		return
	}
	b.line(strings.TrimRight(prefix, " "))
	b.line("    " + value)
}

// wrapped is a label followed by plain text in style, wrapped at word
// boundaries and continued under the text's first column (or indented by 4
// when that leaves too little room).
func (b *textBuilder) wrapped(prefix string, prefixW int, text string, style lipgloss.Style) {
	indent := prefixW
	if b.width-indent < 30 {
		indent = 4
	}
	avail := max(10, b.width-indent)
	first := prefixW
	ls := strings.Split(ansi.Wrap(text, avail, " "), "\n")
	if first+ansi.StringWidth(ls[0]) > b.width {
		b.line(strings.TrimRight(prefix, " "))
		first = -1
	}
	for i, l := range ls {
		if i == 0 && first >= 0 {
			b.line(prefix + style.Render(l))
			continue
		}
		b.line(strings.Repeat(" ", indent) + style.Render(l))
	}
}

// sortedKeysByType puts the key types people compare most often first.
func sortedKeysByType(keys []login.HostKey) []login.HostKey {
	rank := map[string]int{"ED25519": 0, "ECDSA": 1, "RSA": 2}
	out := append([]login.HostKey(nil), keys...)
	sort.SliceStable(out, func(i, j int) bool {
		ri, ok := rank[out[i].Type]
		if !ok {
			ri = 3
		}
		rj, ok := rank[out[j].Type]
		if !ok {
			rj = 3
		}
		return ri < rj
	})
	return out
}
