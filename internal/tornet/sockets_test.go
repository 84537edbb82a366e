package tornet

import (
	"net"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

func TestParseHexAddrPort(t *testing.T) {
	for in, want := range map[string]string{
		"0100007F:1F90":                         "127.0.0.1:8080",
		"00000000:0000":                         "0.0.0.0:0",
		"00000000000000000000000001000000:0016": "[::1]:22",
		"0000000000000000FFFF00000100007F:0050": "[::ffff:127.0.0.1]:80",
	} {
		got, err := parseHexAddrPort(in)
		if err != nil || got != netip.MustParseAddrPort(want) {
			t.Errorf("parseHexAddrPort(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
}

// The checker must see what it is there to catch: a listener on all
// addresses and a socket connected off loopback (a connected UDP socket,
// which sends nothing), next to loopback sockets it must accept.
func TestCheckLoopbackOnlyCatchesOffLoopbackSockets(t *testing.T) {
	good, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer good.Close()
	dialed, err := net.Dial("tcp", good.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer dialed.Close()
	if l6, err := net.Listen("tcp6", "[::1]:0"); err == nil {
		defer l6.Close()
	}
	bad, checked, err := CheckLoopbackOnly(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) != 0 || checked < 3 {
		t.Fatalf("loopback sockets only: bad %q, checked %d", bad, checked)
	}

	wild, err := net.Listen("tcp4", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	defer wild.Close()
	// TEST-NET-1; connecting a UDP socket sends nothing. Without a route
	// (a bare namespace) only the listener is checked.
	udp, udpErr := net.Dial("udp4", "192.0.2.1:9")
	if udpErr == nil {
		defer udp.Close()
	}
	bad, _, err = CheckLoopbackOnly(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(bad, "\n")
	wildPort := wild.Addr().(*net.TCPAddr).Port
	if !strings.Contains(joined, "0.0.0.0:"+itoa(wildPort)) {
		t.Fatalf("the checker missed a listener on all addresses:\n%s", joined)
	}
	if udpErr == nil && !strings.Contains(joined, "192.0.2.1:9") {
		t.Fatalf("the checker missed a socket connected off loopback:\n%s", joined)
	}
}

func TestDescendants(t *testing.T) {
	// sh starts sleep as its child: both are descendants of this process.
	cmd := exec.Command("sh", "-c", "sleep 60 & echo $!; wait")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	buf := make([]byte, 32)
	n, _ := out.Read(buf)
	sleepPID := atoi(strings.TrimSpace(string(buf[:n])))
	defer func() {
		if p, err := os.FindProcess(sleepPID); err == nil {
			p.Kill()
		}
	}()
	got := Descendants(os.Getpid())
	if !slices.Contains(got, cmd.Process.Pid) || !slices.Contains(got, sleepPID) {
		t.Fatalf("Descendants = %v, want sh %d and sleep %d", got, cmd.Process.Pid, sleepPID)
	}
}
