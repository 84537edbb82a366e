package docs

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nix-community/installer-console/internal/netnstest"
	"github.com/nix-community/installer-console/internal/testtool"
)

// The guide's example network: the server's interface and address.
const (
	serverIf   = "enp3s0"
	serverAddr = "10.77.0.1"
	clientIf   = "eth0"
)

// dnsmasqConfHeading is the line in netboot.md right before the dnsmasq
// configuration block.
const dnsmasqConfHeading = "`/etc/dnsmasq.d/netboot.conf`:"

// TestNetbootDnsmasqExample runs the dnsmasq configuration of netboot.md,
// as written, with real dnsmasq on the guide's interface name and address
// in a network namespace, and real DHCP, TFTP and HTTP clients in a second
// namespace: a BIOS PXE client gets undionly.kpxe, an x86_64 UEFI client
// ipxe.efi, iPXE the HTTP URL of netboot.ipxe, and both the boot files and
// the script can then be fetched from what the DHCP answer names.
func TestNetbootDnsmasqExample(t *testing.T) {
	conf := dnsmasqExample(t)

	dnsmasq := testtool.Require(t, "dnsmasq", "dnsmasq-base")
	busybox := testtool.Require(t, "busybox", "busybox")
	curl := testtool.Require(t, "curl", "curl")
	python := testtool.Require(t, "python3", "python3")

	server := netnstest.New(t)
	client := netnstest.New(t)
	server.IP("link", "add", serverIf, "type", "veth", "peer", "name", clientIf, "netns", client.Name)
	server.IP("addr", "add", serverAddr+"/24", "dev", serverIf)
	server.IP("link", "set", serverIf, "up")
	client.IP("link", "set", clientIf, "up")

	// The guide's /srv/tftp and /srv/netboot are world-readable dirs made by
	// root; dnsmasq drops root before serving TFTP, so these must be too.
	tftpRoot := worldReadableDir(t, "tftp")
	httpRoot := worldReadableDir(t, "netboot")
	bootFiles := map[string][]byte{
		"undionly.kpxe": ipxeBinary(t, "undionly.kpxe"),
		"ipxe.efi":      ipxeBinary(t, "ipxe.efi"),
	}
	for name, data := range bootFiles {
		writeFile(t, filepath.Join(tftpRoot, name), data)
	}
	script := []byte("#!ipxe\nkernel bzImage init=/nix/store/example/init\ninitrd initrd\nboot\n")
	writeFile(t, filepath.Join(httpRoot, "netboot.ipxe"), script)

	// The one change to the guide's configuration: the TFTP root is a temp
	// dir, so that the test never touches the machine's /srv/tftp.
	conf, err := replaceOption(conf, "tftp-root", tftpRoot)
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	confFile := filepath.Join(work, "netboot.conf")
	writeFile(t, confFile, []byte(conf))

	// --conf-file stops dnsmasq from reading /etc/dnsmasq.conf, and a
	// conf-dir (such as /etc/dnsmasq.d) is only read when an option names
	// one; dnsmasqExample checks the example names none.
	dns := startLogged(t, "dnsmasq", server.Name, dnsmasq,
		"--keep-in-foreground",
		"--conf-file="+confFile,
		"--no-resolv", "--no-hosts",
		"--pid-file=",
		"--dhcp-leasefile="+filepath.Join(work, "leases"),
		"--log-dhcp", "--log-facility=-")
	dns.waitFor(t, "DHCP, IP range 10.77.0.100 -- 10.77.0.200")
	dns.waitFor(t, "TFTP root is "+tftpRoot)

	// The command of the guide's "Serve the files yourself"; -u so that
	// its "Serving HTTP" line is not stuck in a pipe buffer.
	web := startLogged(t, "http.server", server.Name, python, "-u", "-m", "http.server", "8080", "--directory", httpRoot)
	web.waitFor(t, "Serving HTTP on")

	// The first lease takes about 3 s: dnsmasq pings an address before it
	// first offers it (its default, kept as deployed).
	dhcp := func(t *testing.T, extra ...string) map[string]string {
		t.Helper()
		lease := udhcpc(t, client.Name, busybox, extra...)
		if lease["router"] != serverAddr {
			t.Errorf("router = %q, want %s", lease["router"], serverAddr)
		}
		if !inRange(lease["ip"], 100, 200) {
			t.Errorf("ip = %q, want one of 10.77.0.100-200", lease["ip"])
		}
		if lease["subnet"] != "255.255.255.0" {
			t.Errorf("subnet = %q, want 255.255.255.0", lease["subnet"])
		}
		return lease
	}

	// A PXE client with no address cannot fetch anything; give the client
	// the address its first lease names, as the firmware would.
	first := dhcp(t)
	client.IP("addr", "add", first["ip"]+"/24", "dev", clientIf)

	tftpCase := func(name string, wantBoot string, extra ...string) {
		t.Run(name, func(t *testing.T) {
			lease := dhcp(t, extra...)
			if lease["boot_file"] != wantBoot {
				t.Fatalf("boot_file = %q, want %q\ndnsmasq log:\n%s", lease["boot_file"], wantBoot, dns.log())
			}
			if lease["siaddr"] != serverAddr {
				t.Fatalf("siaddr (TFTP server) = %q, want %s", lease["siaddr"], serverAddr)
			}
			got := fetch(t, client.Name, curl, "tftp://"+lease["siaddr"]+"/"+lease["boot_file"])
			if !bytes.Equal(got, bootFiles[wantBoot]) {
				t.Fatalf("TFTP %s: got %d bytes, want the %d bytes of the file", wantBoot, len(got), len(bootFiles[wantBoot]))
			}
		})
	}
	tftpCase("bios", "undionly.kpxe")
	// Option 93 (client-arch), RFC 4578: 7 and 9 are both x86_64 UEFI.
	tftpCase("uefi-x86_64-arch7", "ipxe.efi", "-x", "0x5d:0007")
	tftpCase("uefi-x86_64-arch9", "ipxe.efi", "-x", "0x5d:0009")
	// An aarch64 UEFI client (11) is not one the example serves; it gets
	// the BIOS default, which pins down what the guide's tags do.
	tftpCase("uefi-aarch64-falls-to-default", "undionly.kpxe", "-x", "0x5d:000b")

	ipxeCase := func(name string, extra ...string) {
		t.Run(name, func(t *testing.T) {
			lease := dhcp(t, extra...)
			want := "http://" + serverAddr + ":8080/netboot.ipxe"
			if lease["boot_file"] != want {
				t.Fatalf("boot_file = %q, want %q\ndnsmasq log:\n%s", lease["boot_file"], want, dns.log())
			}
			if got := fetch(t, client.Name, curl, lease["boot_file"]); !bytes.Equal(got, script) {
				t.Fatalf("HTTP %s = %q, want %q", want, got, script)
			}
		})
	}
	// iPXE's option 175 carries its feature list (here: 0x13 HTTP, len 1,
	// value 1); only its presence matters to the example.
	ipxeCase("ipxe-bios", "-x", "0xaf:130101")
	// iPXE that ipxe.efi started also sends client-arch 7; the iPXE tag wins.
	ipxeCase("ipxe-uefi", "-x", "0xaf:130101", "-x", "0x5d:0007")
}

// dnsmasqExample returns the body of the fenced code block right after the
// netboot.conf heading line of netboot.md.
func dnsmasqExample(t *testing.T) string {
	t.Helper()
	doc, err := os.ReadFile("netboot.md")
	if err != nil {
		t.Fatal(err)
	}
	conf, err := fencedBlockAfter(string(doc), dnsmasqConfHeading)
	if err != nil {
		t.Fatalf("netboot.md: %v", err)
	}
	for _, line := range strings.Split(conf, "\n") {
		key, _, _ := strings.Cut(strings.TrimSpace(line), "=")
		if key == "conf-dir" || key == "conf-file" {
			t.Fatalf("netboot.md: the dnsmasq example names %s, which this test would have to read from the host", key)
		}
	}
	return conf
}

// fencedBlockAfter finds the line equal to heading and returns the body of
// the ``` block that follows it (blank lines in between allowed).
func fencedBlockAfter(doc, heading string) (string, error) {
	lines := strings.Split(doc, "\n")
	i := 0
	for i < len(lines) && strings.TrimSpace(lines[i]) != heading {
		i++
	}
	if i == len(lines) {
		return "", fmt.Errorf("no line %q", heading)
	}
	i++
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	if i == len(lines) || !strings.HasPrefix(lines[i], "```") {
		return "", fmt.Errorf("no ``` code block right after %q", heading)
	}
	var body []string
	for i++; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) == "```" {
			if len(body) == 0 {
				return "", fmt.Errorf("the code block after %q is empty", heading)
			}
			return strings.Join(body, "\n") + "\n", nil
		}
		body = append(body, lines[i])
	}
	return "", fmt.Errorf("the code block after %q is not closed", heading)
}

func TestFencedBlockAfter(t *testing.T) {
	const h = "`x.conf`:"
	for _, tc := range []struct{ doc, want, err string }{
		{doc: "a\n" + h + "\n\n```\nk=v\n```\n", want: "k=v\n"},
		{doc: "a\n```\nk=v\n```\n", err: "no line"},
		{doc: h + "\ntext\n```\nk=v\n```\n", err: "no ``` code block"},
		{doc: h + "\n```\nk=v\n", err: "not closed"},
		{doc: h + "\n```\n```\n", err: "empty"},
	} {
		got, err := fencedBlockAfter(tc.doc, h)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("fencedBlockAfter(%q) error = %v, want one saying %q", tc.doc, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("fencedBlockAfter(%q) = %q, %v; want %q", tc.doc, got, err, tc.want)
		}
	}
}

func TestReplaceOption(t *testing.T) {
	got, err := replaceOption("a=1\ntftp-root=/srv/tftp\n", "tftp-root", "/tmp/x")
	if err != nil || got != "a=1\ntftp-root=/tmp/x\n" {
		t.Errorf("replaceOption = %q, %v", got, err)
	}
	for _, conf := range []string{"a=1\n", "tftp-root=/a\ntftp-root=/b\n"} {
		if _, err := replaceOption(conf, "tftp-root", "/tmp/x"); err == nil {
			t.Errorf("replaceOption(%q): no error", conf)
		}
	}
}

// replaceOption sets the value of the one `key=` line of a dnsmasq
// configuration.
func replaceOption(conf, key, value string) (string, error) {
	lines := strings.Split(conf, "\n")
	n := 0
	for i, line := range lines {
		if strings.HasPrefix(strings.TrimSpace(line), key+"=") {
			lines[i] = key + "=" + value
			n++
		}
	}
	if n != 1 {
		return "", fmt.Errorf("the dnsmasq example has %d %s= lines, want 1", n, key)
	}
	return strings.Join(lines, "\n"), nil
}

// ipxeBinary is Debian's iPXE binary (package ipxe) when installed, else a
// small stand-in: the test checks bytes, not that they boot.
func ipxeBinary(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("/usr/lib/ipxe", name))
	if err == nil {
		return data
	}
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return []byte("stand-in for " + name + "\x00\x01\x02\xff")
}

func worldReadableDir(t *testing.T, prefix string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "netboot-"+prefix+"-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func inRange(ip string, lo, hi int) bool {
	var last int
	if _, err := fmt.Sscanf(ip, "10.77.0.%d", &last); err != nil {
		return false
	}
	return ip == fmt.Sprintf("10.77.0.%d", last) && last >= lo && last <= hi
}

// loggedProcess is a long-running program in a namespace whose output the
// test reads line by line to know when it is ready.
type loggedProcess struct {
	name  string
	lines chan string
	mu    sync.Mutex
	all   strings.Builder
}

// startLogged starts program in the namespace (`ip netns exec` execs it, so
// the process is the program itself) and kills it at cleanup.
func startLogged(t *testing.T, name, ns string, program string, args ...string) *loggedProcess {
	t.Helper()
	cmd := exec.Command("ip", append([]string{"netns", "exec", ns, program}, args...)...)
	r, w := io.Pipe()
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	p := &loggedProcess{name: name, lines: make(chan string, 256)}
	exited := make(chan struct{})
	go func() {
		err := cmd.Wait()
		w.CloseWithError(fmt.Errorf("%s exited: %v", name, err))
		close(exited)
	}()
	go func() {
		defer close(p.lines)
		s := bufio.NewScanner(r)
		for s.Scan() {
			p.mu.Lock()
			p.all.WriteString(s.Text() + "\n")
			p.mu.Unlock()
			select {
			case p.lines <- s.Text():
			default: // nobody waits; the line is kept in all
			}
		}
		if s.Err() != nil {
			p.mu.Lock()
			p.all.WriteString(s.Err().Error() + "\n")
			p.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		r.Close()
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			t.Errorf("%s (pid %d) did not exit after SIGKILL", name, cmd.Process.Pid)
		}
	})
	return p
}

// waitFor reads output lines until one contains want; it fails if the
// process exits first or nothing comes within the limit.
func (p *loggedProcess) waitFor(t *testing.T, want string) {
	t.Helper()
	limit := time.After(10 * time.Second)
	for {
		select {
		case line, ok := <-p.lines:
			if !ok {
				t.Fatalf("%s ended before logging %q:\n%s", p.name, want, p.log())
			}
			if strings.Contains(line, want) {
				return
			}
		case <-limit:
			t.Fatalf("%s did not log %q within 10s:\n%s", p.name, want, p.log())
		}
	}
}

func (p *loggedProcess) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.all.String()
}

// dumpLease is udhcpc's event script: on "bound" it writes udhcpc's
// environment (ip, router, siaddr, boot_file...) to $LEASE_OUT and
// configures nothing.
const dumpLease = `#!/bin/sh
[ "$1" = bound ] || exit 0
env > "$LEASE_OUT"
`

// udhcpc runs busybox's DHCP client once in the namespace, with extra
// options to send, and returns the lease's variables.
func udhcpc(t *testing.T, ns, busybox string, extra ...string) map[string]string {
	t.Helper()
	dir := t.TempDir()
	script := filepath.Join(dir, "dump-lease")
	if err := os.WriteFile(script, []byte(dumpLease), 0o755); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "lease")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	args := append([]string{"netns", "exec", ns, busybox, "udhcpc",
		"-i", clientIf, "-n", "-q", "-f", "-s", script, "-T", "1", "-t", "10"}, extra...)
	cmd := exec.CommandContext(ctx, "ip", args...)
	cmd.Env = append(os.Environ(), "LEASE_OUT="+out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("udhcpc %s: %v\n%s", strings.Join(extra, " "), err, b)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("udhcpc got no lease: %v", err)
	}
	lease := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			if _, seen := lease[k]; !seen {
				lease[k] = v
			}
		}
	}
	return lease
}

// fetch downloads url with curl from inside the namespace.
func fetch(t *testing.T, ns, curl, url string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "ip", "netns", "exec", ns, curl, "-sS", "--fail", "--max-time", "15", url)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("curl %s: %v: %s", url, err, stderr.String())
	}
	return out
}
