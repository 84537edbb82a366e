package netrestore

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func gen(t *testing.T, addrs, routes4, routes6 string) []Unit {
	t.Helper()
	units, err := Generate(Source{"addrs.json", []byte(addrs)}, Source{"routes-v4.json", []byte(routes4)}, Source{"routes-v6.json", []byte(routes6)})
	if err != nil {
		t.Fatal(err)
	}
	return units
}

// Interfaces that share a MAC (a bond and its first member; a VLAN and its
// parent) must not get two units matching the same device: they are merged
// into one, named after the first. A bond member whose MAC the bond changed
// is matched by its own (permaddr), which it has again after the jump.
func TestSharedMACMerged(t *testing.T) {
	addrs := `[
	 {"ifindex":2,"ifname":"eno1","link_type":"ether","address":"52:54:00:00:00:01","master":"bond0","addr_info":[]},
	 {"ifindex":3,"ifname":"eno2","link_type":"ether","address":"52:54:00:00:00:01","permaddr":"52:54:00:00:00:02","master":"bond0","addr_info":[]},
	 {"ifindex":4,"ifname":"bond0","link_type":"ether","address":"52:54:00:00:00:01","addr_info":[
	   {"family":"inet","local":"192.0.2.10","prefixlen":24,"scope":"global","valid_life_time":4294967295}]}]`
	routes4 := `[{"dst":"default","gateway":"192.0.2.1","dev":"bond0","flags":[]}]`
	units := gen(t, addrs, routes4, "[]")
	if len(units) != 2 || units[0].Name != "00-eno1.network" || units[1].Name != "00-eno2.network" {
		t.Fatalf("units %v", unitNames(units))
	}
	s, err := parseUnit(string(units[0].Content))
	if err != nil {
		t.Fatal(err)
	}
	if s[0].get("MACAddress") != "52:54:00:00:00:01" || !strings.Contains(string(units[0].Content), "Address=192.0.2.10/24") ||
		!strings.Contains(string(units[0].Content), "Gateway=192.0.2.1") || !strings.Contains(string(units[0].Content), "Interface on that system: eno1, bond0") {
		t.Errorf("merged unit:\n%s", units[0].Content)
	}
	if !strings.Contains(string(units[1].Content), "MACAddress=52:54:00:00:00:02") {
		t.Errorf("bond member not matched by its permanent MAC:\n%s", units[1].Content)
	}
}

// What has no MAC to match is skipped, including `{}` placeholders that
// some iproute2 releases print, tunnels that print an IP as address, and
// routes on skipped devices or without a device.
func TestSkipped(t *testing.T) {
	addrs := `[{},
	 {"ifindex":1,"ifname":"lo","link_type":"loopback","address":"00:00:00:00:00:00","addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8,"scope":"host"}]},
	 {"ifindex":5,"ifname":"sit0","link_type":"sit","address":"0.0.0.0","addr_info":[]},
	 {"ifindex":6,"ifname":"wg0","link_type":"none","addr_info":[{"family":"inet","local":"10.1.0.1","prefixlen":24,"scope":"global"}]},
	 {"ifindex":7,"ifname":"dummy0","link_type":"ether","address":"00:00:00:00:00:00","addr_info":[]},
	 {"ifindex":2,"ifname":"eth0","link_type":"ether","address":"52:54:00:AB:CD:EF","addr_info":[{},
	   {"family":"inet","local":"10.0.0.5","prefixlen":24,"scope":"global","dynamic":true,"valid_life_time":600},
	   {"family":"inet","local":"10.0.0.6","prefixlen":24,"scope":"global","dynamic":true,"valid_life_time":600},
	   {"family":"inet6","local":"fe80::1","prefixlen":64,"scope":"link"},
	   {"family":"inet6","local":"2001:db8::5","prefixlen":64,"scope":"global","dynamic":true,"mngtmpaddr":true,"valid_life_time":86400},
	   {"family":"mpls","local":"x"}]}]`
	routes4 := `[{},
	 {"dst":"10.1.0.0/16","dev":"wg0","flags":[]},
	 {"type":"blackhole","dst":"192.0.2.0/24","flags":[]},
	 {"dst":"198.51.100.0/24","flags":[],"nexthops":[{"gateway":"10.0.0.1","dev":"eth0"}]},
	 {"dst":"10.2.0.0/16","gateway":"10.0.0.1","dev":"eth0","table":"100","flags":[]},
	 {"type":"unreachable","dst":"10.3.0.0/16","dev":"eth0","flags":[]}]`
	units := gen(t, addrs, routes4, "[]")
	if len(units) != 1 {
		t.Fatalf("units %v", unitNames(units))
	}
	want := `# Restored by installer-console restore-network from the network state of
# the system this installer was started from with kexec.
# Interface on that system: eth0

[Match]
MACAddress=52:54:00:ab:cd:ef

[Network]
DHCP=yes
IPv6AcceptRA=yes
LLDP=yes
MulticastDNS=yes

[DHCPv4]
RequestAddress=10.0.0.5
`
	if string(units[0].Content) != want {
		t.Errorf("got\n%s\nwant\n%s", units[0].Content, want)
	}
}

// A name that is not a safe file name (or none) gives a MAC-based file
// name and stays out of the comment.
func TestOddInterfaceName(t *testing.T) {
	units := gen(t, `[{"ifindex":2,"ifname":"../x\nDHCP=no","link_type":"ether","address":"52:54:00:00:00:09","addr_info":[]},
		{"ifindex":3,"link_type":"ether","address":"52:54:00:00:00:0a","addr_info":[]}]`, "[]", "[]")
	if names := unitNames(units); names != "00-52-54-00-00-00-09.network 00-52-54-00-00-00-0a.network" {
		t.Fatalf("units %s", names)
	}
	for _, u := range units {
		if _, err := parseUnit(string(u.Content)); err != nil || strings.Contains(string(u.Content), "../") {
			t.Errorf("%s: %v\n%s", u.Name, err, u.Content)
		}
	}
}

// Bad input is an error naming the file and the problem.
func TestBadInput(t *testing.T) {
	good := `[{"ifindex":2,"ifname":"eth0","link_type":"ether","address":"52:54:00:00:00:01","addr_info":[]}]`
	for _, tc := range []struct {
		name, addrs, routes4, routes6, want string
	}{
		{"truncated", good[:40], "[]", "[]", "addrs.json: truncated JSON"},
		{"malformed", `[{"ifindex":2,}]`, "[]", "[]", "addrs.json: malformed JSON at byte 15"},
		{"trailing data", good + `]`, "[]", "[]", "addrs.json: unexpected data after the JSON array"},
		{"empty", good, "", "[]", "routes-v4.json: empty file, expected the JSON array printed by `ip -4 --json route`"},
		{"null", good, "[]", "null", "routes-v6.json: got null"},
		{"object", `{"ifindex":2}`, "[]", "[]", "addrs.json: expected the JSON array printed by `ip --json addr`, got a JSON object"},
		{"wrong type", `[{"ifindex":"2"}]`, "[]", "[]", `addrs.json: wrong type at byte 15: "ifindex" is a JSON string, expected a number`},
		{"wrong nested type", `[{"ifname":"eth0","addr_info":[{"prefixlen":"24"}]}]`, "[]", "[]", `"addr_info.prefixlen" is a JSON string, expected a number`},
		{"bad local", `[{"ifname":"eth0","link_type":"ether","address":"52:54:00:00:00:01","addr_info":[{"family":"inet","local":"10.0.0.300","prefixlen":24,"scope":"global"}]}]`, "[]", "[]",
			`addrs.json: interface "eth0", address 1: local "10.0.0.300" is not an IP address`},
		{"family mismatch", `[{"ifname":"eth0","link_type":"ether","address":"52:54:00:00:00:01","addr_info":[{"family":"inet","local":"2001:db8::1","prefixlen":64,"scope":"global"}]}]`, "[]", "[]",
			"local 2001:db8::1 is not an IPv4 address"},
		{"prefixlen range", `[{"ifname":"eth0","link_type":"ether","address":"52:54:00:00:00:01","addr_info":[{"family":"inet","local":"10.0.0.1","prefixlen":33,"scope":"global"}]}]`, "[]", "[]",
			"prefixlen 33 out of range"},
		{"no prefixlen", `[{"ifname":"eth0","link_type":"ether","address":"52:54:00:00:00:01","addr_info":[{"family":"inet","local":"10.0.0.1","scope":"global"}]}]`, "[]", "[]",
			"no prefixlen for 10.0.0.1"},
		{"bad dst", good, `[{"dst":"10.0.0.0/33","dev":"eth0"}]`, "[]", `routes-v4.json: route 1 (dev eth0): dst "10.0.0.0/33" is not an IP prefix`},
		{"v6 dst in v4 dump", good, `[{"dst":"2001:db8::/64","dev":"eth0"}]`, "[]", "dst 2001:db8::/64 is not an IPv4 prefix"},
		{"bad gateway", good, "[]", `[{"dst":"default","gateway":"10.0.0.1","dev":"eth0"}]`, "routes-v6.json: route 1 (dev eth0): gateway 10.0.0.1 is not an IPv6 address"},
		{"bad via", good, `[{"dst":"default","via":{"family":"inet6","host":"zz"},"dev":"eth0"}]`, "[]", `via "zz" is not an IP address`},
		{"duplicate name", `[{"ifname":"eth0","link_type":"ether","address":"52:54:00:00:00:01"},{"ifname":"eth0","link_type":"ether","address":"52:54:00:00:00:02"}]`, "[]", "[]",
			`addrs.json: interface "eth0" appears twice`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Generate(Source{"addrs.json", []byte(tc.addrs)}, Source{"routes-v4.json", []byte(tc.routes4)}, Source{"routes-v6.json", []byte(tc.routes6)})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

// A missing input file fails before anything is written.
func TestMissingFile(t *testing.T) {
	dir := t.TempDir()
	d := checkedInCapture(t)
	os.WriteFile(filepath.Join(dir, "addrs.json"), d.addrs, 0o644)
	os.WriteFile(filepath.Join(dir, "routes-v4.json"), d.routes4, 0o644)
	out := filepath.Join(dir, "network")
	_, err := Restore(filepath.Join(dir, "addrs.json"), filepath.Join(dir, "routes-v4.json"), filepath.Join(dir, "routes-v6.json"), out)
	if err == nil || !strings.Contains(err.Error(), "routes-v6.json: no such file or directory") {
		t.Fatalf("error %v", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("output directory was created: %v", err)
	}
}

func unitNames(units []Unit) string {
	var names []string
	for _, u := range units {
		names = append(names, u.Name)
	}
	return strings.Join(names, " ")
}
