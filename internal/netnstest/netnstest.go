// Package netnstest gives tests their own network namespaces (named, made
// with iproute2, removed at cleanup), so that tests can add links, addresses
// and routes without touching the host's network.
package netnstest

import (
	"crypto/rand"
	"encoding/hex"
	"os/exec"
	"strings"
	"testing"

	"github.com/nix-community/installer-console/internal/testtool"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

// NS is a named network namespace that lives until the test ends.
type NS struct {
	Name string
	t    testing.TB
}

// Require skips the test when network namespaces cannot be made here
// (not root, or no iproute2).
func Require(t testing.TB) {
	t.Helper()
	testtool.RequireRoot(t)
	testtool.Require(t, "ip", "iproute2")
}

// New makes a fresh namespace with its loopback up.
func New(t testing.TB) *NS {
	t.Helper()
	Require(t)
	b := make([]byte, 4)
	rand.Read(b)
	ns := &NS{Name: "ictest-" + hex.EncodeToString(b), t: t}
	if out, err := exec.Command("ip", "netns", "add", ns.Name).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "del", ns.Name).Run() })
	ns.IP("link", "set", "lo", "up")
	return ns
}

// IP runs `ip ARGS...` inside the namespace and fails the test on error.
func (ns *NS) IP(args ...string) string {
	ns.t.Helper()
	return ns.Exec(append([]string{"ip"}, args...)...)
}

// Exec runs a command inside the namespace and fails the test on error.
func (ns *NS) Exec(args ...string) string {
	ns.t.Helper()
	out, err := exec.Command("ip", append([]string{"netns", "exec", ns.Name}, args...)...).CombinedOutput()
	if err != nil {
		ns.t.Fatalf("in netns %s: %s: %v: %s", ns.Name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// Handle opens a netlink handle bound to the namespace; it is closed at
// cleanup.
func (ns *NS) Handle() *netlink.Handle {
	ns.t.Helper()
	h, err := netns.GetFromName(ns.Name)
	if err != nil {
		ns.t.Fatalf("open netns %s: %v", ns.Name, err)
	}
	defer h.Close()
	nh, err := netlink.NewHandleAt(h)
	if err != nil {
		ns.t.Fatalf("netlink handle in %s: %v", ns.Name, err)
	}
	ns.t.Cleanup(nh.Close)
	return nh
}

// Path is the namespace's bind-mount path, for setns or `nsenter --net=`.
func (ns *NS) Path() string { return "/run/netns/" + ns.Name }
