package main

import (
	"bytes"
	"fmt"
	"os"

	"golang.org/x/term"

	"github.com/nix-community/installer-console/internal/atomicfile"
	"github.com/nix-community/installer-console/login"
	"github.com/nix-community/installer-console/qr"
	"github.com/nix-community/installer-console/tui"
)

func loginCode(info login.Info) (*qr.Code, error) {
	code, err := qr.NewPayload(info.Password, info.Onion, info.Addrs()).Code()
	if err != nil {
		return nil, fmt.Errorf("QR code: %w", err)
	}
	return code, nil
}

// qrLines draws the login QR code for this output: half blocks on a UTF-8
// terminal (the console's rule, tui.UTF8Terminal), reverse-video spaces on a terminal without UTF-8 (a "#" lights too
// little of its cell to scan), "##" into pipes and files; without colour
// when NO_COLOR is set or the output is not a terminal, so a copied code
// keeps the console's own polarity.
func qrLines(info login.Info) ([]string, error) {
	code, err := loginCode(info)
	if err != nil {
		return nil, err
	}
	utf8 := tui.UTF8Terminal(os.Getenv)
	switch {
	case !utf8 && term.IsTerminal(int(os.Stdout.Fd())):
		return code.ASCIIReverse(), nil
	case !utf8:
		return code.ASCII(), nil
	case os.Getenv("NO_COLOR") != "" || !term.IsTerminal(int(os.Stdout.Fd())):
		return code.Terminal(), nil
	}
	return code.TerminalColor(), nil
}

func writeQRPNG(path string, info login.Info) error {
	code, err := loginCode(info)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := code.WritePNG(&buf, 8); err != nil {
		return fmt.Errorf("QR code PNG: %w", err)
	}
	return atomicfile.Write(path, buf.Bytes(), 0o644)
}
