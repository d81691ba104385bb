#!/bin/sh
# Audit and plan at 1M components, this tree against BASE, in one session:
# builds BenchmarkPlan's test binary at both (audit's package holds it
# before the planner had its own, plan's after), runs them alternately
# COUNT times (each run: the fastest of three alternations of audit and
# plan, in process CPU time) and prints every run and the ratios
# after/before. Called by `make bench-compare`; results are recorded in
# docs/performance.md. The machine's load is printed with the figures:
# on a shared machine only the ratios of neighbouring runs mean anything.
set -eu
BASE=${BASE:-73970df}
COUNT=${COUNT:-3}
GO=${GO:-go}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

pkg_of() { # the package whose tests hold BenchmarkPlan, in tree $1
	if grep -qs 'func BenchmarkPlan(' "$1"/plan/*_test.go; then echo ./plan; else echo ./audit; fi
}

mkdir "$tmp/base"
git archive "$BASE" | tar -x -C "$tmp/base"
(cd "$tmp/base" && $GO test -c -o "$tmp/before.test" "$(pkg_of .)")
$GO test -c -o "$tmp/after.test" "$(pkg_of .)"

run() { # prints "audit-cpu-s plan-cpu-s" of one run of binary $1
	"$1" -test.run '^$' -test.bench 'BenchmarkPlan/^1M$' -test.benchtime 1x |
		awk '/^BenchmarkPlan\/1M/ { for (i = 2; i < NF; i++) { if ($(i+1) == "audit-cpu-s") a = $i; if ($(i+1) == "plan-cpu-s") p = $i } }
		     END { if (a == "" || p == "") exit 1; print a, p }'
}

echo "machine: $(uname -srm), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "before: $BASE; after: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo ' + changes')"
printf '%-4s %12s %12s %8s %12s %12s %8s %s\n' run audit-before audit-after ratio plan-before plan-after ratio load
i=1
while [ "$i" -le "$COUNT" ]; do
	set -- $(run "$tmp/before.test")
	ab=$1 pb=$2
	set -- $(run "$tmp/after.test")
	aa=$1 pa=$2
	echo "$i $ab $aa $pb $pa $(cut -d' ' -f1 /proc/loadavg)"
	i=$((i + 1))
done | awk '{ ra = $3 / $2; rp = $5 / $4; la += log(ra); lp += log(rp); n++
	printf "%-4s %11.3fs %11.3fs %8.2f %11.3fs %11.3fs %8.2f %s\n", $1, $2, $3, ra, $4, $5, rp, $6 }
	END { printf "geometric mean of after/before: audit %.2f, plan %.2f\n", exp(la / n), exp(lp / n) }'
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
