package main

import (
	"encoding/json"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/nix-community/installer-console/internal/netnstest"
	"github.com/nix-community/installer-console/internal/testtool"
	"github.com/nix-community/installer-console/login"
	"github.com/nix-community/installer-console/state"
)

const testOnion = "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion"

// sshDirWithKey makes a directory with one real ed25519 host key.
func sshDirWithKey(t *testing.T) string {
	t.Helper()
	keygen := testtool.Require(t, "ssh-keygen", "openssh-client")
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	out, err := exec.Command(keygen, "-q", "-t", "ed25519", "-N", "", "-C", "root@test", "-f", filepath.Join(dir, "ssh_host_ed25519_key")).CombinedOutput()
	if err != nil {
		t.Fatalf("ssh-keygen: %v: %s", err, out)
	}
	return dir
}

func runBinary(t *testing.T, cmd *exec.Cmd) string {
	t.Helper()
	out, err := cmd.Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("%s: %v\nstdout: %s\nstderr: %s", strings.Join(cmd.Args, " "), err, out, stderr)
	}
	return string(out)
}

func TestStatusJSONCorruptStateStillShowsTheRest(t *testing.T) {
	d := state.New(t.TempDir())
	if err := d.WritePassword("lumpy-cradle-sixfold-oval"); err != nil {
		t.Fatal(err)
	}
	if err := d.WriteOnionHostname(testOnion); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(d.TorStatusPath(), []byte(`{"state": "publi`), 0o644)
	sshDir := sshDirWithKey(t)

	out := runBinary(t, exec.Command(binaryPath, "status", "--json", "--state-dir", d.Path, "--ssh-dir", sshDir))
	var doc login.Document
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("status --json is not JSON: %v\n%s", err, out)
	}
	if doc.Password != "lumpy-cradle-sixfold-oval" || doc.PasswordStatus != "ok" {
		t.Errorf("password = %q (%s)", doc.Password, doc.PasswordStatus)
	}
	if doc.Tor.Onion != testOnion {
		t.Errorf("onion = %q", doc.Tor.Onion)
	}
	if len(doc.HostKeys) != 1 || !strings.HasPrefix(doc.HostKeys[0].Fingerprint, "SHA256:") {
		t.Errorf("host keys = %+v", doc.HostKeys)
	}
	if len(doc.Problems) != 1 || !strings.Contains(doc.Problems[0], state.TorStatusFile) || !strings.Contains(doc.Problems[0], "corrupt") {
		t.Errorf("problems = %q, want one naming the corrupt %s", doc.Problems, state.TorStatusFile)
	}
	if doc.SSHCommands[len(doc.SSHCommands)-1] != "torify ssh root@"+testOnion {
		t.Errorf("ssh commands = %q, want the torify line last", doc.SSHCommands)
	}

	text := runBinary(t, exec.Command(binaryPath, "status", "--state-dir", d.Path, "--ssh-dir", sshDir))
	for _, want := range []string{"Root password: lumpy-cradle-sixfold-oval", "torify ssh root@" + testOnion, "SHA256:", "corrupt"} {
		if !strings.Contains(text, want) {
			t.Errorf("status output lacks %q:\n%s", want, text)
		}
	}
}

func TestStatusMissingStateDirIsNotAnError(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "not-there")
	out := runBinary(t, exec.Command(binaryPath, "status", "--state-dir", dir, "--ssh-dir", t.TempDir()))
	for _, want := range []string{"Root password: (not set yet)", "Tor: Tor service not started", "(none found)"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestStatusAsUserWhoCannotReadPassword(t *testing.T) {
	testtool.RequireRoot(t)
	parent := t.TempDir()
	// t.TempDir's own parent is 0700; open the path for the other user.
	os.Chmod(filepath.Dir(parent), 0o755)
	os.Chmod(parent, 0o755)
	d := state.New(filepath.Join(parent, "state"))
	if err := d.WritePassword("secret-words-here-now"); err != nil {
		t.Fatal(err)
	}
	if err := d.WriteOnionHostname(testOnion); err != nil {
		t.Fatal(err)
	}
	nobody := func(args ...string) *exec.Cmd {
		c := exec.Command(binaryPath, args...)
		c.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		return c
	}
	text := runBinary(t, nobody("status", "--state-dir", d.Path, "--ssh-dir", t.TempDir()))
	if !strings.Contains(text, "not readable by this user") || strings.Contains(text, "secret-words") {
		t.Errorf("unprivileged status:\n%s", text)
	}
	if !strings.Contains(text, testOnion) {
		t.Errorf("the rest is not shown:\n%s", text)
	}
	var doc login.Document
	if err := json.Unmarshal([]byte(runBinary(t, nobody("status", "--json", "--state-dir", d.Path))), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.PasswordStatus != "not-readable" || doc.Password != "" || len(doc.Problems) != 0 {
		t.Errorf("document = %+v", doc)
	}
}

// clanFirstAddress applies the rules clan's CLI uses on the QR payload: it
// takes addrs[0], which is host, host:port or [ipv6]:port; a bare IPv6
// address is rejected.
func clanFirstAddress(t *testing.T, payload []byte) netip.Addr {
	t.Helper()
	var p struct {
		Pass  string   `json:"pass"`
		Tor   string   `json:"tor"`
		Addrs []string `json:"addrs"`
	}
	if err := json.Unmarshal(payload, &p); err != nil {
		t.Fatalf("payload %q is not JSON: %v", payload, err)
	}
	if len(p.Addrs) == 0 {
		t.Fatalf("payload %s has no addrs", payload)
	}
	a := p.Addrs[0]
	host := a
	if strings.HasPrefix(a, "[") {
		end := strings.Index(a, "]")
		if end < 0 {
			t.Fatalf("addrs[0] %q: unterminated bracket", a)
		}
		host = a[1:end]
	} else if strings.Count(a, ":") > 1 {
		t.Fatalf("addrs[0] %q: bare IPv6, clan rejects it", a)
	} else if h, _, err := net.SplitHostPort(a); err == nil {
		host = h
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		t.Fatalf("addrs[0] %q: %v", a, err)
	}
	return ip
}

func TestStatusQRPNGDecodesToPayloadClanAccepts(t *testing.T) {
	zbarimg := testtool.Require(t, "zbarimg", "zbar-tools")
	for _, tc := range []struct {
		name  string
		addrs []string // added in this order
		first string
	}{
		{"ipv4 and ipv6", []string{"2001:db8::10/64", "192.0.2.10/24"}, "192.0.2.10"},
		{"ipv6 only", []string{"2001:db8::10/64"}, "2001:db8::10"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ns := netnstest.New(t)
			ns.IP("link", "add", "veth0", "type", "veth", "peer", "name", "veth1")
			for _, a := range tc.addrs {
				ns.IP("addr", "add", a, "dev", "veth0", "nodad")
			}
			ns.IP("addr", "add", "fe80::99/64", "dev", "veth0", "nodad")
			ns.IP("link", "set", "veth0", "up")
			ns.IP("link", "set", "veth1", "up")
			d := state.New(t.TempDir())
			d.WritePassword("lumpy-cradle-sixfold-oval")
			d.WriteOnionHostname(testOnion)
			png := filepath.Join(t.TempDir(), "login.png")
			ns.Exec(binaryPath, "status", "--state-dir", d.Path, "--qr-png", png)

			out, err := exec.Command(zbarimg, "--raw", "-q", png).Output()
			if err != nil {
				t.Fatalf("zbarimg: %v", err)
			}
			payload := []byte(strings.TrimSuffix(string(out), "\n"))
			if got := clanFirstAddress(t, payload); got != netip.MustParseAddr(tc.first) {
				t.Errorf("addrs[0] = %v, want %s; payload %s", got, tc.first, payload)
			}
			if strings.Contains(string(payload), "fe80") {
				t.Errorf("link-local address in payload %s", payload)
			}
			var p map[string]any
			json.Unmarshal(payload, &p)
			if p["pass"] != "lumpy-cradle-sixfold-oval" || p["tor"] != testOnion {
				t.Errorf("payload %s", payload)
			}
		})
	}
}

func TestHelpAndVersion(t *testing.T) {
	out := runBinary(t, exec.Command(binaryPath, "--version"))
	if !strings.HasPrefix(out, "installer-console version ") {
		t.Errorf("--version: %q", out)
	}
	out = runBinary(t, exec.Command(binaryPath, "status", "--help"))
	for _, flag := range []string{"--json", "--qr", "--qr-png", "--state-dir", "--ssh-dir"} {
		if !strings.Contains(out, flag) {
			t.Errorf("status --help lacks %s", flag)
		}
	}
	cmd := exec.Command(binaryPath, "status", "--no-such-flag")
	msg, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(msg), "unknown flag: --no-such-flag") {
		t.Errorf("unknown flag: err=%v output=%q", err, msg)
	}
}
