package netrestore

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/nix-community/installer-console/internal/netnstest"
)

// The MACs of the scenario's two interfaces; the round trip gives the fresh
// namespace's interfaces the same ones.
const (
	macEth0 = "52:54:00:12:34:01"
	macEth1 = "52:54:00:12:34:02"
)

// dumps is one capture of a namespace, as kexec/run takes it.
type dumps struct{ addrs, routes4, routes6 []byte }

func (d dumps) sources() (Source, Source, Source) {
	return Source{"addrs.json", d.addrs}, Source{"routes-v4.json", d.routes4}, Source{"routes-v6.json", d.routes6}
}

func capture(ns *netnstest.NS) dumps {
	return dumps{
		addrs:   []byte(ns.IP("--json", "addr")),
		routes4: []byte(ns.IP("-4", "--json", "route")),
		routes6: []byte(ns.IP("-6", "--json", "route")),
	}
}

// withLinks makes a namespace holding eth0 and eth1 with the scenario's
// MACs, up, their veth peers up in a second namespace (the "network"), so
// that the kernel accepts gateways and IPv6 routes on them.
func withLinks(t *testing.T) *netnstest.NS {
	t.Helper()
	host, wire := netnstest.New(t), netnstest.New(t)
	for i, mac := range []string{macEth0, macEth1} {
		name, peer := "eth"+string(rune('0'+i)), "peer"+string(rune('0'+i))
		host.IP("link", "add", name, "address", mac, "type", "veth", "peer", "name", peer, "netns", wire.Name)
		host.IP("link", "set", name, "up")
		wire.IP("link", "set", peer, "up")
	}
	return host
}

// scenarioHost builds the network state of a machine about to be switched
// into the installer: what a Debian or cloud image with static addresses,
// a DHCP lease and hand-made routes looks like to `ip`.
func scenarioHost(t *testing.T) *netnstest.NS {
	t.Helper()
	ns := withLinks(t)
	run := func(args ...string) { t.Helper(); ns.IP(args...) }

	// eth0: a LAN with static addresses and a DHCP client's leases.
	run("addr", "add", "192.168.42.2/24", "dev", "eth0")
	run("addr", "add", "192.168.42.50/24", "dev", "eth0", "valid_lft", "1800", "preferred_lft", "1800")
	run("addr", "add", "192.168.42.51/24", "dev", "eth0", "valid_lft", "3600", "preferred_lft", "3600")
	run("addr", "add", "2001:db8:42::2/64", "dev", "eth0", "nodad")
	run("addr", "add", "2001:db8:42::99/64", "dev", "eth0", "nodad", "valid_lft", "3600", "preferred_lft", "3600")
	run("route", "add", "default", "via", "192.168.42.1", "dev", "eth0")
	run("route", "add", "192.168.43.0/24", "dev", "eth0")
	run("route", "add", "192.168.44.0/24", "via", "192.168.43.1", "dev", "eth0", "metric", "50")
	run("route", "add", "10.42.0.0/24", "via", "inet6", "fe80::1", "dev", "eth0")
	run("route", "add", "203.0.113.9", "via", "192.168.42.1", "dev", "eth0", "src", "192.168.42.2")
	run("route", "add", "10.50.0.0/16", "via", "192.168.42.1", "dev", "eth0", "proto", "dhcp")
	run("-6", "route", "add", "default", "via", "fe80::1", "dev", "eth0")
	run("-6", "route", "add", "2001:db8:44::/64", "via", "2001:db8:42::1", "dev", "eth0", "proto", "static", "metric", "512")
	run("-6", "route", "add", "2001:db8:45::/64", "via", "fe80::2", "dev", "eth0", "proto", "ra")

	// eth1: a hosting provider's /32 with an on-link gateway outside it,
	// and a point-to-point address.
	run("addr", "add", "198.51.100.7/32", "dev", "eth1")
	run("addr", "add", "10.9.0.1", "peer", "10.9.0.2/32", "dev", "eth1")
	run("addr", "add", "2001:db8:7::7/64", "dev", "eth1", "nodad")
	run("route", "add", "default", "via", "172.31.1.1", "dev", "eth1", "onlink", "metric", "100")
	run("route", "add", "172.16.0.0/12", "via", "172.31.1.1", "dev", "eth1", "onlink", "proto", "static")
	run("-6", "route", "add", "default", "via", "fe80::1", "dev", "eth1", "metric", "2048")

	// A tunnel (link type none): no MAC, so nothing is carried over.
	run("tuntap", "add", "dev", "tun0", "mode", "tun")
	run("link", "set", "tun0", "up")
	run("addr", "add", "10.8.0.1/24", "dev", "tun0")
	run("route", "add", "10.80.0.0/16", "dev", "tun0")
	return ns
}

// Checked-in capture of scenarioHost, so that the rules are tested without
// root too; refreshed with -update.
var captureDir = filepath.Join("testdata", "capture")

func checkedInCapture(t *testing.T) dumps {
	t.Helper()
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(captureDir, name))
		if err != nil {
			t.Fatalf("%v (run the tests as root with -update to capture it)", err)
		}
		return b
	}
	return dumps{read("addrs.json"), read("routes-v4.json"), read("routes-v6.json")}
}
