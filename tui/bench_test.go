package tui

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/nix-community/installer-console/internal/netnstest"
	"github.com/nix-community/installer-console/state"
)

// TestConsoleBench measures the real binary on an 80x24 pseudo-terminal:
// time to the first frame, latency from a state file write and from a new
// address to the redrawn frame, bytes written per change, and CPU used
// while idle. It takes over a minute, so it only runs when
// INSTALLER_CONSOLE_BENCH is set (tui/bench/run.sh sets it);
// INSTALLER_CONSOLE_BENCH_IDLE overrides the idle period (default 60s).
func TestConsoleBench(t *testing.T) {
	if os.Getenv("INSTALLER_CONSOLE_BENCH") == "" {
		t.Skip("benchmark; run tui/bench/run.sh (sets INSTALLER_CONSOLE_BENCH=1)")
	}
	idle := 60 * time.Second
	if s := os.Getenv("INSTALLER_CONSOLE_BENCH_IDLE"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			t.Fatalf("INSTALLER_CONSOLE_BENCH_IDLE: %v", err)
		}
		idle = d
	}
	bin := consoleBinary(t)
	ns := netnstest.New(t)
	ns.IP("link", "add", "eth0", "type", "veth", "peer", "name", "eth1")
	ns.IP("addr", "add", "192.0.2.2/24", "dev", "eth0")
	ns.IP("link", "set", "eth0", "up")
	ns.IP("link", "set", "eth1", "up")

	dir := state.New(t.TempDir())
	if err := dir.WritePassword("first-password-here"); err != nil {
		t.Fatal(err)
	}
	term := openPTY(t, 80, 24, true)
	cmd := exec.Command("ip", "netns", "exec", ns.Name, bin, "--state-dir", dir.Path)
	cmd.Env = append(os.Environ(), "TERM=linux", "LANG=C.UTF-8")
	start := time.Now()
	term.start(t, cmd)
	firstFrame, _ := term.waitFor(t, 0, "first-password-here", 10*time.Second)
	report := []string{fmt.Sprintf("time to first frame: %v", firstFrame.Sub(start).Round(100*time.Microsecond))}
	// Let the sources subscribe and do their first reads.
	term.waitFor(t, 0, "192.0.2.2", 5*time.Second)
	settle(term)

	// Latency and bytes: the password (each differs from the last in its
	// first character, so the whole word is written) ...
	var lat []time.Duration
	var sizes []int
	for i, pw := range []string{"alpha-bravo", "charlie-delta", "echo-foxtrot", "golf-hotel", "india-juliet"} {
		from := term.mark()
		t0 := time.Now()
		if err := dir.WritePassword(pw); err != nil {
			t.Fatal(err)
		}
		t1, _ := term.waitFor(t, from, pw, 5*time.Second)
		lat = append(lat, t1.Sub(t0))
		settle(term)
		sizes = append(sizes, term.mark()-from)
		_ = i
	}
	report = append(report, "state file write to frame: "+durations(lat), fmt.Sprintf("bytes per password change: %v", sizes))

	// ... the Tor bootstrap progress ...
	lat, sizes = nil, nil
	for _, pct := range []int{10, 25, 50, 75, 90} {
		from := term.mark()
		t0 := time.Now()
		if err := dir.WriteTorStatus(state.TorStatus{State: state.TorBootstrapping, Bootstrap: pct}); err != nil {
			t.Fatal(err)
		}
		t1, _ := term.waitFor(t, from, fmt.Sprintf("%d%%", pct), 5*time.Second)
		lat = append(lat, t1.Sub(t0))
		settle(term)
		sizes = append(sizes, term.mark()-from)
	}
	report = append(report, "Tor status write to frame: "+durations(lat), fmt.Sprintf("bytes per Tor progress change: %v", sizes))

	// ... and a new address, through netlink.
	lat, sizes = nil, nil
	for i := 1; i <= 5; i++ {
		addr := fmt.Sprintf("198.51.100.%d", 10+i)
		from := term.mark()
		t0 := time.Now()
		ns.IP("addr", "add", addr+"/24", "dev", "eth0")
		t1, _ := term.waitFor(t, from, addr, 5*time.Second)
		lat = append(lat, t1.Sub(t0))
		settle(term)
		sizes = append(sizes, term.mark()-from)
	}
	report = append(report, "address added (ip addr add, incl. its run time) to frame: "+durations(lat), fmt.Sprintf("bytes per new address: %v", sizes))

	// Idle CPU.
	settle(term)
	pid := cmd.Process.Pid
	before := term.mark()
	c0, w0 := cpuTime(t, pid), time.Now()
	time.Sleep(idle) // measuring an idle period, not synchronising
	c1, w1 := cpuTime(t, pid), time.Now()
	used := c1 - c0
	per10 := time.Duration(float64(used) * float64(10*time.Second) / float64(w1.Sub(w0)))
	report = append(report, fmt.Sprintf("idle CPU: %v over %v = %v per 10 s; bytes written while idle: %d",
		used.Round(time.Microsecond), w1.Sub(w0).Round(time.Millisecond), per10.Round(time.Microsecond), term.mark()-before))
	t.Log("\n" + strings.Join(report, "\n"))
	if per10 > 5*time.Millisecond {
		t.Errorf("idle CPU %v per 10 s, goal at most 5ms", per10)
	}
}

// settle waits until the terminal has been quiet for 100 ms, so that a
// frame's bytes are all counted before the next change.
func settle(term *ptyTerminal) {
	for {
		n := term.mark()
		time.Sleep(100 * time.Millisecond)
		if term.mark() == n {
			return
		}
	}
}

func durations(ds []time.Duration) string {
	var s []string
	var max time.Duration
	for _, d := range ds {
		s = append(s, d.Round(10*time.Microsecond).String())
		if d > max {
			max = d
		}
	}
	return strings.Join(s, " ") + " (max " + max.Round(10*time.Microsecond).String() + ")"
}
