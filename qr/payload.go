// Package qr owns the login QR code: the payload it carries and its three
// renderings (terminal half blocks, plain ASCII, PNG).
//
// The payload is the JSON document that clan's CLI reads from a picture of
// the code (`zbarimg --raw`): {"pass":…,"tor":…,"addrs":[…]}. clan only tries
// addrs[0] and rejects a bare IPv6 address, so the addresses are global ones,
// IPv4 first, IPv6 bracketed.
package qr

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"slices"
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
func (p Payload) JSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	// "<", ">" and "&" stay as they are: shorter, and what a reader expects.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// Code encodes the payload's JSON as a QR code.
func (p Payload) Code() (*Code, error) {
	data, err := p.JSON()
	if err != nil {
		return nil, err
	}
	return Encode(data)
}
