// Package sshtest lets tests log in over SSH for real without touching this
// machine's accounts: it copies /etc to a temp dir, runs commands (the real
// chpasswd, the real Debian sshd) in private mount namespaces where that copy
// is bound over /etc, and runs the real OpenSSH client (through sshpass)
// against them.
package sshtest

import (
	"bytes"
	"crypto/sha256"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nix-community/installer-console/internal/testtool"
)

// copyMarker is created in every copy of /etc. The namespace wrapper refuses
// to run anything unless it sees it under /etc, so a failed bind mount can
// never let a command change the real /etc.
const copyMarker = ".sshtest-etc-copy"

// Require skips the test (fails it under CI) unless it runs as root and the
// programs the package drives are installed.
func Require(t testing.TB) {
	t.Helper()
	testtool.RequireRoot(t)
	testtool.Require(t, "sshd", "openssh-server")
	testtool.Require(t, "ssh", "openssh-client")
	testtool.Require(t, "ssh-keygen", "openssh-client")
	testtool.Require(t, "sshpass", "sshpass")
	testtool.Require(t, "unshare", "util-linux")
	testtool.Require(t, "mount", "mount")
	testtool.Require(t, "chpasswd", "passwd")
}

// NewEtc returns a throwaway copy of /etc (all of it, about half a second:
// the dynamic linker cache, PAM, NSS and login.defs all matter to chpasswd
// and sshd). It is removed at cleanup.
//
// As a safety net it also fails the test if the host's /etc/shadow or
// /etc/passwd changed while the test ran.
func NewEtc(t testing.TB) string {
	t.Helper()
	Require(t)
	dir := filepath.Join(t.TempDir(), "etc")
	if out, err := exec.Command("cp", "-a", "/etc", dir).CombinedOutput(); err != nil {
		t.Fatalf("copying /etc: %v: %s", err, out)
	}
	if err := os.WriteFile(filepath.Join(dir, copyMarker), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	guardHostFile(t, "/etc/shadow")
	guardHostFile(t, "/etc/passwd")
	return dir
}

func guardHostFile(t testing.TB, path string) {
	t.Helper()
	before := fileHash(t, path)
	t.Cleanup(func() {
		if !bytes.Equal(fileHash(t, path), before) {
			t.Errorf("the host's %s changed while the test ran", path)
		}
	})
}

func fileHash(t testing.TB, path string) []byte {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("reading %s: %v", path, err)
		return nil
	}
	sum := sha256.Sum256(data)
	return sum[:]
}

// namespaceScript runs in the new mount namespace: bind the /etc copy, check
// that it worked, optionally put a tmpfs on /run with /run/sshd (sshd's
// privilege separation directory), then exec the command.
const namespaceScript = `set -e
mount=$1 mkdir=$2 etc=$3 run=$4
shift 4
"$mount" --bind "$etc" /etc
if [ ! -e /etc/` + copyMarker + ` ]; then
	echo "sshtest: /etc is not the copy after bind-mounting $etc; not running $1" >&2
	exit 125
fi
if [ "$run" = fresh ]; then
	"$mount" -t tmpfs -o mode=0755 sshtest-run /run
	"$mkdir" -m 0755 /run/sshd
fi
exec "$@"
`

// InEtcNamespace rewrites cmd so that it runs in a new private mount
// namespace (unshare -m --propagation private) in which etcDir, a copy made
// by NewEtc, is bound over /etc. It returns cmd, to be started as usual; the
// process started is the command itself (unshare and the shell exec it), so
// signals and exit status are its own. Arguments, environment, directory and
// standard streams are kept.
//
// The whole directory is bound, not single files: chpasswd replaces
// /etc/shadow by renaming over it, which fails on a mount point. Namespaces
// that bind the same copy share its files, so a password set in one is seen
// by an sshd in another.
func InEtcNamespace(etcDir string, cmd *exec.Cmd) *exec.Cmd {
	return inNamespace(etcDir, cmd, false)
}

// EtcCommand is exec.Command(name, args...) made to run in a private mount
// namespace over etcDir, as InEtcNamespace.
func EtcCommand(etcDir, name string, args ...string) *exec.Cmd {
	return InEtcNamespace(etcDir, exec.Command(name, args...))
}

func inNamespace(etcDir string, cmd *exec.Cmd, freshRun bool) *exec.Cmd {
	if cmd.Err != nil {
		return cmd
	}
	// Absolute paths throughout: cmd.Env may carry a PATH without them.
	tools := map[string]string{"unshare": "", "sh": "", "mount": "", "mkdir": ""}
	for name := range tools {
		p, err := exec.LookPath(name)
		if err != nil {
			cmd.Err = err
			return cmd
		}
		if p, err = filepath.Abs(p); err != nil {
			cmd.Err = err
			return cmd
		}
		tools[name] = p
	}
	run := "keep"
	if freshRun {
		run = "fresh"
	}
	args := []string{"unshare", "--mount", "--propagation", "private", "--",
		tools["sh"], "-c", namespaceScript, "sshtest-ns",
		tools["mount"], tools["mkdir"], etcDir, run, cmd.Path}
	args = append(args, cmd.Args[1:]...)
	cmd.Path = tools["unshare"]
	cmd.Args = args
	return cmd
}

// SetPassword sets user's password in the /etc copy with the real chpasswd,
// the password on its standard input.
func SetPassword(t testing.TB, etcDir, user, password string) {
	t.Helper()
	cmd := EtcCommand(etcDir, "chpasswd")
	cmd.Stdin = strings.NewReader(user + ":" + password + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chpasswd for %s in %s: %v: %s", user, etcDir, err, out)
	}
}
