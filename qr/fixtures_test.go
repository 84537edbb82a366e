package qr_test

import (
	"net/netip"
	"strings"

	"github.com/nix-community/installer-console/qr"
)

// onion is a v3 onion hostname: 56 base32 characters and ".onion".
var onion = strings.Repeat("abcdefgh234567xy", 4)[:56] + ".onion"

// fixture is a payload the console may show, from the smallest to the
// largest realistic one.
type fixture struct {
	name    string
	payload qr.Payload
}

func fixtures() []fixture {
	return []fixture{
		{"nothing known yet", qr.NewPayload("", "", nil)},
		{"password only", qr.NewPayload("ruby-tuesday-glow", "", nil)},
		{"password and one address", qr.NewPayload("ruby-tuesday-glow", "",
			addrs("192.168.1.23"))},
		{"typical", qr.NewPayload("unusable-shrewdly-decibel-ample", onion,
			addrs("fe80::1c2d:3eff:fe4f:5061", "192.168.178.54", "2001:db8:85a3::8a2e:370:7334"))},
		{"chosen password beyond ASCII", qr.NewPayload("Grüße, ñandú & 東京 <€>", "",
			addrs("10.0.0.7"))},
		{"largest", largest()},
	}
}

// largest is the largest realistic payload: a 6-word password of the
// longest words, an onion hostname and 8 addresses of two dual-stack
// interfaces, most of them IPv6 of full length.
func largest() qr.Payload {
	return qr.NewPayload(
		"affidavit-bartender-chemistry-deflation-embattled-footprint",
		onion,
		addrs(
			"2001:0db8:85a3:1234:5678:8a2e:0370:7334",
			"192.168.178.254",
			"2a02:8109:b6c0:1a2b:3c4d:5e6f:7a8b:9c0d",
			"fdc3:9a1b:77e2:4d5c:3c4d:5e6f:7a8b:9c0d",
			"2a02:8109:b6c0:1a2b:d1e2:f3a4:b5c6:d7e8",
			"100.100.254.254",
			"2a02:8109:b6c0:ffff:3c4d:5e6f:7a8b:9c0d",
			"fdc3:9a1b:77e2:ffff:d1e2:f3a4:b5c6:d7e8",
		))
}

func addrs(s ...string) []netip.Addr {
	var out []netip.Addr
	for _, a := range s {
		out = append(out, netip.MustParseAddr(a))
	}
	return out
}
