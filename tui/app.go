package tui

import (
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/nix-community/installer-console/login"
	"github.com/nix-community/installer-console/state"
)

// tab is one of the console's screens.
type tab int

const (
	tabStatus tab = iota
	tabWiFi
	tabQR
)

var tabNames = []string{"Status", "WiFi", "QR code"}

// model is the whole console: the login data, the WiFi screen and what
// the person is looking at. Its View is a pure function of it, which the
// golden tests render at fixed sizes.
type model struct {
	look          look
	info          login.Info
	watchProblems map[string]string // source -> why it gives no live updates
	width, height int
	tab           tab
	help          bool
	scroll        int // first status text line shown, when it is taller than the screen
	qr            qrCodes
	wifi          *wifiScreen
	comeBack      string // the line printed after quitting, also in the help
}

func newModel(info login.Info, l look, wifi *wifiScreen, width, height int) *model {
	if wifi == nil {
		wifi = newWiFiScreen(l)
	}
	l.cleanInfo(&info)
	return &model{
		look: l, info: info, wifi: wifi,
		width: width, height: height,
		qr:            qrCodes{utf8: l.utf8, attrs: l.attrs},
		comeBack:      DefaultComeBack,
		watchProblems: map[string]string{},
	}
}

func (m *model) Init() tea.Cmd { return nil }

func (m *model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		return m, nil
	case interfacesMsg:
		m.info.Interfaces, m.info.InterfacesErr = msg.ifs, msg.err
		m.look.cleanInfo(&m.info)
		m.wifi.ifs = m.info.Interfaces
		return m, nil
	case stateMsg:
		m.applyState(msg)
		m.look.cleanInfo(&m.info)
		return m, nil
	case hostKeysMsg:
		m.info.HostKeys, m.info.HostKeysErr = msg.keys, msg.err
		return m, nil
	case watchFailedMsg:
		m.watchProblems[msg.what] = msg.err.Error()
		return m, nil
	case tea.KeyMsg:
		return m, m.key(msg)
	case wifiAskMsg:
		// iwd asks for a passphrase: the prompt is on the WiFi screen.
		m.help = false
		cmd := m.show(tabWiFi)
		return m, tea.Batch(cmd, m.wifi.update(msg))
	}
	return m, m.wifi.update(msg)
}

// cleanInfo makes the login data's display-only text safe to draw (see
// look.clean). The password stays as it is: the QR code must carry it
// exactly; statusText cleans it for display.
func (l look) cleanInfo(i *login.Info) {
	i.Hostname, i.MDNSName = l.clean(i.Hostname), l.clean(i.MDNSName)
	for k := range i.Interfaces {
		i.Interfaces[k].Name = l.clean(i.Interfaces[k].Name)
	}
	if i.Tor != nil {
		t := *i.Tor
		t.State, t.Summary, t.LastError = l.clean(t.State), l.clean(t.Summary), l.clean(t.LastError)
		i.Tor = &t
	}
}

func (m *model) applyState(msg stateMsg) {
	for _, f := range msg.files {
		switch f {
		case state.PasswordFile:
			m.info.Password, m.info.PasswordErr = msg.info.Password, msg.info.PasswordErr
		case state.OnionHostnameFile:
			m.info.Onion, m.info.OnionErr = msg.info.Onion, msg.info.OnionErr
		case state.TorStatusFile:
			m.info.Tor, m.info.TorErr = msg.info.Tor, msg.info.TorErr
		}
	}
}

// key handles a key press. Ctrl-C always quits; a WiFi form that is
// being typed into gets every other key, so that "q" can be typed.
func (m *model) key(k tea.KeyMsg) tea.Cmd {
	if key.Matches(k, keys.Interrupt) {
		return tea.Quit
	}
	if m.help {
		switch {
		case key.Matches(k, keys.Quit):
			return tea.Quit
		case key.Matches(k, keys.CloseHelp):
			m.help = false
		}
		return nil
	}
	if m.tab == tabWiFi && m.wifi.typing() {
		return m.wifi.key(k)
	}
	switch {
	case key.Matches(k, keys.Quit):
		return tea.Quit
	case key.Matches(k, keys.Help):
		m.help = true
		return nil
	case key.Matches(k, keys.Status):
		return m.show(tabStatus)
	case key.Matches(k, keys.WiFi):
		return m.show(tabWiFi)
	case key.Matches(k, keys.QR):
		return m.show(tabQR)
	case key.Matches(k, keys.Next):
		return m.show((m.tab + 1) % 3)
	case key.Matches(k, keys.Prev):
		return m.show((m.tab + 2) % 3)
	}
	switch m.tab {
	case tabStatus:
		m.scrollKey(k)
	case tabWiFi:
		return m.wifi.key(k)
	}
	return nil
}

func (m *model) show(t tab) tea.Cmd {
	if t == m.tab {
		return nil
	}
	m.tab = t
	return m.wifi.visible(t == tabWiFi)
}

func (m *model) scrollKey(k tea.KeyMsg) {
	page := max(1, m.height-3)
	switch {
	case key.Matches(k, keys.Up):
		m.scroll--
	case key.Matches(k, keys.Down):
		m.scroll++
	case key.Matches(k, keys.PageUp):
		m.scroll -= page
	case key.Matches(k, keys.PageDown):
		m.scroll += page
	case key.Matches(k, keys.Top):
		m.scroll = 0
	case key.Matches(k, keys.Bottom):
		m.scroll = 1 << 20
	}
	m.scroll = max(0, m.scroll) // the upper bound depends on the layout; View clamps it
}

// View draws the screen: a tab bar, the body, and a footer with the keys
// that work right now. The QR code's screen has no tab bar (its footer
// names the screens instead), so that an 80x24 terminal has one more line
// for the code.
func (m *model) View() string {
	if m.width < 20 || m.height < 5 {
		return "Terminal too small:\nneeds 80x24."
	}
	var lines []string
	bodyH := m.height - 2
	if m.tab != tabQR {
		lines = append(lines, m.tabBar())
	} else {
		bodyH = m.height - 1
	}
	var body []string
	more := false
	switch m.tab {
	case tabStatus:
		body, more = m.statusBody(bodyH)
	case tabWiFi:
		body = m.wifi.view(m.width, bodyH)
	case tabQR:
		body = m.qrBody(bodyH)
	}
	body = fitLines(body, bodyH)
	lines = append(lines, body...)
	lines = append(lines, m.footer(more))
	if m.help {
		lines = overlay(lines, m.helpBox(), m.width)
	}
	return strings.Join(lines, "\n")
}

// statusBody lays out the status text and the QR code: the code beside the
// text when the screen is wide enough, below it when it is tall enough,
// otherwise on its own screen. more reports that the text goes on below.
func (m *model) statusBody(h int) (body []string, more bool) {
	code := m.qr.full(m.info)
	if code.err == nil {
		textW := m.width - code.width - 2
		if textW >= minTextWidth && len(code.lines) <= h {
			text := m.statusText(textW, false)
			text, more = m.scrolled(text, h)
			right := code.lines
			if len(right)+1 <= h {
				right = append(append([]string(nil), right...), center(m.look.qrCaption.Render("Scan to log in"), 14, code.width))
			}
			return besides(text, textW+2, right), more
		}
		text := m.statusText(m.width, false)
		if len(text)+1+len(code.lines) <= h && code.width <= m.width {
			return append(append(text, ""), code.lines...), false
		}
	}
	text := m.statusText(m.width, true)
	return m.scrolled(text, h)
}

// scrolled cuts the text to h lines from the scroll position, keeping the
// last line for "more below" when it does not fit.
func (m *model) scrolled(text []string, h int) ([]string, bool) {
	if len(text) <= h {
		m.scroll = 0
		return text, false
	}
	m.scroll = min(m.scroll, len(text)-h)
	end := m.scroll + h
	return text[m.scroll:end], end < len(text)
}

// qrBody shows the QR code alone, the biggest that fits, with words on
// what it holds beside or below it.
func (m *model) qrBody(h int) []string {
	l := m.look
	code, ok := m.qr.fit(m.info, m.width, h)
	full := m.qr.full(m.info)
	if !ok {
		msg := "This terminal is too small for a QR code."
		if full.err != nil {
			msg = "No QR code: " + full.err.Error()
		}
		return []string{"", "  " + l.bad.Render(msg)}
	}
	caption := []string{l.heading.Render("Scan to log in")}
	about := "It holds " + code.describe() + ", as clan's installer reads it."
	if payloadKey(code.payload) != payloadKey(full.payload) {
		about = "It holds only " + code.describe() + ". The full code needs a " +
			itoa(full.width) + "x" + itoa(len(full.lines)+1) + " terminal."
	}
	if code.quiet < full.quiet {
		about += " Its light border is thinner than usual to fit."
	}
	textW := m.width - code.width - 3
	if textW >= 24 {
		for _, s := range strings.Split(ansi.Wordwrap(about, textW, " "), "\n") {
			caption = append(caption, l.dim.Render(s))
		}
		return besides(code.lines, code.width+3, append([]string{""}, caption...))
	}
	out := append([]string(nil), code.lines...)
	if len(out)+2 <= h {
		out = append(out, "", caption[0])
	}
	return out
}

func (m *model) tabBar() string {
	l := m.look
	var b strings.Builder
	for i, name := range tabNames {
		label := itoa(i+1) + " " + name
		if tab(i) == m.tab {
			b.WriteString(l.tabActive.Render("[" + label + "]"))
		} else {
			b.WriteString(l.tab.Render(" " + label + " "))
		}
		b.WriteString(" ")
	}
	left := b.String()
	right := "NixOS installer"
	if m.info.Hostname != "" {
		right = m.info.Hostname + " - " + right
	}
	right = l.title.Render(right)
	gap := m.width - ansi.StringWidth(left) - ansi.StringWidth(right) - 1
	if gap < 1 {
		return left
	}
	return left + strings.Repeat(" ", gap) + right
}

// hint is a key and what it does, for the footer and the help.
type hint struct{ key, what string }

func (m *model) footer(more bool) string {
	var hints []hint
	switch m.tab {
	case tabStatus:
		if more || m.scroll > 0 {
			hints = append(hints, hint{"up/down", "scroll"})
		}
	case tabWiFi:
		hints = m.wifi.hints()
	case tabQR:
		hints = append(hints, hintOf(keys.Status), hintOf(keys.WiFi))
	}
	always := []hint{hintOf(keys.Help), hintOf(keys.Quit)}
	switch {
	case m.help:
		hints, always = nil, []hint{hintOf(keys.CloseHelp), hintOf(keys.Quit)}
	case m.tab == tabWiFi && m.wifi.typing():
		always = []hint{hintOf(keys.Interrupt)}
	case m.tab != tabQR && ansi.StringWidth(m.renderHints(append(hints, always...)))+2 < m.width-13:
		// "1-3 screens" only when there is room: the tab bar says it too.
		always = append([]hint{hintOf(keys.ScreenHints)}, always...)
	}
	// The screen's own keys first; drop those that do not fit, never the
	// help and quit keys.
	tail := m.renderHints(always)
	line := ""
	for _, h := range hints {
		next := line + m.renderHints([]hint{h}) + "  "
		if ansi.StringWidth(next)+ansi.StringWidth(tail) > m.width {
			break
		}
		line = next
	}
	if more {
		mark := m.look.busy.Render("-- more below --") + "  "
		if ansi.StringWidth(line+mark+tail) <= m.width {
			line = mark + line
		}
	}
	return line + tail
}

func (m *model) renderHints(hs []hint) string {
	var parts []string
	for _, h := range hs {
		parts = append(parts, m.look.key.Render(h.key)+" "+h.what)
	}
	return strings.Join(parts, "  ")
}

// helpBox lists the keys of the screen shown and those that work
// everywhere, for the ? overlay. One screen's keys at a time, so that it
// fits an 80x24 terminal.
func (m *model) helpBox() []string {
	l := m.look
	sections := []struct {
		title string
		keys  []hint
	}{{"Everywhere", []hint{
		{"1 2 3", "the status, WiFi and QR code screens"},
		{"tab", "next screen"},
		{"? or F1", "this help"},
		{"q or ctrl+c", "quit to the shell"},
	}}}
	switch m.tab {
	case tabStatus:
		sections = append(sections, struct {
			title string
			keys  []hint
		}{"Status", []hint{{"up/down pgup/pgdn", "scroll, when the text is taller than the screen"}}})
	case tabWiFi:
		sections = append(sections, struct {
			title string
			keys  []hint
		}{"WiFi", m.wifi.helpHints()})
	}
	var text []string
	for _, s := range sections {
		text = append(text, l.heading.Render(s.title))
		for _, k := range s.keys {
			text = append(text, "  "+l.key.Render(padRight(k.key, 18))+k.what)
		}
		text = append(text, "")
	}
	text = append(text, "After quitting: "+m.comeBack)
	w := 0
	for _, t := range text {
		w = max(w, ansi.StringWidth(t))
	}
	w = min(w, m.width-6)
	g := l.box()
	out := []string{g.tl + strings.Repeat(g.h, w+2) + g.tr}
	for _, t := range text {
		out = append(out, g.v+" "+padRight(ansi.Truncate(t, w, ""), w)+" "+g.v)
	}
	return append(out, g.bl+strings.Repeat(g.h, w+2)+g.br)
}

// overlay draws box, with a blank margin, over the middle of lines.
func overlay(lines, box []string, width int) []string {
	for i, b := range box {
		box[i] = " " + b + " "
	}
	bw := ansi.StringWidth(box[0])
	top := max(1, (len(lines)-len(box))/2)
	left := max(0, (width-bw)/2)
	out := append([]string(nil), lines...)
	for i, b := range box {
		y := top + i
		if y >= len(out)-1 {
			break
		}
		bg := padRight(out[y], width)
		out[y] = ansi.Truncate(bg, left, "") + b + ansi.TruncateLeft(bg, left+bw, "")
	}
	return out
}

// besides puts right beside left, left padded to leftW cells.
func besides(left []string, leftW int, right []string) []string {
	n := max(len(left), len(right))
	out := make([]string, n)
	for i := range n {
		var l, r string
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			r = right[i]
		}
		if r == "" {
			out[i] = l
			continue
		}
		out[i] = padRight(ansi.Truncate(l, leftW, ""), leftW) + r
	}
	return out
}

// fitLines makes lines exactly h long.
func fitLines(lines []string, h int) []string {
	if len(lines) > h {
		return lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return lines
}

func padRight(s string, w int) string {
	if n := ansi.StringWidth(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}

func center(s string, sw, w int) string {
	return strings.Repeat(" ", max(0, (w-sw)/2)) + s
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
