// Package tornet runs a private Tor network on loopback for tests: three
// directory authorities (which are relays too), a few more relays and a
// client, all Debian's tor with TestingTorNetwork 1 on 127.0.0.1. Relays
// exit only to 127.0.0.0/8 and resolve names only through a loopback
// nameserver, and no tor knows any authority but the private ones, so
// nothing can reach the public Tor network.
//
// Every tor runs in its own process group with __OwningControllerProcess
// set to the test process and a parent-death signal; t.Cleanup kills them
// all, also when the test fails, and then shows the end of their logs.
package tornet

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/textproto"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cretz/bine/control"
	"github.com/fsnotify/fsnotify"

	"github.com/nix-community/installer-console/internal/testtool"
)

// Authorities is the number of directory authorities; three is what a
// consensus needs to be reliable here.
const Authorities = 3

// DefaultRelays is the number of relays besides the authorities. With fewer
// than two, onion service circuits fail often.
const DefaultRelays = 3

// Options shape a network; zero values mean the defaults.
type Options struct {
	Relays int
}

// Node is one tor of the network.
type Node struct {
	Name      string
	Dir       string // its DataDirectory, with torrc and notice.log
	ORPort    int
	DirPort   int // authorities only
	SocksPort int // the client only

	cmd    *exec.Cmd
	exited chan struct{}
}

// PID is the tor process's ID.
func (n *Node) PID() int { return n.cmd.Process.Pid }

// ControlSocket is the node's control socket (cookie authentication).
func (n *Node) ControlSocket() string { return filepath.Join(n.Dir, "control.sock") }

// Network is a running private Tor network.
type Network struct {
	Dir         string
	Authorities []*Node
	Relays      []*Node
	Client      *Node

	torPath        string
	dirAuthorities []string
}

// Start builds the network in a temp directory and starts every tor. It
// returns at once; WaitClientBootstrapped waits for the network to work.
func Start(t testing.TB, opts Options) *Network {
	t.Helper()
	torPath := testtool.Require(t, "tor", "tor")
	gencert := testtool.Require(t, "tor-gencert", "tor")
	if opts.Relays == 0 {
		opts.Relays = DefaultRelays
	}
	n := &Network{Dir: t.TempDir(), torPath: torPath}
	resolv := filepath.Join(n.Dir, "resolv.conf")
	// Exits resolve names through this file only: a nameserver on
	// loopback (nobody answers), never the host's resolver.
	if err := os.WriteFile(resolv, []byte("nameserver 127.0.0.1\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	for i := 0; i < Authorities; i++ {
		node := n.newNode(t, fmt.Sprintf("auth%d", i))
		node.DirPort = FreePort(t)
		n.Authorities = append(n.Authorities, node)
	}
	// Making authority keys is the slow part (RSA); do them side by side.
	errs := make([]error, Authorities)
	var wg sync.WaitGroup
	for i, node := range n.Authorities {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = makeAuthorityKeys(gencert, node)
		}()
	}
	wg.Wait()
	for _, node := range n.Authorities {
		v3ident := certFingerprint(t, filepath.Join(node.Dir, "keys", "authority_certificate"))
		fpr := n.relayFingerprint(t, node)
		n.dirAuthorities = append(n.dirAuthorities, fmt.Sprintf("DirAuthority %s orport=%d v3ident=%s 127.0.0.1:%d %s",
			node.Name, node.ORPort, v3ident, node.DirPort, fpr))
	}
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < opts.Relays; i++ {
		n.Relays = append(n.Relays, n.newNode(t, fmt.Sprintf("relay%d", i)))
	}
	n.Client = n.newNode(t, "client")
	n.Client.ORPort = 0
	n.Client.SocksPort = FreePort(t)

	t.Cleanup(func() { n.stop(t) })
	for _, node := range n.Authorities {
		n.start(t, node, n.relayTorrc(node, resolv)+authorityTorrc(node))
	}
	for _, node := range n.Relays {
		n.start(t, node, n.relayTorrc(node, resolv))
	}
	n.start(t, n.Client, n.commonTorrc(n.Client)+fmt.Sprintf("SocksPort 127.0.0.1:%d\n", n.Client.SocksPort))
	return n
}

// JoinTorrc is what another tor (a client or an onion service) needs in its
// torrc to use this network and no other.
func (n *Network) JoinTorrc() string {
	return "TestingTorNetwork 1\n" +
		"UseDefaultFallbackDirs 0\n" +
		"PathsNeededToBuildCircuits 0.25\n" +
		strings.Join(n.dirAuthorities, "\n") + "\n"
}

// ClientSocks is the client tor's SOCKS address.
func (n *Network) ClientSocks() string {
	return "127.0.0.1:" + strconv.Itoa(n.Client.SocksPort)
}

// Nodes are all tors of the network.
func (n *Network) Nodes() []*Node {
	all := append([]*Node{}, n.Authorities...)
	all = append(all, n.Relays...)
	return append(all, n.Client)
}

// PIDs are the process IDs of all tors of the network.
func (n *Network) PIDs() []int {
	var pids []int
	for _, node := range n.Nodes() {
		pids = append(pids, node.PID())
	}
	return pids
}

func (n *Network) newNode(t testing.TB, name string) *Node {
	t.Helper()
	dir := filepath.Join(n.Dir, name)
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	return &Node{Name: name, Dir: dir, ORPort: FreePort(t)}
}

// makeAuthorityKeys makes an authority's identity key, signing key and
// certificate with tor-gencert (an empty passphrase).
func makeAuthorityKeys(gencert string, node *Node) error {
	keys := filepath.Join(node.Dir, "keys")
	if err := os.Mkdir(keys, 0o700); err != nil {
		return err
	}
	cmd := exec.Command(gencert, "--create-identity-key", "-m", "12",
		"-a", "127.0.0.1:"+strconv.Itoa(node.DirPort),
		"-i", filepath.Join(keys, "authority_identity_key"),
		"-s", filepath.Join(keys, "authority_signing_key"),
		"-c", filepath.Join(keys, "authority_certificate"),
		"--passphrase-fd", "0")
	cmd.Stdin = strings.NewReader("\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("tor-gencert for %s: %v\n%s", node.Name, err, out)
	}
	return nil
}

// relayFingerprint makes the node's relay identity keys and returns the
// identity fingerprint, as "tor --list-fingerprint" prints it.
func (n *Network) relayFingerprint(t testing.TB, node *Node) string {
	t.Helper()
	out, err := exec.Command(n.torPath, "--list-fingerprint", "--quiet",
		"--defaults-torrc", os.DevNull, "--ignore-missing-torrc", "-f", filepath.Join(node.Dir, "no-torrc"),
		"--DataDirectory", node.Dir, "--Nickname", node.Name,
		"--Address", "127.0.0.1", "--ORPort", "127.0.0.1:"+strconv.Itoa(node.ORPort), "--SocksPort", "0",
	).CombinedOutput()
	if err != nil {
		t.Fatalf("tor --list-fingerprint for %s: %v\n%s", node.Name, err, out)
	}
	fields := strings.Fields(string(out))
	if len(fields) < 2 || fields[0] != node.Name {
		t.Fatalf("tor --list-fingerprint for %s printed %q", node.Name, out)
	}
	fpr := strings.Join(fields[1:], "")
	if len(fpr) != 40 {
		t.Fatalf("tor --list-fingerprint for %s printed %q", node.Name, out)
	}
	return fpr
}

// certFingerprint reads the v3 identity from an authority certificate.
func certFingerprint(t testing.TB, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if fpr, ok := strings.CutPrefix(line, "fingerprint "); ok {
			return strings.TrimSpace(fpr)
		}
	}
	t.Fatalf("no fingerprint line in %s", path)
	return ""
}

// commonTorrc is what every tor of the network has.
func (n *Network) commonTorrc(node *Node) string {
	return fmt.Sprintf(`TestingTorNetwork 1
DataDirectory %[1]s
Nickname %[2]s
RunAsDaemon 0
ControlSocket %[1]s/control.sock
CookieAuthentication 1
Log notice file %[1]s/notice.log
SafeLogging 0
ShutdownWaitLength 0
UseDefaultFallbackDirs 0
PathsNeededToBuildCircuits 0.25
%[3]s
`, node.Dir, node.Name, strings.Join(n.dirAuthorities, "\n"))
}

// relayTorrc makes a relay that exits only to loopback.
func (n *Network) relayTorrc(node *Node, resolv string) string {
	return n.commonTorrc(node) + fmt.Sprintf(`SocksPort 0
Address 127.0.0.1
AddressDisableIPv6 1
ORPort 127.0.0.1:%d
AssumeReachable 1
ContactInfo %s@test.invalid
ExitRelay 1
ExitPolicyRejectPrivate 0
ExitPolicy accept 127.0.0.0/8:*
ExitPolicy reject *:*
ExitPolicy reject6 *:*
ServerDNSResolvConfFile %s
ServerDNSDetectHijacking 0
`, node.ORPort, node.Name, resolv)
}

// authorityTorrc makes a relay a directory authority with the shortest
// voting schedule tor allows, and flags for everyone.
func authorityTorrc(node *Node) string {
	return fmt.Sprintf(`AuthoritativeDirectory 1
V3AuthoritativeDirectory 1
DirPort 127.0.0.1:%d
TestingV3AuthInitialVotingInterval 5
V3AuthVotingInterval 10
TestingV3AuthInitialVoteDelay 2
V3AuthVoteDelay 2
TestingV3AuthInitialDistDelay 2
V3AuthDistDelay 2
V3AuthNIntervalsValid 2
TestingDirAuthVoteExit *
TestingDirAuthVoteGuard *
TestingDirAuthVoteHSDir *
TestingMinExitFlagThreshold 0
`, node.DirPort)
}

func (n *Network) start(t testing.TB, node *Node, torrc string) {
	t.Helper()
	path := filepath.Join(node.Dir, "torrc")
	if err := os.WriteFile(path, []byte(torrc), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(n.torPath, "--verify-config", "--hush", "--defaults-torrc", os.DevNull, "-f", path).CombinedOutput(); err != nil {
		t.Fatalf("tor rejects the torrc of %s: %v\n%s\n%s", node.Name, err, out, torrc)
	}
	cmd := exec.Command(n.torPath, "--defaults-torrc", os.DevNull, "-f", path,
		"--__OwningControllerProcess", strconv.Itoa(os.Getpid()))
	// tor logs to notice.log once it has read its torrc; what it says
	// before goes here.
	out, err := os.Create(filepath.Join(node.Dir, "stdout.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting tor %s: %v", node.Name, err)
	}
	node.cmd = cmd
	node.exited = make(chan struct{})
	go func() {
		cmd.Wait()
		close(node.exited)
	}()
}

// stop kills every tor's process group and reaps it; after a failure it
// shows the end of each tor's log.
func (n *Network) stop(t testing.TB) {
	for _, node := range n.Nodes() {
		if node.cmd == nil {
			continue
		}
		syscall.Kill(-node.cmd.Process.Pid, syscall.SIGKILL)
		<-node.exited
	}
	if t.Failed() {
		for _, node := range n.Nodes() {
			t.Logf("--- end of %s's notice.log:\n%s\n--- its output:\n%s", node.Name,
				Tail(filepath.Join(node.Dir, "notice.log"), 25), Tail(filepath.Join(node.Dir, "stdout.log"), 5))
		}
	}
}

// Tail returns the last lines of a file, for failure reports.
func Tail(path string, lines int) string {
	f, err := os.Open(path)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	var all []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		all = append(all, sc.Text())
	}
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}

// WaitClientBootstrapped waits until the client tor reports bootstrap 100%,
// following its control-port events.
func (n *Network) WaitClientBootstrapped(ctx context.Context) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go func() {
		select {
		case <-n.Client.exited:
			cancel(fmt.Errorf("the client tor exited: %s", Tail(filepath.Join(n.Client.Dir, "stdout.log"), 5)))
		case <-ctx.Done():
		}
	}()
	if err := WaitBootstrapped(ctx, n.Client.ControlSocket()); err != nil {
		if cause := context.Cause(ctx); cause != nil && cause != ctx.Err() {
			return cause
		}
		return err
	}
	return nil
}

// WaitBootstrapped connects to a tor's control socket (waiting for it to
// appear) and waits until tor reports bootstrap 100%.
func WaitBootstrapped(ctx context.Context, socket string) error {
	nc, err := dialWhenCreated(ctx, socket)
	if err != nil {
		return err
	}
	defer nc.Close()
	conn := control.NewConn(textproto.NewConn(nc))
	if err := conn.Authenticate(""); err != nil {
		return fmt.Errorf("authenticating to %s: %w", socket, err)
	}
	events := make(chan control.Event, 64)
	if err := conn.AddEventListener(events, control.EventCodeStatusClient); err != nil {
		return err
	}
	info, err := conn.GetInfo("status/bootstrap-phase")
	if err != nil {
		return err
	}
	if len(info) > 0 && strings.Contains(info[0].Val, "PROGRESS=100 ") {
		return nil
	}
	readErr := make(chan error, 1)
	go func() {
		for {
			if err := conn.HandleNextEvent(); err != nil {
				readErr <- err
				return
			}
		}
	}()
	last := ""
	for {
		select {
		case <-ctx.Done():
			return fmt.Errorf("tor at %s did not bootstrap (last: %s): %w", socket, last, ctx.Err())
		case err := <-readErr:
			return fmt.Errorf("tor at %s: control connection: %w", socket, err)
		case ev := <-events:
			if st, ok := ev.(*control.StatusEvent); ok && st.Action == "BOOTSTRAP" {
				last = st.Raw
				if st.Arguments["PROGRESS"] == "100" {
					return nil
				}
			}
		}
	}
}

// dialWhenCreated waits (inotify) for a unix socket to appear and connects.
func dialWhenCreated(ctx context.Context, socket string) (net.Conn, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	defer w.Close()
	if err := w.Add(filepath.Dir(socket)); err != nil {
		return nil, err
	}
	for {
		if _, err := os.Stat(socket); err == nil {
			break
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("no control socket %s: %w", socket, ctx.Err())
		case <-w.Events:
		case err := <-w.Errors:
			return nil, err
		}
	}
	// From bind() to listen() connecting is refused; no event marks the
	// end of that instant, so retry with a deadline.
	for {
		c, err := net.Dial("unix", socket)
		if err == nil {
			return c, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("connecting to %s: %v", socket, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

var portMu sync.Mutex

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	portMu.Lock()
	defer portMu.Unlock()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
