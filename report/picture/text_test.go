package picture

import "testing"

func TestFit(t *testing.T) {
	if got := fit("pdu-r01-a", 100, monoCharW); got != "pdu-r01-a" {
		t.Errorf("a short id was shortened to %q", got)
	}
	got := fit("pdu-lon1-hall2-row12-a", 67, monoCharW)
	if got != "pdu-lon1-…" {
		t.Errorf("fit = %q, want 10 characters ending in an ellipsis", got)
	}
	if w := textW(got, monoCharW); w > 67 {
		t.Errorf("%q is %d px wide, more than 67", got, w)
	}
}

func TestFormatWatts(t *testing.T) {
	for w, want := range map[float64]string{800: "800 W", 7400: "7.4 kW", 80000: "80 kW", 1234.5: "1.2345 kW"} {
		if got := formatWatts(w); got != want {
			t.Errorf("formatWatts(%v) = %q, want %q", w, got, want)
		}
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 55004: "55,004", 1234567: "1,234,567", -4500: "-4,500"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
