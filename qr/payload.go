// Package qr owns the login QR code: the payload it carries and its three
// renderings (terminal half blocks, plain ASCII, PNG).
//
// The payload is the JSON document that clan's CLI reads from a picture of
// the code (`zbarimg --raw`): {"pass":…,"tor":…,"addrs":[…]}. clan only tries
// addrs[0] and rejects a bare IPv6 address, so the addresses are global ones,
// IPv4 first, IPv6 bracketed. The text is ASCII, so that every reader
// decodes the same characters.
//
// The code is the smallest version that holds the payload at error
// correction level M, at the best level that fits that version, with a
// mask that ZXing-based readers can find (see findable.go).
package qr

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"unicode/utf16"
	"unicode/utf8"
)

// Payload is the login data a QR code carries. Empty fields are left out of
// the JSON: a value that is not known yet is absent, never a placeholder.
type Payload struct {
	// Pass is the root password.
	Pass string `json:"pass,omitempty"`
	// Tor is the onion hostname of the SSH onion service.
	Tor string `json:"tor,omitempty"`
	// Addrs are the addresses to SSH to, in the form clan accepts: an IPv4
	// address, or an IPv6 address in brackets.
	Addrs []string `json:"addrs,omitempty"`
}

// NewPayload builds the payload from the password, the onion hostname and
// the machine's addresses. Of the addresses it keeps the global unicast ones
// (private IPv4 and IPv6 unique local addresses included: they are global in
// scope and reachable on the local network), without duplicates, IPv4 first
// and otherwise in the given order. IPv6 addresses are bracketed.
func NewPayload(pass, onion string, addrs []netip.Addr) Payload {
	var v4, v6 []netip.Addr
	for _, a := range addrs {
		a = a.Unmap().WithZone("")
		if !a.IsGlobalUnicast() {
			// Drops link-local, loopback, multicast, unspecified,
			// the limited broadcast and the zero Addr.
			continue
		}
		if a.Is4() {
			if !slices.Contains(v4, a) {
				v4 = append(v4, a)
			}
		} else if !slices.Contains(v6, a) {
			v6 = append(v6, a)
		}
	}
	p := Payload{Pass: pass, Tor: onion}
	for _, a := range v4 {
		p.Addrs = append(p.Addrs, a.String())
	}
	for _, a := range v6 {
		p.Addrs = append(p.Addrs, "["+a.String()+"]")
	}
	return p
}

// JSON returns the payload as compact JSON, the exact text of the QR code.
// The text is ASCII: any other character (a chosen password may have
// some) is written as a \u escape. A QR code carries bytes without saying
// how they are encoded unless it has an ECI header, which go-qrcode does
// not write, and zbarimg then guesses: UTF-8 "ü" comes out as Shift JIS
// "ﾃｼ". ASCII reads the same everywhere, and the JSON means the same.
func (p Payload) JSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	// "<", ">" and "&" stay as they are: shorter, and what a reader expects.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return nil, err
	}
	return asciiJSON(bytes.TrimSuffix(b.Bytes(), []byte("\n"))), nil
}

// asciiJSON replaces every non-ASCII character of the JSON text data by
// its \u escape (a surrogate pair beyond the Basic Multilingual Plane).
// Outside strings JSON is ASCII already, so only strings change, and only
// in spelling.
func asciiJSON(data []byte) []byte {
	out := make([]byte, 0, len(data))
	for _, r := range string(data) {
		if r < utf8.RuneSelf {
			out = append(out, byte(r))
			continue
		}
		if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
			out = fmt.Appendf(out, `\u%04x\u%04x`, r1, r2)
		} else {
			out = fmt.Appendf(out, `\u%04x`, r)
		}
	}
	return out
}

// Code encodes the payload's JSON as a QR code.
func (p Payload) Code() (*Code, error) {
	data, err := p.JSON()
	if err != nil {
		return nil, err
	}
	return Encode(data)
}
