package kexec

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/nix-community/installer-console/internal/netnstest"
	"github.com/nix-community/installer-console/internal/testtool"
	"github.com/nix-community/installer-console/netrestore"
)

// The script is run from a copy of the tarball's directory in which kexec
// is a recording stub: nothing is ever loaded or booted. ip is the real
// one, run inside a network namespace built for the test. uname, dmesg and
// sleep are stubs first in PATH: uname picks the kernel release, dmesg
// prints numbered lines, sleep records its argument and returns at once so
// that the 6 s delay before `kexec -e` costs the test nothing.

const kexecStub = `#!/bin/sh
# Recording stand-in for kexec: never loads or boots anything.
case $1 in
-e) name=exec ;;
*) name=load ;;
esac
for a; do printf '%s\n' "$a"; done >"$KEXEC_STUB_LOG/$name.tmp"
mv "$KEXEC_STUB_LOG/$name.tmp" "$KEXEC_STUB_LOG/$name"
if [ "$name" = load ]; then exit "${KEXEC_STUB_LOAD_EXIT:-0}"; fi
`

var pathStubs = map[string]string{
	"uname": "#!/bin/sh\nprintf '%s\\n' \"$KEXEC_STUB_UNAME\"\n",
	"dmesg": "#!/bin/sh\ni=1\nwhile [ $i -le 60 ]; do echo \"[$i.000000] kernel message $i\"; i=$((i + 1)); done\n",
	"sleep": "#!/bin/sh\nprintf '%s\\n' \"$@\" >\"$KEXEC_STUB_LOG/sleep\"\n",
}

const (
	originalInitrd = "ORIGINAL-INITRD" // 15 bytes: the archive need not start aligned
	cmdline        = `init=/nix/store/00000000000000000000000000000000-nixos-system-installer/init console=ttyS0,115200n8 console=tty0 note="a b"`
	mac            = "52:54:00:aa:bb:01"
)

type fixture struct {
	t                         *testing.T
	dir, root, log, tmp, path string
	ns                        *netnstest.NS
	hostKeys                  map[string][]byte
	env                       []string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	testtool.Require(t, "cpio", "cpio")
	testtool.Require(t, "gzip", "gzip")
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{
		t:    t,
		dir:  filepath.Join(base, "kexec"),
		root: filepath.Join(base, "root"),
		log:  filepath.Join(base, "log"),
		tmp:  filepath.Join(base, "tmp"),
		path: filepath.Join(base, "bin"),
	}
	script, err := os.ReadFile("run")
	if err != nil {
		t.Fatal(err)
	}
	realIP := testtool.Require(t, "ip", "iproute2")
	f.write(f.dir, "run", string(script), 0o755)
	f.write(f.dir, "bzImage", "fake kernel", 0o644)
	f.write(f.dir, "initrd", originalInitrd, 0o644)
	f.write(f.dir, "cmdline", cmdline+"\n", 0o644)
	f.write(f.dir, "kexec", kexecStub, 0o755)
	if err := os.Symlink(realIP, filepath.Join(f.dir, "ip")); err != nil {
		t.Fatal(err)
	}
	for name, body := range pathStubs {
		f.write(f.path, name, body, 0o755)
	}
	os.MkdirAll(f.log, 0o755)
	os.MkdirAll(f.tmp, 0o755)

	// A cloud image's root: cloud-init's "login as debian" key options, a
	// file without a final newline, CRLF line ends, comments, a duplicate.
	f.write(f.root, "etc/passwd", "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000:Alice:/home/alice:/bin/bash\nbob:x:1001:1001::/home/bob:/bin/sh\n", 0o644)
	f.write(f.root, "root/.ssh/authorized_keys", "# managed by cloud-init\n"+
		`no-port-forwarding,no-agent-forwarding,no-X11-forwarding,command="echo 'Please login as the user \"debian\" rather than the user \"root\"; use ssh-ed25519 keys';echo;sleep 10;exit 142" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIRootKeyFromCloudInit root@cloud`+"\n\n"+
		"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQRootRsa root@laptop", 0o600)
	f.write(f.root, "root/.ssh/authorized_keys2", "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYRootEcdsa legacy\r\n", 0o600)
	f.write(f.root, "home/alice/.ssh/authorized_keys", `from="10.0.0.0/8" sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAliceSk alice@yubikey`+"\n"+
		"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQRootRsa root@laptop\n", 0o600)
	f.write(f.root, "etc/ssh/authorized_keys.d/root", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINixosRoot nixos-root\n", 0o644)
	f.write(f.root, "etc/ssh/authorized_keys.d/alice", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAliceD alice@nixos\n", 0o644)
	f.write(f.root, "etc/ssh/authorized_keys.d/bob", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBobDoas bob@doas\n", 0o644)
	f.write(f.root, "etc/ssh/sshd_config", "PermitRootLogin yes\n", 0o644)
	f.write(f.root, "etc/machine-id", "0123456789abcdef0123456789abcdef\n", 0o444)
	f.write(f.root, "dev/kmsg", "", 0o600)
	// Host keys with binary content and odd sizes: the archive must carry
	// them byte for byte.
	f.hostKeys = map[string][]byte{}
	for name, size := range map[string]int{"ssh_host_ed25519_key": 411, "ssh_host_ed25519_key.pub": 97, "ssh_host_rsa_key": 2602, "ssh_host_rsa_key.pub": 570} {
		b := make([]byte, size)
		rand.Read(b)
		f.hostKeys[name] = b
		f.write(f.root, "etc/ssh/"+name, string(b), 0o600)
	}

	f.ns = netnstest.New(t)
	peer := netnstest.New(t)
	f.ns.IP("link", "add", "eth0", "address", mac, "type", "veth", "peer", "name", "p0", "netns", peer.Name)
	f.ns.IP("link", "set", "eth0", "up")
	peer.IP("link", "set", "p0", "up")
	f.ns.IP("addr", "add", "192.0.2.10/24", "dev", "eth0")
	f.ns.IP("addr", "add", "2001:db8::10/64", "dev", "eth0", "nodad")
	f.ns.IP("route", "add", "default", "via", "192.0.2.1", "dev", "eth0")
	f.ns.IP("-6", "route", "add", "default", "via", "fe80::1", "dev", "eth0")

	f.env = append(os.Environ(),
		"PATH="+f.path+":"+os.Getenv("PATH"),
		"KEXEC_RUN_ROOT="+f.root,
		"TMPDIR="+f.tmp,
		"KEXEC_STUB_LOG="+f.log,
		"KEXEC_STUB_UNAME=6.1.0-13-amd64",
		"SUDO_USER=alice",
	)
	return f
}

func (f *fixture) write(dir, name, content string, mode os.FileMode) {
	f.t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		f.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) setenv(kv ...string) { f.env = append(f.env, kv...) }

// run runs the script with shell inside the namespace, as nixos-anywhere
// does (`run --kexec-extra-flags "..."`).
func (f *fixture) run(shell string, args ...string) (stdout, stderr string, err error) {
	f.t.Helper()
	cmd := exec.Command("ip", append([]string{"netns", "exec", f.ns.Name, shell, filepath.Join(f.dir, "run")}, args...)...)
	cmd.Env = f.env
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.String(), e.String(), err
}

// record reads what a stub recorded, one argument per line; nil if the
// stub was not called.
func (f *fixture) record(name string) []string {
	b, err := os.ReadFile(filepath.Join(f.log, name))
	if err != nil {
		return nil
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// watchExec starts watching for the background `kexec -e` record before
// the script runs, and returns a function that waits for it.
func (f *fixture) watchExec() func() []string {
	f.t.Helper()
	w, err := fsnotify.NewWatcher()
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { w.Close() })
	if err := w.Add(f.log); err != nil {
		f.t.Fatal(err)
	}
	return func() []string {
		f.t.Helper()
		deadline := time.After(10 * time.Second)
		for {
			if r := f.record("exec"); r != nil {
				return r
			}
			select {
			case <-w.Events:
			case err := <-w.Errors:
				f.t.Fatal(err)
			case <-deadline:
				f.t.Fatal("the background kexec -e did not run within 10 s")
			}
		}
	}
}

// appended returns the archive the script appended to the initrd,
// decompressed, after checking that the original initrd is intact.
func (f *fixture) appended() []byte {
	f.t.Helper()
	b, err := os.ReadFile(filepath.Join(f.dir, "initrd"))
	if err != nil {
		f.t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte(originalInitrd)) {
		f.t.Fatalf("the initrd no longer starts with the original one")
	}
	z, err := gzip.NewReader(bytes.NewReader(b[len(originalInitrd):]))
	if err != nil {
		f.t.Fatalf("appended part is not gzip: %v", err)
	}
	cpio, err := io.ReadAll(z)
	if err != nil {
		f.t.Fatal(err)
	}
	return cpio
}

func cpioCmd(t *testing.T, archive []byte, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("cpio", args...)
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(archive)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	if err := cmd.Run(); err != nil || strings.Contains(e.String(), "junk") || strings.Contains(e.String(), "warning") {
		t.Fatalf("cpio %v: %v: %s", args, err, e.String())
	}
	return o.String()
}

func TestRunHandsOver(t *testing.T) {
	for _, shell := range []string{"sh", "bash"} {
		t.Run(shell, func(t *testing.T) {
			testtool.Require(t, shell, shell)
			f := newFixture(t)
			waitExec := f.watchExec()
			stdout, stderr, err := f.run(shell, "--kexec-extra-flags", "--reset-vga --console-serial ")
			if err != nil {
				t.Fatalf("run: %v\nstdout: %s\nstderr: %s", err, stdout, stderr)
			}
			if stdout != "machine will boot into nixos in 6s...\n" {
				t.Errorf("stdout %q", stdout)
			}
			if stderr != "" {
				t.Errorf("stderr %q", stderr)
			}

			wantLoad := []string{"--load", filepath.Join(f.dir, "bzImage"), "--kexec-syscall-auto", "--reset-vga", "--console-serial",
				"--initrd=" + filepath.Join(f.dir, "initrd"), "--no-checks", "--command-line", cmdline}
			if got := f.record("load"); !slices.Equal(got, wantLoad) {
				t.Errorf("kexec load args\n got %q\nwant %q", got, wantLoad)
			}
			if got := waitExec(); !slices.Equal(got, []string{"-e", "--reset-vga", "--console-serial"}) {
				t.Errorf("kexec -e args %q", got)
			}
			if got := f.record("sleep"); !slices.Equal(got, []string{"6"}) {
				t.Errorf("delay before kexec -e: sleep %q, want 6", got)
			}
			if left, _ := os.ReadDir(f.tmp); len(left) != 0 {
				t.Errorf("work files left in TMPDIR: %v", left)
			}

			archive := f.appended()
			list := strings.Fields(cpioCmd(t, archive, t.TempDir(), "-t"))
			wantList := []string{"ssh", "ssh/authorized_keys", "ssh/ssh_host_ed25519_key", "ssh/ssh_host_ed25519_key.pub",
				"ssh/ssh_host_rsa_key", "ssh/ssh_host_rsa_key.pub", "iproute2", "iproute2/addrs.json",
				"iproute2/routes-v4.json", "iproute2/routes-v6.json", "machine-id"}
			if !slices.Equal(list, wantList) {
				t.Errorf("archive holds\n %q\nwant\n %q", list, wantList)
			}
			verbose := cpioCmd(t, archive, t.TempDir(), "-tv")
			for _, want := range []string{"drwx------", "-rw-------", "-r--r--r--"} {
				if !strings.Contains(verbose, want) {
					t.Errorf("no %s entry in\n%s", want, verbose)
				}
			}

			out := t.TempDir()
			cpioCmd(t, archive, out, "-i", "-d", "--no-absolute-filenames")
			read := func(name string) []byte {
				b, err := os.ReadFile(filepath.Join(out, name))
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
			wantKeys := "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIRootKeyFromCloudInit root@cloud\n" +
				"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQRootRsa root@laptop\n" +
				"ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYRootEcdsa legacy\n" +
				"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINixosRoot nixos-root\n" +
				"sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAliceSk alice@yubikey\n" +
				"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAliceD alice@nixos\n"
			if got := string(read("ssh/authorized_keys")); got != wantKeys {
				t.Errorf("authorized_keys\n%s\nwant\n%s", got, wantKeys)
			}
			for name, content := range f.hostKeys {
				if !bytes.Equal(read("ssh/"+name), content) {
					t.Errorf("%s changed on the way", name)
				}
			}
			if string(read("machine-id")) != "0123456789abcdef0123456789abcdef\n" {
				t.Errorf("machine-id %q", read("machine-id"))
			}
			for name, args := range map[string][]string{"addrs.json": {"--json", "addr"}, "routes-v4.json": {"-4", "--json", "route"}, "routes-v6.json": {"-6", "--json", "route"}} {
				if got, want := string(read("iproute2/"+name)), f.ns.IP(args...); got != want {
					t.Errorf("%s\n got %s\nwant %s", name, got, want)
				}
			}

			// What restore-network makes of the saved dumps.
			units, err := netrestore.Generate(
				netrestore.Source{Name: "addrs.json", Data: read("iproute2/addrs.json")},
				netrestore.Source{Name: "routes-v4.json", Data: read("iproute2/routes-v4.json")},
				netrestore.Source{Name: "routes-v6.json", Data: read("iproute2/routes-v6.json")})
			if err != nil {
				t.Fatal(err)
			}
			if len(units) != 1 || !strings.Contains(string(units[0].Content), "MACAddress="+mac) ||
				!strings.Contains(string(units[0].Content), "Address=192.0.2.10/24") ||
				!strings.Contains(string(units[0].Content), "Gateway=192.0.2.1") ||
				!strings.Contains(string(units[0].Content), "Gateway=fe80::1") {
				t.Errorf("units from the saved dumps: %v", units)
			}
		})
	}
}

// Before Linux 6.1 the classic kexec_load is used; no extra flags, none
// passed; a doas user's keys are collected like a sudo user's.
func TestRunOldKernelDoas(t *testing.T) {
	f := newFixture(t)
	f.setenv("KEXEC_STUB_UNAME=5.10.0-28-amd64", "SUDO_USER=", "DOAS_USER=bob")
	waitExec := f.watchExec()
	stdout, stderr, err := f.run("sh", "--kexec-extra-flags", "")
	if err != nil || !strings.Contains(stdout, "machine will boot into nixos in 6s...") {
		t.Fatalf("run: %v\n%s%s", err, stdout, stderr)
	}
	wantLoad := []string{"--load", filepath.Join(f.dir, "bzImage"), "--initrd=" + filepath.Join(f.dir, "initrd"), "--no-checks", "--command-line", cmdline}
	if got := f.record("load"); !slices.Equal(got, wantLoad) {
		t.Errorf("kexec load args\n got %q\nwant %q", got, wantLoad)
	}
	if got := waitExec(); !slices.Equal(got, []string{"-e"}) {
		t.Errorf("kexec -e args %q", got)
	}
	out := t.TempDir()
	cpioCmd(t, f.appended(), out, "-i", "-d", "--no-absolute-filenames")
	keys, _ := os.ReadFile(filepath.Join(out, "ssh/authorized_keys"))
	if !strings.Contains(string(keys), "bob@doas") || strings.Contains(string(keys), "alice") {
		t.Errorf("authorized_keys with DOAS_USER=bob:\n%s", keys)
	}
}

// A failing `kexec --load` gives the error, the last kernel messages and a
// non-zero exit; no success line, no `kexec -e`.
func TestRunLoadFails(t *testing.T) {
	f := newFixture(t)
	f.setenv("KEXEC_STUB_LOAD_EXIT=1")
	stdout, stderr, err := f.run("sh")
	if err == nil {
		t.Fatal("exit status 0")
	}
	if strings.Contains(stdout, "machine will boot") {
		t.Errorf("success line printed: %q", stdout)
	}
	if !strings.Contains(stderr, "kexec/run: loading the installer kernel with kexec failed; the last kernel messages:") ||
		!strings.Contains(stderr, "kernel message 60\n") || !strings.Contains(stderr, "kernel message 31\n") ||
		strings.Contains(stderr, "kernel message 30\n") {
		t.Errorf("stderr:\n%s", stderr)
	}
	if f.record("load") == nil {
		t.Error("kexec --load was not called")
	}
	if f.record("exec") != nil || f.record("sleep") != nil {
		t.Error("kexec -e was scheduled after a failed load")
	}
}

// Without IPv6 `ip -6 route` fails; the handover goes on with IPv4 only.
func TestRunWithoutIPv6(t *testing.T) {
	f := newFixture(t)
	realIP, _ := os.Readlink(filepath.Join(f.dir, "ip"))
	os.Remove(filepath.Join(f.dir, "ip"))
	f.write(f.dir, "ip", "#!/bin/sh\nif [ \"$1\" = -6 ]; then echo 'RTNETLINK answers: Address family not supported by protocol' >&2; exit 2; fi\nexec "+realIP+" \"$@\"\n", 0o755)
	stdout, stderr, err := f.run("sh")
	if err != nil || !strings.Contains(stdout, "machine will boot into nixos in 6s...") {
		t.Fatalf("run: %v\n%s%s", err, stdout, stderr)
	}
	if !strings.Contains(stderr, "carrying over IPv4 only") {
		t.Errorf("stderr %q", stderr)
	}
	out := t.TempDir()
	cpioCmd(t, f.appended(), out, "-i", "-d", "--no-absolute-filenames")
	if b, _ := os.ReadFile(filepath.Join(out, "iproute2/routes-v6.json")); string(b) != "[]\n" {
		t.Errorf("routes-v6.json %q", b)
	}
}

// Problems found before the initrd is touched stop the script with a clear
// message; the initrd stays as it was and kexec is never called.
func TestRunRefuses(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(f *fixture)
		want  string
	}{
		{"unwritable TMPDIR", func(f *fixture) { f.setenv("TMPDIR=" + filepath.Join(f.tmp, "missing")) }, "(TMPDIR)"},
		{"no cmdline", func(f *fixture) { os.Remove(filepath.Join(f.dir, "cmdline")) }, "cmdline is missing; unpack the whole kexec tarball"},
		{"cmdline without init", func(f *fixture) { f.write(f.dir, "cmdline", "console=ttyS0\n", 0o644) }, "cmdline has no init= parameter"},
		{"no ip", func(f *fixture) { os.Remove(filepath.Join(f.dir, "ip")) }, "/ip is missing"},
		{"missing flag value", func(f *fixture) {}, "--kexec-extra-flags needs a value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			tc.setup(f)
			var args []string
			if tc.name == "missing flag value" {
				args = []string{"--kexec-extra-flags"}
			}
			stdout, stderr, err := f.run("sh", args...)
			if err == nil || !strings.Contains(stderr, tc.want) {
				t.Fatalf("err %v, stderr %q, want %q", err, stderr, tc.want)
			}
			if stdout != "" {
				t.Errorf("stdout %q", stdout)
			}
			if b, _ := os.ReadFile(filepath.Join(f.dir, "initrd")); string(b) != originalInitrd {
				t.Error("initrd changed")
			}
			if f.record("load") != nil {
				t.Error("kexec was called")
			}
		})
	}
}

// CI runs shellcheck on every script too; this keeps `go test` honest.
func TestShellcheck(t *testing.T) {
	sc := testtool.Require(t, "shellcheck", "shellcheck")
	if out, err := exec.Command(sc, "--shell=sh", "run").CombinedOutput(); err != nil {
		t.Fatalf("shellcheck: %v\n%s", err, out)
	}
}
