package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// fenced finds a Markdown document's fenced blocks of one language.
func fenced(t *testing.T, path, lang string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile("(?s)```" + lang + "\n(.*?)```")
	var out []string
	for _, m := range re.FindAllStringSubmatch(string(data), -1) {
		out = append(out, m[1])
	}
	return out
}

// shellWords splits a command line as sh would for the simple lines in
// the docs: words, single or double quotes, and the line ends at the
// first redirection, pipe, list operator or comment.
func shellWords(line string) []string {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote byte
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			} else {
				cur.WriteByte(c)
			}
		case c == '"' || c == '\'':
			quote, inWord = c, true
		case c == ' ' || c == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case !inWord && strings.ContainsRune("#>|&;", rune(c)):
			return words
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

var statedExit = regexp.MustCompile(`#.*\bexit (\d)\b`)

// TestREADMECommands runs every command of README.md's sh blocks against
// the repository (bin/faultline lines through run, make lines checked to
// name a Makefile target) with the exit code its comment states, 0
// without one: the README's examples cannot rot.
func TestREADMECommands(t *testing.T) {
	makefile, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir("../..")
	n := 0
	for _, block := range fenced(t, "README.md", "sh") {
		for _, line := range strings.Split(strings.TrimSpace(block), "\n") {
			words := shellWords(line)
			if len(words) == 0 {
				continue
			}
			want := 0
			if m := statedExit.FindStringSubmatch(line); m != nil {
				want = int(m[1][0] - '0')
			}
			switch words[0] {
			case "make":
				for _, target := range words[1:] {
					if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(target) + `:`).Match(makefile) {
						t.Errorf("README: %q: the Makefile has no target %s", line, target)
					}
				}
			case "bin/faultline":
				n++
				if len(words) > 2 && words[1] == "import" && words[2] == "netbox" {
					// Against a simulated NetBox, in a directory of its own
					// (the rest of the block runs there too).
					simURL, dir, ok := readmeNetBox(t)
					if !ok {
						t.Logf("README: %q: skipped: %s", line, dir)
						continue
					}
					for i := range words {
						if i > 0 && words[i-1] == "--url" {
							words[i] = simURL
						}
					}
					t.Chdir(dir)
				}
				code, out, errOut := cli(t, words[1:]...)
				if code != want {
					t.Errorf("README: %q: exit %d, want %d\n%.600s%.600s", line, code, want, out, errOut)
				}
			default:
				t.Errorf("README: %q: the test knows how to run make and bin/faultline lines only", line)
			}
		}
	}
	if n < 4 {
		t.Errorf("only %d faultline commands found in README.md's sh blocks", n)
	}
}

// TestCIExamples parses docs/ci.md's GitHub Actions workflow and GitLab
// CI job and runs their faultline commands, as the CI would, in a git
// repository with an origin/main: exit 0 for a change that makes nothing
// worse, and diff's exit 1 for one that introduces a critical problem.
func TestCIExamples(t *testing.T) {
	blocks := fenced(t, "../../docs/ci.md", "yaml")
	shBlocks := fenced(t, "../../docs/ci.md", "sh")
	if len(blocks) != 2 {
		t.Fatalf("docs/ci.md has %d yaml blocks, want 2 (GitHub Actions, GitLab CI)", len(blocks))
	}
	var gh struct {
		On   map[string]any `yaml:"on"`
		Jobs map[string]struct {
			RunsOn string `yaml:"runs-on"`
			Steps  []struct {
				Uses string         `yaml:"uses"`
				Run  string         `yaml:"run"`
				With map[string]any `yaml:"with"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal([]byte(blocks[0]), &gh); err != nil {
		t.Fatalf("the GitHub Actions workflow: %v", err)
	}
	var gl map[string]struct {
		Image  string   `yaml:"image"`
		Script []string `yaml:"script"`
	}
	if err := yaml.Unmarshal([]byte(blocks[1]), &gl); err != nil {
		t.Fatalf("the GitLab CI job: %v", err)
	}
	if gh.On["pull_request"] == nil || len(gh.Jobs) != 1 {
		t.Fatalf("the workflow should run one job on pull_request: %+v", gh)
	}
	var lines []string
	for _, j := range gh.Jobs {
		fetchAll := false
		for _, s := range j.Steps {
			if strings.HasPrefix(s.Uses, "actions/checkout") && s.With["fetch-depth"] == 0 {
				fetchAll = true
			}
			lines = append(lines, strings.Split(s.Run, "\n")...)
		}
		if !fetchAll {
			t.Error("the workflow's checkout must fetch the history (fetch-depth: 0) for diff --base")
		}
	}
	if len(gl) != 1 {
		t.Fatalf("want one GitLab job, got %d", len(gl))
	}
	for _, j := range gl {
		lines = append(lines, j.Script...)
	}
	vars := strings.NewReplacer("${{ github.base_ref }}", "main", "$CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main")
	var commands [][]string
	for _, l := range lines {
		if words := shellWords(vars.Replace(strings.TrimSpace(l))); len(words) > 0 && words[0] == "faultline" {
			commands = append(commands, words[1:])
		}
	}
	if len(commands) != 5 {
		t.Fatalf("found %d faultline commands in the CI examples, want 5: %v", len(commands), commands)
	}

	before, err := os.ReadFile(diffData + "feeds-two.yaml")
	if err != nil {
		t.Fatal(err)
	}
	worse, err := os.ReadFile(diffData + "db-added.yaml")
	if err != nil {
		t.Fatal(err)
	}
	file := gitRepo(t, string(before))
	repo := filepath.Dir(filepath.Dir(file))
	if out, err := exec.Command("git", "-C", repo, "update-ref", "refs/remotes/origin/main", "HEAD").CombinedOutput(); err != nil {
		t.Fatalf("git update-ref: %v\n%s", err, out)
	}
	t.Chdir(filepath.Dir(file))
	for _, state := range []struct {
		name    string
		content []byte
		diff    int
	}{{"unchanged", before, 0}, {"a new single point of failure", worse, 1}} {
		if err := os.WriteFile("inventory.yaml", state.content, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, args := range commands {
			want := 0
			if args[0] == "diff" {
				want = state.diff
			}
			if code, out, errOut := cli(t, args...); code != want {
				t.Errorf("%s: faultline %s: exit %d, want %d\n%.600s%.600s", state.name, strings.Join(args, " "), code, want, out, errOut)
			}
		}
	}

	// The sh example (a live pre-flight) needs a server; check that its
	// flags are real: -h after them prints the usage only if they parse.
	for _, block := range shBlocks {
		for _, line := range strings.Split(strings.TrimSpace(block), "\n") {
			words := shellWords(line)
			if len(words) == 0 || words[0] != "faultline" {
				continue
			}
			if code, _, errOut := cli(t, append(words[1:], "-h")...); code != 0 {
				t.Errorf("docs/ci.md: %q does not parse: %s", line, errOut)
			}
		}
	}
}
