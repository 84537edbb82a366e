package nixosmodule

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/nix-community/installer-console/internal/testtool"
	"github.com/nix-community/installer-console/password"
	"github.com/nix-community/installer-console/state"
	"github.com/nix-community/installer-console/tor"
)

// binary is the installer-console built from this tree by TestMain.
var binary string

func TestMain(m *testing.M) {
	var err error
	if binary, err = testtool.BuildCommand(testtool.InstallerConsole); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	testtool.MainWithBuilds(m)
}

// sourceFile is a file of the NixOS side: the modules, the tests' Python
// scripts, and the flake.
type sourceFile struct {
	name string
	text string
}

func sources(t *testing.T) []sourceFile {
	t.Helper()
	var files []sourceFile
	add := func(name string) {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, sourceFile{name, string(b)})
	}
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".nix") || strings.HasSuffix(p, ".py")) {
			add(p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	add("../flake.nix")
	if len(files) < 5 {
		t.Fatalf("found only %d Nix and Python files; is the test running in nixos-module/?", len(files))
	}
	return files
}

func readSource(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// helpPage is what `installer-console <path> --help` says about a command.
type helpPage struct {
	usage       string
	subcommands map[string]bool
	flags       map[string]bool
}

var (
	helpPages  = map[string]*helpPage{}
	flagLine   = regexp.MustCompile(`^\s+(?:-\w, )?--([a-z0-9][a-z0-9-]*)`)
	commandRow = regexp.MustCompile(`^\s+([a-z][a-z0-9-]*)\s`)
)

func help(t *testing.T, cmdPath []string) *helpPage {
	t.Helper()
	key := strings.Join(cmdPath, " ")
	if p, ok := helpPages[key]; ok {
		return p
	}
	cmd := exec.Command(binary, append(slices.Clone(cmdPath), "--help")...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("installer-console %s --help: %v\n%s", key, err, out.String())
	}
	p := &helpPage{subcommands: map[string]bool{}, flags: map[string]bool{}}
	section := ""
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasSuffix(line, ":") && !strings.HasPrefix(line, " "):
			section = line
			continue
		case section == "Usage:" && p.usage == "":
			p.usage = strings.TrimSpace(line)
		case section == "Available Commands:" || section == "Additional Commands:":
			if m := commandRow.FindStringSubmatch(line); m != nil {
				p.subcommands[m[1]] = true
			}
		case section == "Flags:" || section == "Global Flags:":
			if m := flagLine.FindStringSubmatch(line); m != nil {
				p.flags[m[1]] = true
			}
		}
	}
	// An unknown subcommand makes cobra print its parent's help; the usage
	// line tells which command answered.
	want := strings.Join(append([]string{"installer-console"}, cmdPath...), " ")
	if p.usage != want && !strings.HasPrefix(p.usage, want+" ") {
		t.Fatalf("installer-console %s --help describes %q, not that command", key, p.usage)
	}
	helpPages[key] = p
	return p
}

// specified are the subcommands the NixOS side may use (see the project's
// issues). A word after "installer-console" that is one of them must be a
// real subcommand; other words are prose.
var specified = map[string][]string{
	"":     {"password", "tor", "restore-network", "status", "preview", "wifi"},
	"wifi": {"devices", "scan", "list", "connect", "hidden", "disconnect", "known", "forget", "autoconnect"},
}

// invocation is one installer-console command line found in a source file.
type invocation struct {
	where string
	path  []string
	flags []string
}

var (
	// The program's name (or the module's ${exe}) as a word of its own,
	// also right after a quote or a parenthesis, as in succeed("installer-console ...").
	marker       = regexp.MustCompile("(?:^|[\\s\"'`(])(?:installer-console|\\$\\{exe\\})(?:[\\s\"'`);,]|$)")
	leadingJunk  = regexp.MustCompile("^[fr]?[\"'`(]+")
	trailingJunk = regexp.MustCompile("[\"'`);,.]+$")
	shellBreak   = map[string]bool{"|": true, "||": true, "&&": true, ";": true, ">": true, ">&2": true, "2>&1": true, "<": true}
)

func clean(token string) string {
	return trailingJunk.ReplaceAllString(leadingJunk.ReplaceAllString(token, ""), "")
}

// invocations finds every installer-console command line: the word
// "installer-console" or the module's ${exe}, then subcommands, then flags,
// up to the end of the line or a shell operator.
func invocations(t *testing.T, files []sourceFile) []invocation {
	t.Helper()
	var found []invocation
	for _, f := range files {
		for n, line := range strings.Split(f.text, "\n") {
			for _, loc := range marker.FindAllStringIndex(line, -1) {
				tokens := strings.Fields(line[loc[1]:])
				inv := invocation{where: fmt.Sprintf("%s:%d", f.name, n+1)}
				unknown := false
				j := 0
				for ; j < len(tokens); j++ {
					word := clean(tokens[j])
					parent := strings.Join(inv.path, " ")
					if !slices.Contains(specified[parent], word) && !help(t, inv.path).subcommands[word] {
						break
					}
					if !help(t, inv.path).subcommands[word] {
						t.Errorf("%s: installer-console %s: no such subcommand in the binary",
							inv.where, strings.Join(append(inv.path, word), " "))
						unknown = true
						break
					}
					inv.path = append(inv.path, word)
				}
				if unknown {
					continue
				}
				for ; j < len(tokens); j++ {
					if shellBreak[tokens[j]] {
						break
					}
					flag, ok := strings.CutPrefix(clean(tokens[j]), "--")
					if !ok || flag == "" {
						continue
					}
					flag, _, _ = strings.Cut(flag, "=")
					inv.flags = append(inv.flags, flag)
				}
				found = append(found, inv)
			}
		}
	}
	return found
}

// TestCommandLinesMatchTheBinary checks every installer-console command line
// in the units, the shell init and the VM tests against the binary's help:
// each subcommand exists and takes each flag given to it.
func TestCommandLinesMatchTheBinary(t *testing.T) {
	invs := invocations(t, sources(t))
	used := map[string]bool{}
	for _, inv := range invs {
		page := help(t, inv.path)
		for _, flag := range inv.flags {
			if !page.flags[flag] {
				t.Errorf("%s: installer-console %s has no flag --%s", inv.where, strings.Join(inv.path, " "), flag)
			}
		}
		used[strings.Join(inv.path, " ")] = true
	}
	// The units must run these; if the extraction stopped finding them, the
	// test would check nothing.
	for _, want := range []string{"", "password", "tor", "restore-network", "status"} {
		if !used[want] {
			t.Errorf("no command line runs installer-console %q; the units or this test's extraction changed", want)
		}
	}
}

// letValue returns the value bound to name in a Nix let block ("name = value;").
func letValue(t *testing.T, file, text, name string) string {
	t.Helper()
	re := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(name) + `\s*=\s*"?([^";]*)"?;`)
	m := re.FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("%s: no binding %s = ...;", file, name)
	}
	return m[1]
}

func letInt(t *testing.T, file, text, name string) int {
	t.Helper()
	v, err := strconv.Atoi(letValue(t, file, text, name))
	if err != nil {
		t.Fatalf("%s: %s is not a number: %v", file, name, err)
	}
	return v
}

// TestModuleAgreesWithGoConstants checks the module's paths and limits
// against the packages that own them.
func TestModuleAgreesWithGoConstants(t *testing.T) {
	const file = "installer-console.nix"
	text := readSource(t, file)

	if got := letValue(t, file, text, "stateDir"); got != state.DefaultDir {
		t.Errorf("%s: stateDir = %q, state.DefaultDir = %q", file, got, state.DefaultDir)
	}
	if got := letValue(t, file, text, "torDataDir"); got != tor.DefaultDataDir {
		t.Errorf("%s: torDataDir = %q, tor.DefaultDataDir = %q", file, got, tor.DefaultDataDir)
	}
	for name, want := range map[string]int{
		"minWords":     password.MinWords,
		"maxWords":     password.MaxWords,
		"defaultWords": password.DefaultWords,
	} {
		if got := letInt(t, file, text, name); got != want {
			t.Errorf("%s: %s = %d, the password package says %d", file, name, got, want)
		}
	}
	for _, use := range []string{"types.ints.between minWords maxWords", "default = defaultWords;"} {
		if !strings.Contains(text, use) {
			t.Errorf("%s: password.words no longer uses %q", file, use)
		}
	}

	// systemd creates the directories the Go code writes to.
	runtimeDirs := regexp.MustCompile(`RuntimeDirectory = "([^"]+)";`).FindAllStringSubmatch(text, -1)
	if len(runtimeDirs) == 0 {
		t.Errorf("%s: no RuntimeDirectory", file)
	}
	for _, m := range runtimeDirs {
		if got := path.Join("/run", m[1]); got != state.DefaultDir {
			t.Errorf("%s: RuntimeDirectory %q is %s, not state.DefaultDir %s", file, m[1], got, state.DefaultDir)
		}
	}
	stateDirs := regexp.MustCompile(`StateDirectory = "([^"]+)";`).FindAllStringSubmatch(text, -1)
	if len(stateDirs) != 1 {
		t.Fatalf("%s: want one StateDirectory (the tor unit's), found %d", file, len(stateDirs))
	}
	if base := path.Join("/var/lib", stateDirs[0][1]); !strings.HasPrefix(tor.DefaultDataDir, base+"/") {
		t.Errorf("%s: StateDirectory %s does not contain tor.DefaultDataDir %s", file, base, tor.DefaultDataDir)
	}
}

// TestStateFileNames checks every file of the state directory that the Nix
// files and VM tests name.
func TestStateFileNames(t *testing.T) {
	known := map[string]bool{state.PasswordFile: true, state.OnionHostnameFile: true, state.TorStatusFile: true}
	stateFile := regexp.MustCompile(`(?:/run/installer-console|\$\{stateDir\}|\{STATE\})/([A-Za-z0-9._-]+)`)
	stateConst := regexp.MustCompile(`STATE = "([^"]*)"`)
	seen := 0
	for _, f := range sources(t) {
		for _, m := range stateFile.FindAllStringSubmatch(f.text, -1) {
			seen++
			if !known[m[1]] {
				t.Errorf("%s: %s is not a file of the state directory (state package: %s, %s, %s)",
					f.name, m[0], state.PasswordFile, state.OnionHostnameFile, state.TorStatusFile)
			}
		}
		for _, m := range stateConst.FindAllStringSubmatch(f.text, -1) {
			if m[1] != state.DefaultDir {
				t.Errorf("%s: STATE = %q, state.DefaultDir = %q", f.name, m[1], state.DefaultDir)
			}
		}
	}
	if seen == 0 {
		t.Error("no state file is named anywhere; the VM tests should read root-password and onion-hostname")
	}
}

// TestKexecHandover checks that the image build, kexec/run and the
// installer's initrd agree on the tarball's files and on the archive that
// kexec/run appends to the initrd.
func TestKexecHandover(t *testing.T) {
	run := readSource(t, "../kexec/run")
	build := readSource(t, "kexec-installer.nix")
	handover := readSource(t, "kexec-handover.nix")

	// The files run insists on must be put into the tarball.
	m := regexp.MustCompile(`(?m)^for f in ([a-zA-Z ]+); do`).FindStringSubmatch(run)
	if m == nil {
		t.Fatal("kexec/run: no 'for f in ...; do' loop that lists the tarball's files")
	}
	for _, name := range strings.Fields(m[1]) {
		if !regexp.MustCompile(`\bkexec/` + name + `\b`).MatchString(build) {
			t.Errorf("kexec/run needs kexec/%s, which kexec-installer.nix does not put into the tarball", name)
		}
	}

	// The network dumps run saves are the ones restore-network reads.
	dumpsRun := regexp.MustCompile(`\$work/iproute2/([a-z0-9-]+\.json)`).FindAllStringSubmatch(run, -1)
	var saved []string
	for _, d := range dumpsRun {
		saved = append(saved, d[1])
	}
	saved = slices.Compact(sorted(saved))
	list := regexp.MustCompile(`(?s)dumps = map .*?\[(.*?)\];`).FindStringSubmatch(handover)
	if list == nil {
		t.Fatal("kexec-handover.nix: no dumps = map ... [ ... ]; list")
	}
	var read []string
	for _, f := range strings.Fields(list[1]) {
		read = append(read, strings.Trim(f, `"`))
	}
	read = sorted(read)
	if !slices.Equal(saved, read) {
		t.Errorf("kexec/run saves %v, the restore-network unit reads %v", saved, read)
	}

	// The archive's layout is what the initrd step copies.
	for _, member := range []string{"ssh", "iproute2", "machine-id"} {
		if !strings.Contains(run, member) {
			t.Errorf("kexec/run no longer mentions %s", member)
		}
		if !strings.Contains(handover, "/"+member) {
			t.Errorf("kexec-handover.nix does not restore /%s from the appended archive", member)
		}
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	sort.Strings(s)
	return s
}
