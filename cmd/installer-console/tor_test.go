package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vishvananda/netlink"

	"github.com/nix-community/installer-console/internal/sshtest"
	"github.com/nix-community/installer-console/internal/testtool"
	"github.com/nix-community/installer-console/internal/tornet"
	"github.com/nix-community/installer-console/state"
)

// torTestBinary is the installer-console built by TestMain.
func torTestBinary(t *testing.T) string {
	t.Helper()
	if binaryPath == "" {
		t.Fatal("installer-console was not built")
	}
	return binaryPath
}

// torService is a running "installer-console tor" process.
type torService struct {
	cmd    *exec.Cmd
	log    *testtool.Log
	exited chan struct{}
	err    error
}

// startTorService runs the real binary's tor command with args; it is
// stopped with SIGTERM at cleanup.
func startTorService(t *testing.T, args ...string) *torService {
	t.Helper()
	cmd := exec.Command(torTestBinary(t), append([]string{"tor"}, args...)...)
	s := &torService{cmd: cmd, log: testtool.NewLog(t, "installer-console tor"), exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = s.log, s.log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		s.err = cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() {
		s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(20 * time.Second):
			syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
			<-s.exited
		}
	})
	return s
}

// stop sends SIGTERM, as systemd does, and returns the exit status.
func (s *torService) stop(t *testing.T) error {
	t.Helper()
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
		return s.err
	case <-time.After(20 * time.Second):
		t.Fatal("installer-console tor did not exit within 20 s of SIGTERM")
		return nil
	}
}

// torStateWatch waits on the state directory through inotify.
type torStateWatch struct {
	dir state.Dir
	ch  <-chan state.Change
}

func newTorStateWatch(t *testing.T) *torStateWatch {
	t.Helper()
	d := state.New(filepath.Join(t.TempDir(), "run"))
	if err := d.Ensure(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ch, err := d.Watch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return &torStateWatch{dir: d, ch: ch}
}

// until waits for cond (checked now and after each change of the state
// directory) or for the service to exit.
func (w *torStateWatch) until(t *testing.T, what string, timeout time.Duration, svc *torService, cond func() bool) {
	t.Helper()
	deadline := time.After(timeout)
	for !cond() {
		select {
		case <-w.ch:
		case <-svc.exited:
			t.Fatalf("installer-console tor exited (%v) while waiting for %s", svc.err, what)
		case <-deadline:
			st, _ := w.dir.ReadTorStatus()
			t.Fatalf("no %s within %v; Tor status: %+v", what, timeout, st)
		}
	}
}

func torOfflineExtra(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "torrc-extra")
	if err := os.WriteFile(path, []byte("DisableNetwork 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// The command as systemd runs it: offline, the hostname appears, the status
// follows, SIGTERM stops it with exit status 0 and takes tor along.
func TestTorCommandOfflineAndSIGTERM(t *testing.T) {
	testtool.Require(t, "tor", "tor")
	w := newTorStateWatch(t)
	dataDir := filepath.Join(t.TempDir(), "lib")
	svc := startTorService(t, "--state-dir", w.dir.Path, "--data-dir", dataDir,
		"--socks", "127.0.0.1:"+strconv.Itoa(tornet.FreePort(t)), "--torrc-extra", torOfflineExtra(t))

	w.until(t, "onion hostname", 10*time.Second, svc, func() bool {
		_, err := w.dir.ReadOnionHostname()
		return err == nil
	})
	w.until(t, "bootstrapping status", 30*time.Second, svc, func() bool {
		st, err := w.dir.ReadTorStatus()
		return err == nil && st.State == state.TorBootstrapping
	})
	torPIDs := tornet.Descendants(svc.cmd.Process.Pid)
	if len(torPIDs) != 1 {
		t.Fatalf("processes under installer-console tor: %v, want one tor", torPIDs)
	}
	if err := svc.stop(t); err != nil {
		t.Fatalf("exit after SIGTERM: %v, want status 0", err)
	}
	if st, _ := w.dir.ReadTorStatus(); st.State != state.TorStopped {
		t.Fatalf("status after SIGTERM: %+v", st)
	}
	if err := syscall.Kill(torPIDs[0], 0); !errors.Is(err, syscall.ESRCH) {
		t.Fatalf("tor (pid %d) outlived the service: %v", torPIDs[0], err)
	}
}

func TestTorCommandClearErrors(t *testing.T) {
	testtool.Require(t, "tor", "tor")
	file := filepath.Join(t.TempDir(), "a-file")
	os.WriteFile(file, nil, 0o644)
	stateDir := filepath.Join(t.TempDir(), "run")
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"missing tor", []string{"--tor", "/nonexistent/tor"}, `tor binary "/nonexistent/tor" not found`},
		{"data dir is a file", []string{"--data-dir", file}, "data directory " + file + " is unusable"},
		{"bad target", []string{"--target", "nowhere"}, "onion service target"},
		{"bad socks", []string{"--socks", "9050"}, "SOCKS address"},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"tor", "--state-dir", stateDir, "--data-dir", filepath.Join(t.TempDir(), "lib"),
				"--socks", "127.0.0.1:" + strconv.Itoa(tornet.FreePort(t)), "--torrc-extra", torOfflineExtra(t)}, c.args...)
			cmd := exec.Command(torTestBinary(t), args...)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 {
				t.Fatalf("exit: %v, want status 1\n%s", err, out)
			}
			if !strings.Contains(string(out), "installer-console: ") || !strings.Contains(string(out), c.want) {
				t.Fatalf("output %q, want an error with %q", out, c.want)
			}
		})
	}
}

// torE2ENetnsEnv marks the copy of the test binary that runs inside its own
// network namespace.
const torE2ENetnsEnv = "INSTALLER_CONSOLE_TOR_E2E_NETNS"

// End to end: a private Tor network on loopback, a real sshd, the real
// "installer-console tor" joining the network through --torrc-extra, and the
// real OpenSSH client logging in as root with a password through the client
// tor's SOCKS port and the onion address.
//
// The test runs itself again inside a new network namespace (unshare --net)
// that has nothing but loopback, so that no tor of the test can reach the
// public Tor network even by mistake; inside, it also checks that every
// socket of every process it started is on loopback.
func TestTorOnionSSHEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("brings up a private Tor network (about 30 s)")
	}
	testtool.RequireRoot(t)
	if os.Getenv(torE2ENetnsEnv) == "" {
		torRunInOwnNetns(t)
		return
	}
	sshtest.Require(t)
	testtool.Require(t, "tor", "tor")
	testtool.Require(t, "tor-gencert", "tor")
	testtool.Require(t, "nc", "netcat-openbsd")
	lo, err := netlink.LinkByName("lo")
	if err != nil {
		t.Fatal(err)
	}
	if err := netlink.LinkSetUp(lo); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	network := tornet.Start(t, tornet.Options{})

	etc := sshtest.NewEtc(t)
	password := "onion test " + torRandomHex(t)
	sshtest.SetPassword(t, etc, "root", password)
	srv := sshtest.StartSSHD(t, etc, "127.0.0.1")

	dir := t.TempDir()
	extra := filepath.Join(dir, "torrc-extra")
	if err := os.WriteFile(extra, []byte(network.JoinTorrc()), 0o644); err != nil {
		t.Fatal(err)
	}
	w := newTorStateWatch(t)
	svc := startTorService(t, "--state-dir", w.dir.Path, "--data-dir", filepath.Join(dir, "lib"),
		"--port", "22", "--target", fmt.Sprintf("%s:%d", srv.Addr, srv.Port),
		"--socks", "127.0.0.1:"+strconv.Itoa(tornet.FreePort(t)), "--torrc-extra", extra)

	var host string
	w.until(t, "onion hostname", 10*time.Second, svc, func() bool {
		host, err = w.dir.ReadOnionHostname()
		return err == nil
	})
	var st state.TorStatus
	w.until(t, "published status", 180*time.Second, svc, func() bool {
		st, err = w.dir.ReadTorStatus()
		return err == nil && st.State == state.TorPublished
	})
	published := time.Since(start)
	if !st.Published || st.Bootstrap != 100 {
		t.Errorf("published status: %+v", st)
	}
	t.Logf("onion service published %v after the network started", published)

	ctx, cancel := context.WithTimeout(context.Background(), 180*time.Second)
	defer cancel()
	if err := network.WaitClientBootstrapped(ctx); err != nil {
		t.Fatal(err)
	}

	// Check the host key: the login must reach our sshd through the onion.
	knownHosts := filepath.Join(dir, "known_hosts")
	if err := os.WriteFile(knownHosts, []byte(host+" "+srv.HostKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	opts := sshtest.Options{
		Addr:           host,
		Port:           22,
		Password:       password,
		ProxyCommand:   "nc -X 5 -x " + network.ClientSocks() + " %h %p",
		Command:        "echo over-onion; id -un",
		KnownHosts:     knownHosts,
		ConnectTimeout: 60 * time.Second,
	}
	// Right after publication the client may not find the descriptor on
	// the first try; ssh again (it is the thing under test) until the
	// deadline.
	var out string
	for attempt := 1; ; attempt++ {
		out, err = sshtest.SSH(ctx, opts)
		if err == nil || errors.Is(err, sshtest.ErrPermissionDenied) || ctx.Err() != nil {
			break
		}
		t.Logf("ssh attempt %d: %v", attempt, err)
	}
	if err != nil {
		t.Fatalf("ssh root@%s through Tor: %v", host, err)
	}
	if out != "over-onion\nroot\n" {
		t.Fatalf("remote output %q", out)
	}

	// And exactly as the guide tells Tor users: torify ssh root@<onion>,
	// with torsocks pointed at the private network's client tor.
	socksHost, socksPort, err := net.SplitHostPort(network.ClientSocks())
	if err != nil {
		t.Fatal(err)
	}
	opts.ProxyCommand = ""
	opts.Wrapper = []string{testtool.Require(t, "torify", "tor")}
	opts.Env = []string{"TORSOCKS_TOR_ADDRESS=" + socksHost, "TORSOCKS_TOR_PORT=" + socksPort}
	if out, err = sshtest.SSH(ctx, opts); err != nil {
		t.Fatalf("torify ssh root@%s: %v", host, err)
	}
	if out != "over-onion\nroot\n" {
		t.Fatalf("remote output through torify %q", out)
	}
	t.Logf("ssh over the onion service worked %v after the network started", time.Since(start))

	// Every process this test started (tors, installer-console and its
	// tor, sshd and its session) with every socket on loopback.
	pids := append([]int{os.Getpid()}, tornet.Descendants(os.Getpid())...)
	tornet.AssertLoopbackOnly(t, pids...)
}

// torRunInOwnNetns runs this test again in a new network namespace and reports
// its output and result.
func torRunInOwnNetns(t *testing.T) {
	t.Helper()
	unshare := testtool.Require(t, "unshare", "util-linux")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(unshare, "--net", "--", self,
		"-test.run", "^"+t.Name()+"$", "-test.v", "-test.count=1", "-test.timeout=6m")
	cmd.Env = append(os.Environ(), torE2ENetnsEnv+"=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	passed, skipped := false, ""
	go func() {
		defer close(done)
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "--- PASS: "+t.Name()) {
				passed = true
			}
			if strings.HasPrefix(line, "--- SKIP: "+t.Name()) {
				skipped = line
			}
			t.Log(line)
		}
	}()
	err = cmd.Wait()
	pw.Close()
	<-done
	if err == nil && skipped != "" {
		t.Skip(skipped)
	}
	if err != nil || !passed {
		t.Fatalf("the test in its own network namespace failed: %v", err)
	}
}

func torRandomHex(t *testing.T) string {
	t.Helper()
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
