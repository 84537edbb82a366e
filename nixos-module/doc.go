// Package nixosmodule holds no code. This directory is the NixOS side of
// installer-console (the module, the image modules and their VM tests); the
// package's tests read those Nix files and check every installer-console
// command line, flag and state path in them against the built binary and
// the Go constants, so that the units and the binary cannot drift apart.
package nixosmodule
