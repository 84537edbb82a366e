package tui

import (
	"fmt"
	"github.com/charmbracelet/x/ansi"
	"strings"

	"github.com/nix-community/installer-console/login"
	"github.com/nix-community/installer-console/qr"
)

// qrCode is one login QR code drawn as text lines.
type qrCode struct {
	payload qr.Payload
	code    *qr.Code
	utf8    bool
	attrs   bool
	lines   []string
	width   int // cells
	// quiet is the light border kept on each side, in modules.
	quiet int
	// thin is the same code with the narrowest quiet zone, drawn once
	// with it for screens just too small for the full border; nil when
	// the code has that border already.
	thin *qrCode
	err  error
}

// qrCodes encodes the login QR code, and smaller ones for terminals too
// small for it, once per payload: the screen is redrawn far more often
// than the payload changes.
type qrCodes struct {
	utf8 bool
	// attrs: the terminal takes escape sequences (not TERM=dumb), so
	// reverse video can draw the code without UTF-8.
	attrs    bool
	key      string
	variants []qrCode // the full code first, then ever smaller ones
}

// full returns the code with everything in it.
func (c *qrCodes) full(info login.Info) qrCode {
	c.update(info)
	return c.variants[0]
}

// fit returns the most complete code that fits in width x height cells:
// the full code; then with a 2-module quiet zone instead of 4 (phone
// cameras read that well; the norm asks for 4); then, because clan and
// people mostly use the first address, with fewer parts: password, onion
// and first address; password and first address; password and onion;
// password alone. ok is false when nothing fits.
func (c *qrCodes) fit(info login.Info, width, height int) (code qrCode, ok bool) {
	c.update(info)
	for _, v := range c.variants {
		for _, quiet := range []int{qr.QuietZone, qr.MinQuietZone} {
			t := v.trim(quiet)
			if t.err == nil && t.width <= width && len(t.lines) <= height {
				return t, true
			}
		}
	}
	return qrCode{}, false
}

func (c *qrCodes) update(info login.Info) {
	full := qr.NewPayload(info.Password, info.Onion, info.Addrs())
	key := payloadKey(full)
	if key == c.key && c.variants != nil {
		return
	}
	c.key = key
	c.variants = nil
	seen := map[string]bool{}
	add := func(p qr.Payload) {
		k := payloadKey(p)
		if seen[k] {
			return
		}
		seen[k] = true
		c.variants = append(c.variants, encodeQR(p, c.utf8, c.attrs))
	}
	add(full)
	first := full.Addrs
	if len(first) > 1 {
		first = first[:1]
	}
	add(qr.Payload{Pass: full.Pass, Tor: full.Tor, Addrs: first})
	add(qr.Payload{Pass: full.Pass, Addrs: first})
	add(qr.Payload{Pass: full.Pass, Tor: full.Tor})
	add(qr.Payload{Pass: full.Pass})
}

func payloadKey(p qr.Payload) string {
	b, _ := p.JSON()
	return string(b)
}

func encodeQR(p qr.Payload, utf8, attrs bool) qrCode {
	code, err := p.Code()
	if err != nil {
		return qrCode{payload: p, err: err}
	}
	q := render(qrCode{payload: p, code: code, utf8: utf8, attrs: attrs})
	if thin, err := code.WithQuietZone(qr.MinQuietZone); err == nil && thin.Quiet() < q.quiet {
		t := render(qrCode{payload: p, code: thin, utf8: utf8, attrs: attrs})
		q.thin = &t
	}
	return q
}

// render draws the code: half blocks on a UTF-8 terminal; without UTF-8,
// reverse-video spaces, because a "#" lights too little of its cell for a
// camera to read the code off a real console; "##" only where the
// terminal takes no escape sequences at all.
func render(q qrCode) qrCode {
	switch {
	case q.utf8:
		q.lines = q.code.Terminal()
	case q.attrs:
		q.lines = q.code.ASCIIReverse()
	default:
		q.lines = q.code.ASCII()
	}
	q.width, q.quiet = ansi.StringWidth(q.lines[0]), q.code.Quiet()
	return q
}

// trim returns the code with a quiet zone of quiet modules: the full one,
// or the thin one drawn when the code was encoded.
func (q qrCode) trim(quiet int) qrCode {
	if q.err != nil || quiet >= q.quiet || q.thin == nil {
		return q
	}
	return *q.thin
}

// describe says in words what a code holds.
func (q qrCode) describe() string {
	var parts []string
	if q.payload.Pass != "" {
		parts = append(parts, "the root password")
	}
	if n := len(q.payload.Addrs); n == 1 {
		parts = append(parts, "the address "+strings.Trim(q.payload.Addrs[0], "[]"))
	} else if n > 1 {
		parts = append(parts, fmt.Sprintf("%d addresses", n))
	}
	if q.payload.Tor != "" {
		parts = append(parts, "the onion address")
	}
	switch len(parts) {
	case 0:
		return "nothing yet"
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

func textWidth(s string) int { return ansi.StringWidth(s) }
