package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// docFiles are the documents that tell people which commands to type.
func docFiles(t *testing.T) []string {
	t.Helper()
	files := []string{"../../README.md"}
	more, _ := filepath.Glob("../../docs/*.md")
	files = append(files, more...)
	modules, _ := filepath.Glob("../../nixos-module/*.md")
	return append(files, modules...)
}

var (
	fencedBlock = regexp.MustCompile("(?s)```[a-z]*\n(.*?)```")
	inlineCode  = regexp.MustCompile("`([^`\n]+)`")
	// A command word: not part of a path (/run/installer-console) or of a
	// longer name (installer-console-preview).
	commandWord = regexp.MustCompile(`(^|[\s$(;|&"'=]|bin/)installer-console([^-/.\w]|$)`)
)

// docCommands returns every installer-console command line in the code of
// a Markdown text, as the words after "installer-console".
func docCommands(text string) [][]string {
	var code []string
	for _, m := range fencedBlock.FindAllStringSubmatch(text, -1) {
		code = append(code, strings.Split(m[1], "\n")...)
	}
	for _, m := range inlineCode.FindAllStringSubmatch(fencedBlock.ReplaceAllString(text, ""), -1) {
		code = append(code, m[1])
	}
	var cmds [][]string
	for _, line := range code {
		for _, loc := range commandWord.FindAllStringSubmatchIndex(line, -1) {
			rest := line[loc[5]:]
			if loc[4] < loc[5] { // the character after the name belongs to the rest
				rest = line[loc[4]:]
			}
			cmds = append(cmds, commandWords(rest))
		}
	}
	return cmds
}

// commandWords splits a shell command tail into words, stopping at the end
// of the command (a pipe, a redirection, a comment...).
func commandWords(s string) []string {
	var words []string
	for _, w := range strings.Fields(s) {
		if strings.ContainsAny(w[:1], "|&;><#)`") {
			break
		}
		words = append(words, strings.Trim(w, `"'`))
	}
	return words
}

// checkDocCommand finds the subcommand the words name and checks that every
// flag they use exists there.
func checkDocCommand(root *cobra.Command, words []string) (path []string, problem string) {
	cmd, rest, err := root.Find(words)
	if err != nil {
		return nil, err.Error()
	}
	path = strings.Fields(strings.TrimPrefix(cmd.CommandPath(), root.Name()))
	for i, w := range rest {
		if strings.HasPrefix(w, "--") {
			name, _, _ := strings.Cut(strings.TrimPrefix(w, "--"), "=")
			if name == "" {
				break // "--" ends the flags
			}
			if cmd.Flags().Lookup(name) == nil && cmd.InheritedFlags().Lookup(name) == nil && name != "help" && name != "version" {
				return path, "no flag --" + name
			}
			continue
		}
		if strings.HasPrefix(w, "-") || i > 0 {
			continue
		}
		// The first word after the command: with subcommands, it must be one.
		if cmd.HasAvailableSubCommands() && !isPlaceholder(w) {
			return path, "no subcommand " + w
		}
	}
	return path, ""
}

// isPlaceholder is a word that stands for something the reader fills in.
func isPlaceholder(w string) bool {
	return strings.ToUpper(w) == w || strings.ContainsAny(w[:1], "<[") || strings.Contains(w, "…")
}

func TestDocsNameOnlyRealCommandsAndFlags(t *testing.T) {
	seen := map[string]bool{}
	total := 0
	for _, f := range docFiles(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, words := range docCommands(string(data)) {
			total++
			path, problem := checkDocCommand(newRootCommand(), words)
			if problem != "" {
				t.Errorf("%s: installer-console %s: %s", f, strings.Join(words, " "), problem)
				continue
			}
			key := strings.Join(path, " ")
			if seen[key] {
				continue
			}
			seen[key] = true
			// And the real binary agrees that the command exists.
			out, err := exec.Command(binaryPath, append(path, "--help")...).CombinedOutput()
			if err != nil {
				t.Errorf("%s: installer-console %s --help: %v\n%s", f, key, err, out)
			}
		}
	}
	if total == 0 {
		t.Fatal("found no installer-console command in the docs; is the extraction broken?")
	}
}

func TestDocCommandExtraction(t *testing.T) {
	text := "Run `installer-console status --json | jq .`, not /run/installer-console.\n" +
		"```sh\nsudo installer-console wifi connect MyNet --passphrase-file pw.txt\n```\n"
	got := docCommands(text)
	// Fenced blocks come first, then inline code.
	if len(got) != 2 || strings.Join(got[1], " ") != "status --json" ||
		strings.Join(got[0], " ") != "wifi connect MyNet --passphrase-file pw.txt" {
		t.Fatalf("docCommands = %q", got)
	}
	root := newRootCommand()
	if _, p := checkDocCommand(root, []string{"status", "--no-such"}); p != "no flag --no-such" {
		t.Errorf("unknown flag: problem %q", p)
	}
	if _, p := checkDocCommand(newRootCommand(), []string{"status", "--qr-png", "x.png"}); p != "" {
		t.Errorf("good command: problem %q", p)
	}
}
