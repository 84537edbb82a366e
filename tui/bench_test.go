package tui

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nix-community/installer-console/internal/netnstest"
	"github.com/nix-community/installer-console/login"
	"github.com/nix-community/installer-console/qr/qrtest"
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
	firstFrame := term.waitFor(t, "first-password-here", 10*time.Second)
	report := []string{fmt.Sprintf("time to first frame: %v", firstFrame.Sub(start).Round(100*time.Microsecond))}
	// Let the sources subscribe and do their first reads.
	term.waitFor(t, "192.0.2.2", 5*time.Second)
	settle(term)

	// Latency and bytes: the password (each differs from the last in its
	// first character, so the whole word is written), measured from the
	// end of the write (the rename that makes it visible); the write
	// itself (with its fsync) is reported apart.
	var lat, writes []time.Duration
	var sizes []int
	for i := range 20 {
		// Each differs from the last in its first character.
		pw := string(rune('a'+i)) + "-password-" + itoa(i)
		from := term.mark()
		t0 := time.Now()
		if err := dir.WritePassword(pw); err != nil {
			t.Fatal(err)
		}
		tw := time.Now()
		t1 := term.waitFor(t, pw, 5*time.Second)
		lat, writes = append(lat, t1.Sub(tw)), append(writes, tw.Sub(t0))
		settle(term)
		sizes = append(sizes, term.mark()-from)
	}
	report = append(report, "password file written to frame: "+durations(lat),
		"  (the atomic write itself: "+durations(writes)+")",
		fmt.Sprintf("bytes per password change: %s (the QR code is on its own screen at 80x24)", sizeRange(sizes)))

	// ... the Tor bootstrap progress ...
	lat, sizes = nil, nil
	for pct := 5; pct <= 100; pct += 5 {
		from := term.mark()
		t0 := time.Now()
		if err := dir.WriteTorStatus(state.TorStatus{State: state.TorBootstrapping, Bootstrap: pct}); err != nil {
			t.Fatal(err)
		}
		t1 := term.waitFor(t, fmt.Sprintf("bootstrapping %d%%", pct), 5*time.Second)
		lat = append(lat, t1.Sub(t0))
		settle(term)
		sizes = append(sizes, term.mark()-from)
	}
	report = append(report, "Tor status write to frame: "+durations(lat), fmt.Sprintf("bytes per Tor progress change: %s", sizeRange(sizes)))

	// ... and a new address, through netlink.
	lat, sizes = nil, nil
	for i := 1; i <= 20; i++ {
		addr := fmt.Sprintf("198.51.100.%d", 10+i)
		from := term.mark()
		t0 := time.Now()
		ns.IP("addr", "add", addr+"/24", "dev", "eth0")
		t1 := term.waitFor(t, addr, 5*time.Second)
		lat = append(lat, t1.Sub(t0))
		settle(term)
		sizes = append(sizes, term.mark()-from)
		// Take it away again, so that the next one shows on the screen.
		ns.IP("addr", "del", addr+"/24", "dev", "eth0")
		term.waitUntil(t, addr+" gone", func(s string) bool { return !strings.Contains(s, addr) }, 5*time.Second)
	}
	report = append(report, "address added (ip addr add, incl. its run time) to frame: "+durations(lat), fmt.Sprintf("bytes per new address (the lines below move down): %s", sizeRange(sizes)))

	// A key press to the frame that answers it: the QR code screen.
	from := term.mark()
	t0 := time.Now()
	if _, err := term.master.Write([]byte("3")); err != nil {
		t.Fatal(err)
	}
	t1 := term.waitFor(t, "Scan to log in", 5*time.Second)
	settle(term)
	report = append(report, fmt.Sprintf("key press to QR code screen: %v, %d bytes", t1.Sub(t0).Round(10*time.Microsecond), term.mark()-from))
	from = term.mark()
	if err := dir.WritePassword("kilo-lima"); err != nil {
		t.Fatal(err)
	}
	term.waitUntil(t, "the new password in the QR code", func(screen string) bool {
		got, err := qrtest.DecodeTerminal(strings.Split(screen, "\n"))
		return err == nil && strings.Contains(got, "kilo-lima")
	}, 5*time.Second)
	settle(term)
	report = append(report, fmt.Sprintf("bytes per password change on the QR code screen: %d", term.mark()-from))
	if _, err := term.master.Write([]byte("1")); err != nil {
		t.Fatal(err)
	}
	term.waitFor(t, "Root password", 5*time.Second)

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
	// A terminal that never answers bubbletea's start-up query (its
	// package init asks for the background colour and waits up to 5 s).
	quiet := openPTY(t, 80, 24, false)
	cmd2 := exec.Command(bin, "--state-dir", dir.Path)
	cmd2.Env = append(os.Environ(), "TERM=linux", "LANG=C.UTF-8")
	start = time.Now()
	quiet.start(t, cmd2)
	first := quiet.waitFor(t, "Root password", 10*time.Second)
	report = append(report, fmt.Sprintf("time to first frame on a terminal that does not answer queries: %v", first.Sub(start).Round(time.Millisecond)))

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

// durations summarises latencies: median, 90th percentile, maximum.
func durations(ds []time.Duration) string {
	sorted := slices.Clone(ds)
	slices.Sort(sorted)
	at := func(q float64) string {
		return sorted[int(q*float64(len(sorted)-1))].Round(10 * time.Microsecond).String()
	}
	return fmt.Sprintf("median %s, p90 %s, max %s (%d runs)", at(0.5), at(0.9), at(1), len(ds))
}

// BenchmarkRedraw is the CPU cost of one change on screen: the update,
// the view and the diff against the frame before (Tor progress changes
// each time, as during bootstrap).
func BenchmarkRedraw(b *testing.B) {
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		b.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(b *testing.B) {
			m := demoModel(size[0], size[1])
			m.look = makeLook(true, true, true)
			var out countWriter
			s := newScreen(&out, size[0], size[1])
			s.draw(m.View())
			out = 0
			b.ResetTimer()
			for i := range b.N {
				tor := state.TorStatus{State: state.TorBootstrapping, Bootstrap: i % 100}
				m.Update(stateMsg{files: []string{state.TorStatusFile}, info: login.Info{Tor: &tor}})
				s.draw(m.View())
			}
			b.ReportMetric(float64(out)/float64(b.N), "bytes/op")
		})
	}
}

type countWriter int

func (c *countWriter) Write(p []byte) (int, error) {
	*c += countWriter(len(p))
	return len(p), nil
}

func sizeRange(sizes []int) string {
	return fmt.Sprintf("%d to %d", slices.Min(sizes), slices.Max(sizes))
}
