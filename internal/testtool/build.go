package testtool

import (
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

// InstallerConsole is the import path of the binary most tests run.
const InstallerConsole = "github.com/nix-community/installer-console/cmd/installer-console"

// builds holds the Go commands compiled for this test process, so that
// each is built once however many tests run it as a separate process.
var builds struct {
	sync.Mutex
	dir   string
	paths map[string]string
}

// BuildCommand compiles the Go command pkg (an import path) once per test
// process and returns the binary's path. The binaries share one temp
// directory (0755, so a test may run them as another user); RemoveBuilds
// deletes it.
func BuildCommand(pkg string) (string, error) {
	builds.Lock()
	defer builds.Unlock()
	if p, ok := builds.paths[pkg]; ok {
		return p, nil
	}
	if builds.dir == "" {
		dir, err := os.MkdirTemp("", "installer-console-test-bin-")
		if err != nil {
			return "", err
		}
		if err := os.Chmod(dir, 0o755); err != nil {
			return "", err
		}
		builds.dir, builds.paths = dir, map[string]string{}
	}
	bin := filepath.Join(builds.dir, path.Base(pkg))
	// The go tool that runs these tests, even when PATH lacks it.
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goTool); err != nil {
		goTool = "go"
	}
	if out, err := exec.Command(goTool, "build", "-o", bin, pkg).CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %v: %s", pkg, err, out)
	}
	builds.paths[pkg] = bin
	return bin, nil
}

// Build is BuildCommand for one test: a build failure fails the test.
func Build(t testing.TB, pkg string) string {
	t.Helper()
	bin, err := BuildCommand(pkg)
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// RemoveBuilds deletes the binaries; call it from TestMain after m.Run.
func RemoveBuilds() {
	builds.Lock()
	defer builds.Unlock()
	if builds.dir != "" {
		os.RemoveAll(builds.dir)
		builds.dir, builds.paths = "", nil
	}
}

// MainWithBuilds runs the tests of a package whose tests build commands,
// and removes the binaries afterwards. Use it as
// func TestMain(m *testing.M) { testtool.MainWithBuilds(m) }.
func MainWithBuilds(m *testing.M) {
	code := m.Run()
	RemoveBuilds()
	os.Exit(code)
}
