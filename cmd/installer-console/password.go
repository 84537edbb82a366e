package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/nix-community/installer-console/password"
)

func init() { register(newPasswordCommand) }

func newPasswordCommand(g *globalOptions) *cobra.Command {
	var (
		words      int
		regenerate bool
		fromStdin  bool
	)
	cmd := &cobra.Command{
		Use:   "password",
		Short: "Give root a fresh random password for this boot",
		Long: fmt.Sprintf(`password gives root a passphrase of random words for logging in over SSH,
sets it with chpasswd and records it in the state directory (mode 0600) for
the console and the QR code. It runs once per boot, before sshd.

If this boot already has a password it is kept; --regenerate makes a new one
and --set-from-stdin sets one of your own. When chpasswd is missing or fails
the command exits non-zero and the recorded password stays the valid one.
The password is never printed.

Words are drawn with crypto/rand from the EFF large word list (%d words,
%.1f bits each) and joined by %q:
%s`, password.ListSize, password.EntropyBits(1), password.Separator, entropyTable()),
		Example: `  installer-console password
  installer-console password --regenerate --words 6
  echo 'my own secret' | installer-console password --set-from-stdin`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			req := password.Request{
				State:      g.state(),
				Words:      words,
				Regenerate: regenerate,
			}
			if err := password.CheckWords(words); err != nil {
				return fmt.Errorf("--words: %w", err)
			}
			if fromStdin {
				pw, err := readChosen(cmd)
				if err != nil {
					return err
				}
				req.Chosen = pw
			}
			res, err := password.Apply(cmd.Context(), req)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			switch {
			case res.Kept:
				fmt.Fprintf(out, "root already has this boot's password (in %s); kept it, --regenerate makes a new one\n",
					req.State.PasswordPath())
			case res.Generated:
				fmt.Fprintf(out, "root password set: %d random words, %.1f bits; recorded in %s\n",
					words, password.EntropyBits(words), req.State.PasswordPath())
			default:
				fmt.Fprintf(out, "root password set to the one given; recorded in %s\n", req.State.PasswordPath())
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&words, "words", password.DefaultWords,
		fmt.Sprintf("number of words, %d to %d (%.1f bits each)", password.MinWords, password.MaxWords, password.EntropyBits(1)))
	f.BoolVar(&regenerate, "regenerate", false, "replace this boot's password with a new one")
	f.BoolVar(&fromStdin, "set-from-stdin", false,
		fmt.Sprintf("set a password of your own, read as one line from standard input (at least %d characters; asked twice without echo on a terminal)", password.MinChosenLength))
	cmd.MarkFlagsMutuallyExclusive("set-from-stdin", "words")
	cmd.MarkFlagsMutuallyExclusive("set-from-stdin", "regenerate")
	return cmd
}

func readChosen(cmd *cobra.Command) (string, error) {
	if in, ok := cmd.InOrStdin().(*os.File); ok && term.IsTerminal(int(in.Fd())) {
		return password.ReadChosenFromTerminal(in, cmd.ErrOrStderr())
	}
	return password.ReadChosen(cmd.InOrStdin())
}

// entropyTable lists the entropy of a few passphrase lengths for the help.
func entropyTable() string {
	var b strings.Builder
	for n := password.MinWords; n <= password.DefaultWords+3; n++ {
		note := ""
		if n == password.DefaultWords {
			note = " (default)"
		}
		fmt.Fprintf(&b, "  %d words: %.1f bits%s\n", n, password.EntropyBits(n), note)
	}
	return strings.TrimSuffix(b.String(), "\n")
}
