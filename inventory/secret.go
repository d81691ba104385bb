package inventory

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Secret is a credential as written in the inventory: a reference
// "${env:NAME}" or "${file:PATH}", or (discouraged) the secret itself.
// It never prints its value: String, MarshalJSON and MarshalYAML show the
// reference, or "<redacted>" for a plaintext secret.
type Secret string

var secretRef = regexp.MustCompile(`^\$\{(env|file):([^}]+)\}$`)

// IsRef reports whether the secret is a ${env:..} or ${file:..} reference.
func (s Secret) IsRef() bool { return secretRef.MatchString(string(s)) }

// looksLikeRef reports whether the value tries to be a reference.
func (s Secret) looksLikeRef() bool { return strings.HasPrefix(string(s), "${") }

// String returns the reference, or "<redacted>" for a plaintext value.
func (s Secret) String() string {
	switch {
	case s == "":
		return ""
	case s.IsRef():
		return string(s)
	default:
		return "<redacted>"
	}
}

// MarshalJSON writes what String returns, never the secret.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(fmt.Sprintf("%q", s.String())), nil }

// MarshalText writes what String returns, never the secret.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// ErrSecretUnset is wrapped by Resolve when a referenced variable or file is
// missing or empty.
var ErrSecretUnset = errors.New("secret not set")

// Resolve returns the secret's value. References are resolved now, at use:
// ${env:NAME} from the environment, ${file:PATH} from the file (relative
// paths against dir, the inventory's directory), trailing newlines trimmed.
// The error names the reference, never a value.
func (s Secret) Resolve(dir string) (string, error) {
	m := secretRef.FindStringSubmatch(string(s))
	if m == nil {
		return string(s), nil
	}
	switch m[1] {
	case "env":
		v, ok := os.LookupEnv(m[2])
		if !ok || v == "" {
			return "", fmt.Errorf("%s: %w: environment variable %s is empty or unset; export it before polling", s, ErrSecretUnset, m[2])
		}
		return v, nil
	default:
		p := m[2]
		if !filepath.IsAbs(p) && dir != "" {
			p = filepath.Join(dir, p)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return "", fmt.Errorf("%s: %w: file %s does not exist", s, ErrSecretUnset, p)
			}
			return "", fmt.Errorf("%s: %w", s, err)
		}
		v := strings.TrimRight(string(b), "\r\n")
		if v == "" {
			return "", fmt.Errorf("%s: %w: file %s is empty", s, ErrSecretUnset, p)
		}
		return v, nil
	}
}
