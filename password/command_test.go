package password_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nix-community/installer-console/internal/sshtest"
	"github.com/nix-community/installer-console/internal/testtool"
	"github.com/nix-community/installer-console/password"
	"github.com/nix-community/installer-console/state"
)

// These tests run the real installer-console binary with the real chpasswd
// inside private mount namespaces over a copy of /etc, and log in with the
// result to the real sshd using the real OpenSSH client. The host's own
// /etc/shadow is checked to be unchanged at the end of every test.

func TestMain(m *testing.M) { testtool.MainWithBuilds(m) }

// binary builds cmd/installer-console once per test run.
func binary() (string, error) { return testtool.BuildCommand(testtool.InstallerConsole) }

// env is one test's world: an /etc copy, an sshd using it, a state
// directory, and the PATH the binary runs with.
type env struct {
	t        *testing.T
	bin      string
	etc      string
	srv      *sshtest.Server
	stateDir string
	path     string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	sshtest.Require(t)
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	chpasswd := testtool.Require(t, "chpasswd", "passwd")
	hostShadow := readHostShadow(t)
	t.Cleanup(func() {
		if !bytes.Equal(readHostShadow(t), hostShadow) {
			t.Error("the host's /etc/shadow changed")
		}
	})
	etc := sshtest.NewEtc(t)
	return &env{
		t:        t,
		bin:      bin,
		etc:      etc,
		srv:      sshtest.StartSSHD(t, etc, "127.0.0.1"),
		stateDir: filepath.Join(t.TempDir(), "state"), // created by the command
		path:     filepath.Dir(chpasswd) + ":/usr/sbin:/usr/bin:/sbin:/bin",
	}
}

func readHostShadow(t *testing.T) []byte {
	data, err := os.ReadFile("/etc/shadow")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

type result struct {
	stdout, stderr string
	err            error
}

// run runs `installer-console password ARGS --state-dir DIR` in a namespace
// over the /etc copy, with stdin as its standard input.
func (e *env) run(stdin string, args ...string) result {
	e.t.Helper()
	return e.runCmd(exec.Command(e.bin, e.args(args...)...), stdin)
}

func (e *env) args(args ...string) []string {
	return append(append([]string{"password"}, args...), "--state-dir", e.stateDir)
}

func (e *env) runCmd(cmd *exec.Cmd, stdin string) result {
	e.t.Helper()
	cmd = sshtest.InEtcNamespace(e.etc, cmd)
	cmd.Env = append(os.Environ(), "PATH="+e.path)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		return result{err: err}
	}
	// A bound on a hung run, not a synchronisation.
	timer := time.AfterFunc(2*time.Minute, func() { cmd.Process.Kill() })
	err := cmd.Wait()
	timer.Stop()
	return result{stdout.String(), stderr.String(), err}
}

// mustRun runs the command and fails the test unless it succeeded.
func (e *env) mustRun(stdin string, args ...string) result {
	e.t.Helper()
	r := e.run(stdin, args...)
	if r.err != nil {
		e.t.Fatalf("password %v: %v\nstdout: %s\nstderr: %s", args, r.err, r.stdout, r.stderr)
	}
	return r
}

// mustFail runs the command and fails the test unless it exited non-zero
// with stderr containing want.
func (e *env) mustFail(stdin, want string, args ...string) result {
	e.t.Helper()
	r := e.run(stdin, args...)
	var exit *exec.ExitError
	if !errors.As(r.err, &exit) {
		e.t.Fatalf("password %v: got %v, want a non-zero exit\nstdout: %s\nstderr: %s", args, r.err, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, want) {
		e.t.Fatalf("password %v: stderr %q does not say %q", args, r.stderr, want)
	}
	return r
}

func (e *env) recorded() string {
	e.t.Helper()
	pw, err := state.New(e.stateDir).ReadPassword()
	if err != nil {
		e.t.Fatalf("reading the recorded password: %v", err)
	}
	return pw
}

// stateFile returns the raw state file, "" when there is none.
func (e *env) stateFile() string {
	e.t.Helper()
	data, err := os.ReadFile(state.New(e.stateDir).PasswordPath())
	if errors.Is(err, fs.ErrNotExist) {
		return ""
	}
	if err != nil {
		e.t.Fatal(err)
	}
	return string(data)
}

func (e *env) copyShadow() string {
	e.t.Helper()
	data, err := os.ReadFile(filepath.Join(e.etc, "shadow"))
	if err != nil {
		e.t.Fatal(err)
	}
	return string(data)
}

// loginWorks fails the test unless root logs in over SSH with pw.
func (e *env) loginWorks(pw string) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := sshtest.SSH(ctx, sshtest.Options{Addr: e.srv.Addr, Port: e.srv.Port, Password: pw, Command: "id -un"})
	if err != nil {
		e.t.Fatalf("ssh root@%s:%d with the password: %v", e.srv.Addr, e.srv.Port, err)
	}
	if out != "root\n" {
		e.t.Fatalf("ssh ran `id -un` and printed %q, want root", out)
	}
}

// loginFails fails the test unless sshd refuses pw.
func (e *env) loginFails(pw string) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := sshtest.SSH(ctx, sshtest.Options{Addr: e.srv.Addr, Port: e.srv.Port, Password: pw, Command: "id -un"})
	if !errors.Is(err, sshtest.ErrPermissionDenied) {
		e.t.Fatalf("ssh with a password that must not work: got %v, want permission denied", err)
	}
}

var fourWords = regexp.MustCompile(`^[a-z]+-[a-z]+-[a-z]+-[a-z]+$`)

func TestGeneratedPasswordLogsInOverSSH(t *testing.T) {
	e := newEnv(t)

	r := e.mustRun("")
	pw := e.recorded()
	if !fourWords.MatchString(pw) {
		t.Fatalf("generated password %q is not four lowercase words joined by -", pw)
	}
	if strings.Contains(r.stdout+r.stderr, pw) {
		t.Fatalf("the command printed the password: %q %q", r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "4 random words, 51.7 bits") {
		t.Errorf("stdout %q does not report the strength", r.stdout)
	}
	info, err := os.Stat(state.New(e.stateDir).PasswordPath())
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v, want 0600", info.Mode().Perm())
	}

	e.loginWorks(pw)
	e.loginFails(pw + "x")
	e.loginFails(strings.ToUpper(pw))

	// Again without --regenerate: same password, and chpasswd did not run
	// (the shadow file of the copy is byte for byte the same).
	shadow := e.copyShadow()
	r = e.mustRun("")
	if !strings.Contains(r.stdout, "kept") {
		t.Errorf("second run says %q, want that it kept the password", r.stdout)
	}
	if got := e.recorded(); got != pw {
		t.Fatalf("second run changed the recorded password from %q to %q", pw, got)
	}
	if e.copyShadow() != shadow {
		t.Fatal("second run changed /etc/shadow")
	}
	e.loginWorks(pw)

	// --regenerate: the old password stops working, the new one works.
	e.mustRun("", "--regenerate", "--words", "6")
	newPw := e.recorded()
	if newPw == pw || len(strings.Split(newPw, "-")) != 6 {
		t.Fatalf("after --regenerate --words 6 the password is %q (was %q)", newPw, pw)
	}
	e.loginFails(pw)
	e.loginWorks(newPw)
}

func TestSetFromStdin(t *testing.T) {
	e := newEnv(t)
	e.mustRun("")
	generated := e.stateFile()

	for _, tc := range []struct{ stdin, want string }{
		{"", "the password is empty"},
		{"\n", "the password is empty"},
		{"seven77\n", "too short: 7 characters, at least 8"},
		{"good enough\nsecond line\n", "more than one line"},
		{"tab\tin the middle\n", "control character"},
	} {
		e.mustFail(tc.stdin, tc.want, "--set-from-stdin")
		if e.stateFile() != generated {
			t.Fatalf("a rejected password (%q) changed the state file", tc.stdin)
		}
	}
	e.mustFail("", "--words: a passphrase has 3 to 20 words, not 2", "--regenerate", "--words", "2")
	e.mustFail("", "if any flags in the group [set-from-stdin regenerate] are set none of the others can be", "--set-from-stdin", "--regenerate")
	e.loginWorks(strings.TrimSpace(generated))

	chosen := "Correct: horse battery staple!"
	r := e.mustRun(chosen+"\n", "--set-from-stdin")
	if strings.Contains(r.stdout+r.stderr, chosen) {
		t.Fatalf("the command printed the password: %q %q", r.stdout, r.stderr)
	}
	if got := e.recorded(); got != chosen {
		t.Fatalf("recorded %q, want %q", got, chosen)
	}
	e.loginWorks(chosen)
	e.loginFails(strings.TrimSpace(generated))
}

// When chpasswd is missing or fails, the command exits non-zero, says why,
// and the state file keeps naming the password that still works.
func TestChpasswdMissingOrFailing(t *testing.T) {
	e := newEnv(t)
	realPath := e.path

	// Missing, before any password was set: no state file appears.
	e.path = t.TempDir()
	e.mustFail("", "chpasswd not found in PATH")
	if got := e.stateFile(); got != "" {
		t.Fatalf("state file %q written although chpasswd is missing", got)
	}

	e.path = realPath
	e.mustRun("")
	old := e.stateFile()

	stubDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(stubDir, "chpasswd"),
		[]byte("#!/bin/sh\ncat >/dev/null\necho 'chpasswd: stub refuses' >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	readOnlyEtc := func(args ...string) *exec.Cmd {
		// The real chpasswd, with /etc (the copy, in this namespace only)
		// read-only, so it cannot write the shadow file.
		return exec.Command("sh", append([]string{"-c", `mount -o remount,bind,ro /etc && exec "$@"`, "sh", e.bin}, e.args(args...)...)...)
	}
	for _, tc := range []struct {
		name, path, want string
		cmd              func(...string) *exec.Cmd
	}{
		{"missing", t.TempDir(), "chpasswd not found in PATH", nil},
		{"stub failing", stubDir + ":" + realPath, "chpasswd: stub refuses", nil},
		{"read-only /etc", realPath, "chpasswd failed for user root", readOnlyEtc},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parent := e.t
			e.t = t
			defer func() { e.t = parent }()
			e.path = tc.path
			defer func() { e.path = realPath }()
			for _, args := range [][]string{{"--regenerate"}, {"--set-from-stdin"}} {
				var r result
				if tc.cmd != nil {
					r = e.runCmd(tc.cmd(args...), "a chosen password\n")
				} else {
					r = e.run("a chosen password\n", args...)
				}
				var exit *exec.ExitError
				if !errors.As(r.err, &exit) || !strings.Contains(r.stderr, tc.want) || !strings.Contains(r.stderr, "the password of root was not changed") {
					t.Fatalf("password %v: got %v, stderr %q; want a non-zero exit saying %q", args, r.err, r.stderr, tc.want)
				}
				if got := e.stateFile(); got != old {
					t.Fatalf("state file changed from %q to %q after a failure", old, got)
				}
			}
			e.loginWorks(strings.TrimSpace(old))
		})
	}
}

// Nothing another process can read in /proc holds the password: while the
// command waits for chpasswd, a wrapper standing in front of the real
// chpasswd records the command line and environment of every process on
// the machine, including its own and its parent's.
func TestPasswordNotInAnyArgvOrEnvironment(t *testing.T) {
	e := newEnv(t)
	realChpasswd, err := exec.LookPath("chpasswd")
	if err != nil {
		t.Fatal(err)
	}
	wrapperDir, recordDir := t.TempDir(), t.TempDir()
	wrapper := `#!/bin/sh
for p in /proc/[0-9]*; do
	cat "$p/cmdline" "$p/environ" 2>/dev/null || true
	echo
done >"` + recordDir + `/procs"
cat /proc/$$/cmdline /proc/$$/environ /proc/$PPID/cmdline /proc/$PPID/environ >"` + recordDir + `/self-and-parent"
exec ` + realChpasswd + "\n"
	if err := os.WriteFile(filepath.Join(wrapperDir, "chpasswd"), []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	realPath := e.path
	e.path = wrapperDir + ":" + realPath

	for _, tc := range []struct {
		stdin string
		args  []string
	}{
		{"", nil},
		{"", []string{"--regenerate"}},
		{"chosen secret words\n", []string{"--set-from-stdin"}},
	} {
		os.Remove(filepath.Join(recordDir, "procs"))
		r := e.mustRun(tc.stdin, tc.args...)
		pw := e.recorded()
		procs, err := os.ReadFile(filepath.Join(recordDir, "procs"))
		if err != nil {
			t.Fatalf("password %v: the wrapper did not run: %v", tc.args, err)
		}
		selfAndParent, err := os.ReadFile(filepath.Join(recordDir, "self-and-parent"))
		if err != nil {
			t.Fatal(err)
		}
		// The records are real: they hold the wrapper and the command.
		for _, want := range []string{filepath.Join(wrapperDir, "chpasswd"), e.bin + "\x00password"} {
			if !bytes.Contains(procs, []byte(want)) || !bytes.Contains(selfAndParent, []byte(want)) {
				t.Fatalf("the records lack %q; they prove nothing", want)
			}
		}
		for name, data := range map[string][]byte{"process list": procs, "wrapper and parent": selfAndParent,
			"stdout": []byte(r.stdout), "stderr": []byte(r.stderr)} {
			if bytes.Contains(data, []byte(pw)) {
				t.Errorf("password %v: the %s holds the password", tc.args, name)
			}
		}
		// The wrapper passed standard input through to the real chpasswd.
		e.loginWorks(pw)
	}
}

// The help states the entropy of the passphrases.
func TestHelpShowsEntropy(t *testing.T) {
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "password", "--help").CombinedOutput()
	if err != nil {
		t.Fatalf("password --help: %v: %s", err, out)
	}
	for _, want := range []string{"4 words: 51.7 bits (default)", "3 words: 38.8 bits", "--words int", "--regenerate", "--set-from-stdin"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("help lacks %q:\n%s", want, out)
		}
	}
	if password.EntropyBits(password.DefaultWords) < 50 {
		t.Error("default passphrase below 50 bits")
	}
}
