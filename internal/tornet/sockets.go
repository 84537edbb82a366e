package tornet

import (
	"bufio"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// Socket is one IP socket held by a process.
type Socket struct {
	PID    int
	Proto  string // tcp, tcp6, udp, udp6, raw, raw6
	Local  netip.AddrPort
	Remote netip.AddrPort
	State  string // kernel state, hex as in /proc (0A is TCP LISTEN)
}

func (s Socket) String() string {
	return fmt.Sprintf("pid %d %s %s -> %s (state %s)", s.PID, s.Proto, s.Local, s.Remote, s.State)
}

// AssertLoopbackOnly fails the test unless every socket of every process
// given is on loopback: IP sockets with both ends in 127.0.0.0/8 or ::1
// (a remote end may be unset only on listening or unconnected sockets), or
// unix and netlink sockets. A socket of any other kind fails it too.
func AssertLoopbackOnly(t testing.TB, pids ...int) {
	t.Helper()
	bad, checked, err := CheckLoopbackOnly(pids...)
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) > 0 {
		t.Fatalf("sockets off loopback:\n%s", strings.Join(bad, "\n"))
	}
	t.Logf("%d IP sockets of %d processes, all on loopback", checked, len(pids))
}

// CheckLoopbackOnly returns a line for every socket of the processes that
// is not on loopback, and how many IP sockets it checked. The kernel's
// tables in /proc/<pid>/net are per network namespace, so each socket is
// found by its inode from /proc/<pid>/fd in the tables as its own process
// sees them.
func CheckLoopbackOnly(pids ...int) (bad []string, checked int, err error) {
	for _, pid := range pids {
		socks, unknown, err := processSockets(pid)
		if errors.Is(err, fs.ErrNotExist) {
			continue // exited meanwhile (an ssh session, nc): no sockets
		}
		if err != nil {
			return nil, 0, err
		}
		if len(unknown) > 0 {
			// A socket opened between reading the fds and the tables
			// looks unknown; look once more before calling it so.
			socks, unknown, err = processSockets(pid)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return nil, 0, err
			}
		}
		for _, inode := range unknown {
			bad = append(bad, fmt.Sprintf("pid %d: socket inode %s is neither IP, unix nor netlink", pid, inode))
		}
		for _, s := range socks {
			checked++
			if problem := offLoopback(s); problem != "" {
				bad = append(bad, s.String()+": "+problem)
			}
		}
	}
	return bad, checked, nil
}

func offLoopback(s Socket) string {
	if s.State == "07" && s.Local.Port() == 0 && s.Local.Addr().IsUnspecified() && s.Remote.Addr().IsUnspecified() {
		return "" // created, neither bound nor connected yet
	}
	if !isLoopback(s.Local.Addr()) {
		return "local address is not loopback"
	}
	if s.Remote.Addr().IsUnspecified() {
		unconnected := s.State == "0A" || // TCP LISTEN
			s.State == "07" || // UDP/raw unconnected (TCP_CLOSE)
			s.Proto == "raw" || s.Proto == "raw6"
		if !unconnected {
			return "connected socket without a remote address"
		}
		return ""
	}
	if !isLoopback(s.Remote.Addr()) {
		return "remote address is not loopback"
	}
	return ""
}

func isLoopback(a netip.Addr) bool {
	return a.Unmap().IsLoopback()
}

// processSockets lists the IP sockets of pid and the inodes of sockets of
// unknown kinds.
func processSockets(pid int) ([]Socket, []string, error) {
	fdDir := fmt.Sprintf("/proc/%d/fd", pid)
	entries, err := os.ReadDir(fdDir)
	if err != nil {
		return nil, nil, fmt.Errorf("listing sockets of pid %d: %w", pid, err)
	}
	inodes := map[string]int{} // inode: fd
	for _, e := range entries {
		link, err := os.Readlink(filepath.Join(fdDir, e.Name()))
		if err != nil {
			continue // closed meanwhile
		}
		if inode, ok := strings.CutPrefix(link, "socket:["); ok {
			inodes[strings.TrimSuffix(inode, "]")], _ = strconv.Atoi(e.Name())
		}
	}
	netDir := fmt.Sprintf("/proc/%d/net", pid)
	var socks []Socket
	for _, proto := range []string{"tcp", "tcp6", "udp", "udp6", "raw", "raw6"} {
		rows, err := readIPTable(filepath.Join(netDir, proto))
		if err != nil {
			return nil, nil, fmt.Errorf("sockets of pid %d: %w", pid, err)
		}
		for _, r := range rows {
			if _, ok := inodes[r.inode]; ok {
				delete(inodes, r.inode)
				socks = append(socks, Socket{PID: pid, Proto: proto, Local: r.local, Remote: r.remote, State: r.state})
			}
		}
	}
	for table, col := range map[string]int{"unix": 6, "netlink": 9} {
		known, err := readInodes(filepath.Join(netDir, table), col)
		if err != nil {
			return nil, nil, fmt.Errorf("sockets of pid %d: %w", pid, err)
		}
		for inode := range known {
			delete(inodes, inode)
		}
	}
	// Sockets that are in no table: IP sockets never bound nor connected
	// (the tables list bound ones only), or other families. Ask the socket
	// itself, through a duplicate of its descriptor.
	var unknown []string
	for inode, fd := range inodes {
		sock, kind, err := inspectSocket(pid, fd)
		switch {
		case errors.Is(err, unix.ESRCH) || errors.Is(err, unix.EBADF):
			// The process exited or closed the socket meanwhile.
		case err != nil:
			unknown = append(unknown, fmt.Sprintf("%s (%v)", inode, err))
		case kind == "ip":
			socks = append(socks, sock)
		case kind == "unix" || kind == "netlink":
		default:
			unknown = append(unknown, inode+" ("+kind+")")
		}
	}
	return socks, unknown, nil
}

// inspectSocket duplicates a process's socket descriptor (pidfd_getfd, as
// root) and reads its family and both ends.
func inspectSocket(pid, fd int) (Socket, string, error) {
	pidfd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return Socket{}, "", fmt.Errorf("pidfd_open: %w", err)
	}
	defer unix.Close(pidfd)
	dup, err := unix.PidfdGetfd(pidfd, fd, 0)
	if err != nil {
		return Socket{}, "", fmt.Errorf("pidfd_getfd: %w", err)
	}
	defer unix.Close(dup)
	family, err := unix.GetsockoptInt(dup, unix.SOL_SOCKET, unix.SO_DOMAIN)
	if err != nil {
		return Socket{}, "", fmt.Errorf("SO_DOMAIN: %w", err)
	}
	switch family {
	case unix.AF_UNIX:
		return Socket{}, "unix", nil
	case unix.AF_NETLINK:
		return Socket{}, "netlink", nil
	case unix.AF_INET, unix.AF_INET6:
	default:
		return Socket{}, fmt.Sprintf("address family %d", family), nil
	}
	sock := Socket{PID: pid, Proto: "ip (unlisted)", State: "07"}
	if sa, err := unix.Getsockname(dup); err == nil {
		sock.Local = sockaddrAddrPort(sa)
	}
	if sa, err := unix.Getpeername(dup); err == nil {
		sock.Remote = sockaddrAddrPort(sa)
		sock.State = "connected"
	} else {
		sock.Remote = netip.AddrPortFrom(netip.IPv4Unspecified(), 0)
	}
	return sock, "ip", nil
}

func sockaddrAddrPort(sa unix.Sockaddr) netip.AddrPort {
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), uint16(sa.Port))
	case *unix.SockaddrInet6:
		return netip.AddrPortFrom(netip.AddrFrom16(sa.Addr), uint16(sa.Port))
	}
	return netip.AddrPortFrom(netip.IPv4Unspecified(), 0)
}

type ipRow struct {
	local, remote netip.AddrPort
	state, inode  string
}

// readIPTable parses /proc/net/{tcp,udp,raw}[6]: "sl local rem st ... inode".
func readIPTable(path string) ([]ipRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var rows []ipRow
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 10 {
			continue
		}
		local, err := parseHexAddrPort(fields[1])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		remote, err := parseHexAddrPort(fields[2])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		rows = append(rows, ipRow{local: local, remote: remote, state: fields[3], inode: fields[9]})
	}
	return rows, sc.Err()
}

// parseHexAddrPort reads the kernel's "0100007F:1F90": the address as
// 32-bit words in host (little-endian) order, the port big-endian hex.
func parseHexAddrPort(s string) (netip.AddrPort, error) {
	addrHex, portHex, ok := strings.Cut(s, ":")
	if !ok {
		return netip.AddrPort{}, fmt.Errorf("bad socket address %q", s)
	}
	raw, err := hex.DecodeString(addrHex)
	if err != nil || (len(raw) != 4 && len(raw) != 16) {
		return netip.AddrPort{}, fmt.Errorf("bad socket address %q", s)
	}
	for i := 0; i < len(raw); i += 4 {
		raw[i], raw[i+1], raw[i+2], raw[i+3] = raw[i+3], raw[i+2], raw[i+1], raw[i]
	}
	port, err := strconv.ParseUint(portHex, 16, 16)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("bad socket port %q", s)
	}
	addr, _ := netip.AddrFromSlice(raw)
	return netip.AddrPortFrom(addr, uint16(port)), nil
}

func readInodes(path string, col int) (map[string]bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]bool{}
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > col {
			out[fields[col]] = true
		}
	}
	return out, sc.Err()
}

// Descendants returns the process IDs of pid's children, their children and
// so on (for a service that starts tor itself).
func Descendants(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	children := map[int][]int{}
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// "pid (comm) state ppid ...": comm may hold spaces and parens.
		rest := string(data)
		if i := strings.LastIndexByte(rest, ')'); i >= 0 {
			rest = rest[i+1:]
		}
		fields := strings.Fields(rest)
		if len(fields) < 2 {
			continue
		}
		ppid, _ := strconv.Atoi(fields[1])
		children[ppid] = append(children[ppid], p)
	}
	var out []int
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range children[p] {
			out = append(out, c)
			queue = append(queue, c)
		}
	}
	return out
}
