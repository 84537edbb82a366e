package sshtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ErrPermissionDenied is wrapped by the error of SSH when the server
// refused the password (as opposed to a connection or command failure).
var ErrPermissionDenied = errors.New("permission denied")

// Options describe one run of the OpenSSH client.
type Options struct {
	// Addr is the host name or address to connect to.
	Addr string
	// Port defaults to 22.
	Port int
	// User defaults to root.
	User string
	// Password is typed by sshpass at ssh's password prompt.
	Password string
	// ProxyCommand, when set, is ssh's ProxyCommand (for instance
	// "nc -X 5 -x 127.0.0.1:9050 %h %p" to go through Tor's SOCKS port).
	ProxyCommand string
	// Command is the remote command; it defaults to "true".
	Command string
	// ConnectTimeout defaults to 30 seconds.
	ConnectTimeout time.Duration
	// Wrapper runs ssh through another program, for instance
	// []string{"torify"} as a Tor user types it.
	Wrapper []string
	// Env is added to the client's environment (for the wrapper, such as
	// TORSOCKS_TOR_PORT).
	Env []string
	// KnownHosts, when set, is a known_hosts file (see
	// Server.KnownHostsFile) and the host key is checked strictly; when
	// empty any host key is accepted.
	KnownHosts string
}

// SSH runs the real OpenSSH client through sshpass: password authentication
// only, no public keys, no user or system ssh_config, one password prompt.
// It returns the remote command's standard output. The error carries ssh's
// standard error and wraps ErrPermissionDenied when the login was refused.
//
// The password goes to sshpass in a 0600 file in a private temp dir that is
// removed afterwards, never in an argument or environment variable.
func SSH(ctx context.Context, o Options) (string, error) {
	if o.Addr == "" {
		return "", errors.New("sshtest.SSH: no address")
	}
	if o.Port == 0 {
		o.Port = 22
	}
	if o.User == "" {
		o.User = "root"
	}
	if o.Command == "" {
		o.Command = "true"
	}
	if o.ConnectTimeout == 0 {
		o.ConnectTimeout = 30 * time.Second
	}

	dir, err := os.MkdirTemp("", "sshtest-client-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	pwFile := filepath.Join(dir, "password")
	if err := os.WriteFile(pwFile, []byte(o.Password+"\n"), 0o600); err != nil {
		return "", err
	}

	args := append(append([]string{"-f", pwFile}, o.Wrapper...), "ssh", "-F", "/dev/null", "-T",
		"-o", "BatchMode=no",
		"-o", "PreferredAuthentications=password",
		"-o", "PubkeyAuthentication=no",
		"-o", "NumberOfPasswordPrompts=1",
		"-o", "ConnectTimeout="+strconv.Itoa(int(o.ConnectTimeout.Seconds())),
		"-o", "ControlMaster=no", "-o", "ControlPath=none",
		"-o", "LogLevel=ERROR",
		"-o", "GlobalKnownHostsFile=/dev/null",
	)
	if o.KnownHosts != "" {
		args = append(args, "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile="+o.KnownHosts)
	} else {
		args = append(args, "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null")
	}
	if o.ProxyCommand != "" {
		args = append(args, "-o", "ProxyCommand="+o.ProxyCommand)
	}
	args = append(args, "-p", strconv.Itoa(o.Port), "-l", o.User, "--", o.Addr, o.Command)

	cmd := exec.CommandContext(ctx, "sshpass", args...)
	if len(o.Env) > 0 {
		cmd.Env = append(os.Environ(), o.Env...)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second
	err = cmd.Run()
	if err == nil {
		return stdout.String(), nil
	}
	msg := strings.TrimSpace(stderr.String())
	var exit *exec.ExitError
	// sshpass exits with 5 when it is asked for the password again.
	if strings.Contains(msg, "Permission denied") || errors.As(err, &exit) && exit.ExitCode() == 5 {
		return stdout.String(), fmt.Errorf("ssh %s@%s: %w: %s", o.User, o.Addr, ErrPermissionDenied, msg)
	}
	return stdout.String(), fmt.Errorf("ssh %s@%s: %v: %s", o.User, o.Addr, err, msg)
}
