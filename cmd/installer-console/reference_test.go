package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

var updateReference = flag.Bool("update-reference", false, "rewrite the generated command reference in docs/reference.md")

const (
	referenceFile  = "../../docs/reference.md"
	referenceBegin = "<!-- BEGIN generated command reference: go test ./cmd/installer-console -run Reference -update-reference -->"
	referenceEnd   = "<!-- END generated command reference -->"
)

// commandReference renders every command's usage, description and flags,
// from the same cobra tree the binary runs.
func commandReference(root *cobra.Command) string {
	var b strings.Builder
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden || c.Name() == "help" {
			return
		}
		fmt.Fprintf(&b, "### `%s`\n\n", c.CommandPath())
		desc := c.Long
		if desc == "" {
			desc = c.Short
		}
		fmt.Fprintf(&b, "%s\n\n", strings.TrimSpace(desc))
		fmt.Fprintf(&b, "```\nUsage: %s\n", c.UseLine())
		if c.HasAvailableSubCommands() {
			fmt.Fprintf(&b, "       %s [command]\n", c.CommandPath())
		}
		if flags := strings.TrimRight(c.LocalNonPersistentFlags().FlagUsages(), "\n"); flags != "" {
			fmt.Fprintf(&b, "\nFlags:\n%s\n", flags)
		}
		if flags := strings.TrimRight(c.PersistentFlags().FlagUsages(), "\n"); flags != "" && c.HasSubCommands() {
			fmt.Fprintf(&b, "\nFlags for this command and its subcommands:\n%s\n", flags)
		}
		if c.Example != "" {
			fmt.Fprintf(&b, "\nExamples:\n%s\n", strings.TrimRight(c.Example, "\n"))
		}
		fmt.Fprintf(&b, "```\n\n")
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return strings.TrimRight(b.String(), "\n") + "\n"
}

// TestReferenceMatchesCommands keeps docs/reference.md's command section
// equal to what the binary really offers.
func TestReferenceMatchesCommands(t *testing.T) {
	data, err := os.ReadFile(referenceFile)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	begin, end := strings.Index(doc, referenceBegin), strings.Index(doc, referenceEnd)
	if begin < 0 || end < begin {
		t.Fatalf("%s: markers %q and %q not found", referenceFile, referenceBegin, referenceEnd)
	}
	want := commandReference(newRootCommand())
	got := doc[begin+len(referenceBegin)+1 : end]
	if got == want {
		return
	}
	if *updateReference {
		doc = doc[:begin+len(referenceBegin)] + "\n" + want + doc[end:]
		if err := os.WriteFile(referenceFile, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s is out of date with the commands; run: go test ./cmd/installer-console -run Reference -update-reference", referenceFile)
}
