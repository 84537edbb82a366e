package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/nix-community/installer-console/internal/atomicfile"
	"github.com/nix-community/installer-console/login"
	"github.com/nix-community/installer-console/qr"
)

func loginCode(info login.Info) (*qr.Code, error) {
	code, err := qr.NewPayload(info.Password, info.Onion, info.Addrs()).Code()
	if err != nil {
		return nil, fmt.Errorf("QR code: %w", err)
	}
	return code, nil
}

// qrLines draws the login QR code for this output: half blocks on a UTF-8
// locale, reverse-video spaces on a terminal without UTF-8 (a "#" lights too
// little of its cell to scan), "##" into pipes and files; without colour
// when NO_COLOR is set or the output is not a terminal, so a copied code
// keeps the console's own polarity.
func qrLines(info login.Info) ([]string, error) {
	code, err := loginCode(info)
	if err != nil {
		return nil, err
	}
	switch {
	case !utf8Locale() && isTerminal(os.Stdout):
		return code.ASCIIReverse(), nil
	case !utf8Locale():
		return code.ASCII(), nil
	case os.Getenv("NO_COLOR") != "" || !isTerminal(os.Stdout):
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

// utf8Locale reports whether the locale (LC_ALL, then LC_CTYPE, then LANG,
// as setlocale reads them) asks for UTF-8. The NixOS console sets
// LANG=C.UTF-8 or en_US.UTF-8; a bare "C" or unset locale means ASCII.
func utf8Locale() bool {
	for _, v := range []string{"LC_ALL", "LC_CTYPE", "LANG"} {
		if s := os.Getenv(v); s != "" {
			s = strings.ToLower(s)
			return strings.Contains(s, "utf-8") || strings.Contains(s, "utf8")
		}
	}
	return false
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
