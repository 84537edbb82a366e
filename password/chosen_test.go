package password

import (
	"strings"
	"testing"
)

func TestCheckChosen(t *testing.T) {
	for _, tc := range []struct {
		pw      string
		wantErr string // "" means accepted
	}{
		{"", "empty"},
		{"short77", "too short: 7 characters, at least 8"},
		{"eight888", ""},
		{"ünïcødé!", ""}, // 8 characters, more bytes
		{"colon: and spaces inside", ""},
		{" leading space", "white space"},
		{"trailing space ", "white space"},
		{"tab\tinside it", "control character"},
		{"line\nbreak inside", "control character"},
		{"carriage\rreturn", "control character"},
		{"nul\x00inside it", "control character"},
		{"bad utf8 \xff\xfe here", "not valid UTF-8"},
		{strings.Repeat("x", MaxChosenBytes), ""},
		{strings.Repeat("x", MaxChosenBytes+1), "too long"},
	} {
		err := CheckChosen(tc.pw)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("CheckChosen(%q) = %v, want nil", tc.pw, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("CheckChosen(%q) = %v, want an error saying %q", tc.pw, err, tc.wantErr)
		}
	}
}

func TestReadChosen(t *testing.T) {
	for _, tc := range []struct {
		in, want, wantErr string
	}{
		{"my own secret\n", "my own secret", ""},
		{"my own secret\r\n", "my own secret", ""},
		{"my own secret", "my own secret", ""},
		{"", "", "empty"},
		{"\n", "", "empty"},
		{"short\n", "", "too short"},
		{"first line ok\nsecond line\n", "", "more than one line"},
		{strings.Repeat("y", 2000) + "\n", "", "too long"},
	} {
		got, err := ReadChosen(strings.NewReader(tc.in))
		switch {
		case tc.wantErr == "" && (err != nil || got != tc.want):
			t.Errorf("ReadChosen(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("ReadChosen(%q) = %q, %v; want an error saying %q", tc.in, got, err, tc.wantErr)
		}
	}
}
