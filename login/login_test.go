package login

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nix-community/installer-console/internal/netnstest"
	"github.com/nix-community/installer-console/internal/testtool"
	"github.com/nix-community/installer-console/state"
)

func TestInterfacesGlobalAddressesIPv4First(t *testing.T) {
	ns := netnstest.New(t)
	ns.IP("link", "add", "veth0", "address", "02:00:00:00:00:01", "type", "veth", "peer", "name", "veth1")
	ns.IP("link", "add", "down0", "type", "veth", "peer", "name", "down1")
	// IPv6 first on purpose: the result must still list IPv4 first.
	ns.IP("addr", "add", "2001:db8::10/64", "dev", "veth0", "nodad")
	ns.IP("addr", "add", "fd00:1::5/64", "dev", "veth0", "nodad")
	ns.IP("addr", "add", "192.0.2.10/24", "dev", "veth0")
	ns.IP("addr", "add", "198.51.100.7/24", "dev", "veth0")
	ns.IP("addr", "add", "169.254.9.9/16", "dev", "veth0", "scope", "link")
	ns.IP("addr", "add", "fe80::1234/64", "dev", "veth0", "nodad")
	ns.IP("addr", "add", "203.0.113.5/24", "dev", "down0")
	ns.IP("link", "set", "veth0", "up")
	ns.IP("link", "set", "veth1", "up")

	info := Source{Net: Network{NSPath: ns.Path()}, SSHDir: t.TempDir(), State: state.New(t.TempDir())}.Gather()
	if info.InterfacesErr != nil {
		t.Fatal(info.InterfacesErr)
	}
	want := []netip.Addr{
		netip.MustParseAddr("192.0.2.10"),
		netip.MustParseAddr("198.51.100.7"),
		netip.MustParseAddr("2001:db8::10"),
		netip.MustParseAddr("fd00:1::5"),
	}
	if got := info.Addrs(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Addrs() = %v, want %v (down interface, link-local and loopback left out)", got, want)
	}
	var veth0 *Interface
	for i := range info.Interfaces {
		if info.Interfaces[i].Name == "lo" {
			t.Fatal("loopback listed")
		}
		if info.Interfaces[i].Name == "veth0" {
			veth0 = &info.Interfaces[i]
		}
	}
	if veth0 == nil || !veth0.Up || veth0.MAC != "02:00:00:00:00:01" {
		t.Fatalf("veth0 = %+v", veth0)
	}
}

func TestWatchNetworkSeesNewAddress(t *testing.T) {
	ns := netnstest.New(t)
	ns.IP("link", "add", "dummy0", "type", "veth", "peer", "name", "dummy1")
	ns.IP("link", "set", "dummy0", "up")
	n := Network{NSPath: ns.Path()}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := n.Watch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ns.IP("addr", "add", "192.0.2.99/24", "dev", "dummy0")
	deadline := time.After(10 * time.Second)
	for {
		select {
		case <-ch:
			ifs, err := n.Interfaces()
			if err != nil {
				t.Fatal(err)
			}
			for _, ifc := range ifs {
				for _, a := range ifc.Addrs {
					if a == netip.MustParseAddr("192.0.2.99") {
						return
					}
				}
			}
		case <-deadline:
			t.Fatal("no netlink event showed the new address")
		}
	}
}

func TestHostKeyFingerprintsMatchSSHKeygen(t *testing.T) {
	keygen := testtool.Require(t, "ssh-keygen", "openssh-client")
	dir := t.TempDir()
	for _, typ := range []string{"ed25519", "rsa", "ecdsa"} {
		key := filepath.Join(dir, "ssh_host_"+typ+"_key")
		if out, err := exec.Command(keygen, "-q", "-t", typ, "-N", "", "-C", "root@test-"+typ, "-f", key).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen: %v: %s", err, out)
		}
	}
	keys, err := ReadHostKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 3 {
		t.Fatalf("got %d keys, want 3", len(keys))
	}
	for _, k := range keys {
		out, err := exec.Command(keygen, "-l", "-f", k.Path).Output()
		if err != nil {
			t.Fatal(err)
		}
		if want := strings.TrimSpace(string(out)); k.String() != want {
			t.Errorf("%s:\n got %q\nwant %q", k.Path, k.String(), want)
		}
	}
}

func TestHostKeysCorruptFileNamedOthersKept(t *testing.T) {
	keygen := testtool.Require(t, "ssh-keygen", "openssh-client")
	dir := t.TempDir()
	if out, err := exec.Command(keygen, "-q", "-t", "ed25519", "-N", "", "-f", filepath.Join(dir, "ssh_host_ed25519_key")).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v: %s", err, out)
	}
	os.WriteFile(filepath.Join(dir, "ssh_host_rsa_key.pub"), []byte("ssh-rsa AAAAnotbase64!!\n"), 0o644)
	keys, err := ReadHostKeys(dir)
	if err == nil || !strings.Contains(err.Error(), "ssh_host_rsa_key.pub") {
		t.Fatalf("err = %v, want one naming the corrupt file", err)
	}
	if len(keys) != 1 || keys[0].Type != "ED25519" {
		t.Fatalf("keys = %+v, want the good ed25519 key", keys)
	}
}

func TestGatherStateProblems(t *testing.T) {
	d := state.New(t.TempDir())
	src := Source{State: d, SSHDir: t.TempDir(), Hostname: func() (string, error) { return "nixos", nil }}
	info := src.Gather()
	if info.MDNSName != "nixos.local" {
		t.Fatalf("MDNSName = %q", info.MDNSName)
	}
	if info.PasswordProblem() != "not set yet" || info.OnionProblem() != "no onion service yet" {
		t.Fatalf("problems: %q, %q", info.PasswordProblem(), info.OnionProblem())
	}
	os.WriteFile(d.TorStatusPath(), []byte("{not json"), 0o644)
	d.WritePassword("one-two-three-four")
	src.RefreshState(&info, state.TorStatusFile)
	src.RefreshState(&info, state.PasswordFile)
	if info.Password != "one-two-three-four" {
		t.Fatalf("password after refresh = %q", info.Password)
	}
	if !strings.Contains(info.TorProblem(), "corrupt") {
		t.Fatalf("TorProblem = %q, want corrupt", info.TorProblem())
	}
	if errors.Is(info.TorErr, os.ErrNotExist) {
		t.Fatal("corrupt file reported as missing")
	}
}
