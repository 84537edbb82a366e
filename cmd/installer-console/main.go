// Command installer-console is the console app and the boot services of the
// NixOS installer images: the TUI, the root password, the Tor onion service,
// WiFi through iwd, and the network restore after kexec.
package main

import (
	"fmt"
	"os"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	if err := newRootCommand().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "installer-console:", err)
		os.Exit(1)
	}
}
