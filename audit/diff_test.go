package audit

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func finding(rule, subject string, causes ...string) Finding {
	f := newFinding(ruleNamed(rule), subject, causes)
	f.Message = rule + " " + subject
	return f
}

// TestDiffFindings: the problem (rule, subject) is the unit, compared
// cause by cause, whatever the findings' ids and grouping.
func TestDiffFindings(t *testing.T) {
	type counts struct {
		Introduced, Changed, Resolved, Unchanged int
		Added, Removed                           []string // of the one changed problem
		Worse                                    bool
	}
	cases := []struct {
		name     string
		old, new []Finding
		want     counts
	}{
		{"a new problem is introduced",
			nil, []Finding{finding("spof", "db", "db-1", "r1")},
			counts{Introduced: 1, Worse: true}},
		{"a problem gone is resolved",
			[]Finding{finding("spof", "db", "db-1", "r1")}, nil,
			counts{Resolved: 1}},
		{"fewer causes: changed, not resolved, though the id moved to the next cause",
			[]Finding{finding("spof", "mail", "feed-a", "mail-1")}, []Finding{finding("spof", "mail", "mail-1")},
			counts{Changed: 1, Added: []string{}, Removed: []string{"feed-a"}}},
		{"more causes: changed and worse",
			[]Finding{finding("spof", "mail", "mail-1")}, []Finding{finding("spof", "mail", "mail-1"), finding("spof", "mail", "r3")},
			counts{Changed: 1, Added: []string{"r3"}, Removed: []string{}, Worse: true}},
		{"causes regrouped into other findings: unchanged",
			[]Finding{finding("spof", "app", "feed-a", "r3")}, []Finding{finding("spof", "app", "r3"), finding("spof", "app", "feed-a")},
			counts{Unchanged: 1}},
		{"a warning gaining causes is not worse at critical",
			[]Finding{finding("device-spof", "web-1", "tor-1")}, []Finding{finding("device-spof", "web-1", "tor-1", "feed-a")},
			counts{Changed: 1, Added: []string{"feed-a"}, Removed: []string{}}},
		{"a double fault's pair is one cause",
			[]Finding{finding("double-fault", "web", "a", "b")}, []Finding{finding("double-fault", "web", "a", "c")},
			counts{Changed: 1, Added: []string{"a+c"}, Removed: []string{"a+b"}, Worse: true}},
		{"a finding without causes is there or not",
			[]Finding{finding("manual-failover", "db")}, []Finding{finding("manual-failover", "db")},
			counts{Unchanged: 1}},
		{"same cause, other subject: one resolved, one introduced",
			[]Finding{finding("spof", "web", "r3")}, []Finding{finding("spof", "app", "r3")},
			counts{Introduced: 1, Resolved: 1, Worse: true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := DiffFindings(tc.old, tc.new)
			got := counts{Introduced: len(d.Introduced), Changed: len(d.Changed), Resolved: len(d.Resolved), Unchanged: d.Unchanged, Worse: d.Worsens(Critical)}
			if len(d.Changed) == 1 {
				got.Added, got.Removed = d.Changed[0].CausesAdded, d.Changed[0].CausesRemoved
				if len(d.Changed[0].Before) == 0 {
					t.Error("a changed problem lacks its old findings")
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestDiffOrder: problems are ordered as findings are, most severe first.
func TestDiffOrder(t *testing.T) {
	d := DiffFindings(nil, []Finding{finding("device-spof", "a", "x"), finding("spof", "z", "x"), finding("spof", "b", "x")})
	var got []string
	for _, c := range d.Introduced {
		got = append(got, c.Rule+" "+c.Subject)
	}
	if diff := cmp.Diff([]string{"spof b", "spof z", "device-spof a"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
