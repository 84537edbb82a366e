package qr_test

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nix-community/installer-console/qr"
)

func TestNewPayloadKeepsGlobalAddressesIPv4First(t *testing.T) {
	in := addrs(
		"fe80::1",                 // link-local
		"2001:db8::1",             // global
		"127.0.0.1",               // loopback
		"10.0.0.5",                // private IPv4: global scope, reachable on the LAN
		"::1",                     // loopback
		"fd12:3456:789a::1",       // unique local: global scope
		"169.254.10.20",           // IPv4 link-local
		"ff02::1",                 // multicast
		"224.0.0.251",             // multicast (mDNS)
		"0.0.0.0",                 // unspecified
		"::",                      // unspecified
		"255.255.255.255",         // limited broadcast
		"::ffff:192.0.2.7",        // IPv4-mapped: an IPv4 address
		"fe80::1%eth0",            // link-local with zone
		"2001:db8::2%eth0",        // a zone on a global address is dropped
		"192.168.1.23",            // private
		"2001:db8::1",             // duplicate
		"100.64.0.1",              // shared address space (CGNAT)
		"2001:db8:0:0:0:0:0:abcd", // printed compressed
	)
	in = append(in, netip.Addr{}) // the zero Addr
	got := qr.NewPayload("pw", "x.onion", in)
	want := []string{
		"10.0.0.5",
		"192.0.2.7",
		"192.168.1.23",
		"100.64.0.1",
		"[2001:db8::1]",
		"[fd12:3456:789a::1]",
		"[2001:db8::2]",
		"[2001:db8::abcd]",
	}
	if !slices.Equal(got.Addrs, want) {
		t.Errorf("Addrs = %q\nwant   %q", got.Addrs, want)
	}
	if got.Pass != "pw" || got.Tor != "x.onion" {
		t.Errorf("Pass, Tor = %q, %q; want pw, x.onion", got.Pass, got.Tor)
	}
}

func TestNewPayloadWithoutGlobalAddressesHasNone(t *testing.T) {
	p := qr.NewPayload("pw", "", addrs("fe80::1", "127.0.0.1", "::1"))
	if p.Addrs != nil {
		t.Errorf("Addrs = %q, want none", p.Addrs)
	}
}

func TestPayloadJSONIsExactlyWhatClanReads(t *testing.T) {
	for _, tc := range []struct {
		p    qr.Payload
		want string
	}{
		{qr.Payload{}, `{}`},
		{qr.Payload{Pass: "a-b-c"}, `{"pass":"a-b-c"}`},
		{qr.Payload{Tor: "x.onion"}, `{"tor":"x.onion"}`},
		{qr.Payload{Addrs: []string{}}, `{}`},
		{
			qr.NewPayload("a-b-c", "x.onion", addrs("2001:db8::1", "192.0.2.1")),
			`{"pass":"a-b-c","tor":"x.onion","addrs":["192.0.2.1","[2001:db8::1]"]}`,
		},
		{qr.Payload{Pass: `q"<&>\`}, `{"pass":"q\"<&>\\"}`},
		{qr.Payload{Pass: "Grüße-東京-🔑"}, `{"pass":"Gr\u00fc\u00dfe-\u6771\u4eac-\ud83d\udd11"}`},
	} {
		got, err := tc.p.JSON()
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tc.want {
			t.Errorf("JSON() = %s\nwant     %s", got, tc.want)
		}
	}
}

func TestPayloadJSONKeepsEveryPassword(t *testing.T) {
	for _, pw := range []string{"Grüße-東京-🔑", "tab\there", "\u2028", `"\`, "\ufffd", "a\x00b"} {
		data, err := qr.Payload{Pass: pw}.JSON()
		if err != nil {
			t.Fatal(err)
		}
		var back qr.Payload
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatalf("%s: %v", data, err)
		}
		if back.Pass != pw {
			t.Errorf("password %q comes back as %q from %s", pw, back.Pass, data)
		}
		for _, c := range data {
			if c >= 0x80 || c < 0x20 {
				t.Errorf("%q: JSON text %q holds byte %#x", pw, data, c)
				break
			}
		}
	}
}

// TestFixturesFollowClansRules checks every fixture's JSON against the
// rules of clan's parser (clan_lib/network/qr_code.py and
// clan_lib/ssh/parse.py): keys pass/tor/addrs, addrs[0] is the one tried
// and must parse as [user@]host[:port], IPv6 only in brackets; plus ours:
// no link-local address, no escape or control characters, ASCII only.
func TestFixturesFollowClansRules(t *testing.T) {
	for _, f := range fixtures() {
		t.Run(f.name, func(t *testing.T) {
			data, err := f.payload.JSON()
			if err != nil {
				t.Fatal(err)
			}
			if err := clanAccepts(data); err != nil {
				t.Errorf("%s: %v", data, err)
			}
		})
	}
}

func TestClanRulesCheckerRejectsWhatClanRejects(t *testing.T) {
	for _, bad := range []string{
		`{"addrs":["2001:db8::1"]}`,         // bare IPv6
		`{"addrs":["[fe80::1]"]}`,           // link-local
		"{\"addrs\":[\"\x1b[1m10.0.0.1\"]}", // colour escape (invalid JSON already)
		`{"addrs":["\u001b[1m10.0.0.1"]}`,   // colour escape
		`{"addrs":[1]}`,                     // not a string
		`{"pass":"x","password":"x"}`,       // old key name
		`{"addrs":["10.0.0.1:x"]}`,          // bad port
		`{"pass":""}`,                       // an unknown value is left out, not empty
		`{"pass":"grüße"}`,                  // not ASCII
	} {
		if err := clanAccepts([]byte(bad)); err == nil {
			t.Errorf("clanAccepts(%q) = nil, want an error", bad)
		}
	}
}

var controlChars = regexp.MustCompile(`[\x00-\x1f\x7f]`)

var nonASCII = regexp.MustCompile(`[^\x00-\x7f]`)

// clanAccepts parses data the way clan's CLI does, and applies our own
// rules on top. It returns what is wrong.
func clanAccepts(data []byte) error {
	if controlChars.Match(data) {
		return fmt.Errorf("control character in the JSON text")
	}
	if nonASCII.Match(data) {
		return fmt.Errorf("non-ASCII character in the JSON text: readers guess its encoding")
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return err
	}
	for k, v := range doc {
		switch k {
		case "pass", "tor":
			s, ok := v.(string)
			if !ok || s == "" {
				return fmt.Errorf("%s = %v, want a non-empty string", k, v)
			}
			if controlChars.MatchString(s) {
				return fmt.Errorf("%s holds a control character", k)
			}
			if k == "tor" {
				if _, err := clanParseAddress(s); err != nil {
					return fmt.Errorf("tor: %w", err)
				}
			}
		case "addrs":
			list, ok := v.([]any)
			if !ok || len(list) == 0 {
				return fmt.Errorf("addrs = %v, want a non-empty list", v)
			}
			for i, a := range list {
				s, ok := a.(string)
				if !ok {
					return fmt.Errorf("addrs[%d] = %v, not a string", i, a)
				}
				host, err := clanParseAddress(s)
				if err != nil {
					return fmt.Errorf("addrs[%d]: %w", i, err)
				}
				ip, err := netip.ParseAddr(host)
				if err != nil {
					return fmt.Errorf("addrs[%d] = %q: not an IP address", i, s)
				}
				if !ip.IsGlobalUnicast() {
					return fmt.Errorf("addrs[%d] = %q is not a global address", i, s)
				}
			}
		default:
			return fmt.Errorf("unknown key %q", k)
		}
	}
	return nil
}

// clanParseAddress mirrors clan's parse_deployment_address: an optional
// ssh:// and user@, then host[:port] where a host with more than one colon
// must be bracketed. It returns the host.
func clanParseAddress(addr string) (string, error) {
	addr = strings.TrimPrefix(addr, "ssh://")
	endpoint, _, _ := strings.Cut(addr, "?")
	parts := strings.Split(endpoint, "@")
	var hostPort string
	switch len(parts) {
	case 1:
		hostPort = parts[0]
	case 2:
		hostPort = parts[1]
	default:
		return "", fmt.Errorf("invalid host %q", addr)
	}
	if strings.Count(hostPort, ":") > 1 && !regexp.MustCompile(`.*\[.*]`).MatchString(hostPort) {
		return "", fmt.Errorf("invalid hostname %q: IPv6 addresses must be enclosed in brackets", addr)
	}
	u, err := url.Parse("//" + hostPort)
	if err != nil {
		return "", err
	}
	if u.Hostname() == "" {
		return "", fmt.Errorf("invalid host %q", addr)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 0 || n > 65535 {
			return "", fmt.Errorf("invalid port in %q", addr)
		}
	}
	return u.Hostname(), nil
}
