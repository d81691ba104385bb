package inventory

import (
	"strings"
	"testing"
)

// secretPEM stands for a file of the CI runner that a pull request could
// point the inventory at.
const secretPEM = "-----BEGIN EC PRIV" + "ATE KEY-----\nMHcCAQEEIBJ2secretKEYmaterial0123456789abcdefghijklmnop\n-----END EC PRIV" + "ATE KEY-----\n"

// TestValuesQuotedShort: a key file given as the inventory (regular, by
// mistake) yields errors that quote a short, sanitized prefix of it, never
// the key; the same for every message that quotes a value.
func TestValuesQuotedShort(t *testing.T) {
	long := "pdu-" + strings.Repeat("x", 200) + "SECRETTAIL"
	cases := []struct {
		name, src string
		want      []string
	}{
		{"a key file", secretPEM, []string{`not "-----BEGIN EC PRIV` + `ATE KEY----- MHcCAQEEI…"`}},
		{"a KEY=VALUE file", "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEYSECRETTAIL\n", []string{`"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MD…"`}},
		{"an unknown key", "version: 1\n" + long + ": 1\n", []string{`unknown key "pdu-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…"`}},
		{"an unknown enum", "version: 1\ndevices: [{id: d, kind: " + long + ", rack: r}]\n", []string{`unknown kind "pdu-xxxx`}},
		{"a dangling reference", "version: 1\nsites: [{id: s}]\nracks: [{id: r, site: " + long + "}]\n", []string{`unknown site "pdu-xxx`}},
		{"a long anchor name", "version: 1\nsites: *" + strings.Repeat("A", 300) + "SECRETTAIL\n", []string{"YAML syntax: unknown anchor 'AAAA"}},
		{"control and bidi characters", "version: 1\nsites: [{id: \"a\\e]0;pwned\\a\\u202eb\\nc\"}]\n", []string{`invalid id "ab c"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("inventory.yaml", []byte(tc.src), Options{})
			if err == nil {
				t.Fatal("parsed")
			}
			msg := err.Error()
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error lacks %s\n%s", w, msg)
				}
			}
			for _, leak := range []string{"SECRETTAIL", "END EC", "pwned", "\x1b", "\u202e"} {
				if strings.Contains(msg, leak) {
					t.Errorf("error holds %q\n%s", leak, msg)
				}
			}
		})
	}
}

// TestDiagnosticLine: a diagnostic prints as one line that never starts a
// CI runner's workflow command, whatever its file is called.
func TestDiagnosticLine(t *testing.T) {
	_, err := Parse("::error::x\n.yaml", []byte("version: 2\n"), Options{})
	if err == nil {
		t.Fatal("parsed")
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		if strings.HasPrefix(strings.TrimLeft(line, " "), "::") {
			t.Errorf("line starts a workflow command: %q", line)
		}
	}
	if want := `\::error::x .yaml:1:10: `; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %q, want it to start %q", err, want)
	}
}
