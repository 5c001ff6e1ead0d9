#!/bin/bash
# fuzz.sh: run every fuzz target of the module (or those named) for a
# while each, one after another, and summarize executions and results.
# The hardening campaign asks for at least 10 CPU-minutes per target:
# FUZZTIME=10m with PARALLEL=1 gives that (PARALLEL=2 and 5m too).
#
# Usage: bench/fuzz.sh [pkg:Target ...]
# Environment: FUZZTIME (10m), PARALLEL (1), LOG (fuzz-<date>.log in
# the current directory), NICE (10: the run gives way to other work).
# The summary gives wall and CPU seconds per target (user+system of go
# test, its build and its fuzzing workers, from /usr/bin/time: Debian
# package time); a niced run on a busy machine may need a longer
# FUZZTIME to reach 600 CPU seconds. A target that fails leaves its
# input under the package's testdata/fuzz/<Target>/, as go test does;
# the summary says which.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-10m}
PARALLEL=${PARALLEL:-1}
NICE=${NICE:-10}
LOG=${LOG:-$PWD/fuzz-$(date +%Y%m%d-%H%M%S).log}

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for pkg in $(go list ./...); do
		for t in $(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true); do
			targets+=("$pkg:$t")
		done
	done
fi

echo "fuzzing ${#targets[@]} targets, $FUZZTIME each, $PARALLEL workers; log $LOG"
failed=0
for pt in "${targets[@]}"; do
	pkg=${pt%%:*}
	t=${pt##*:}
	start=$(date +%s)
	cpufile=$(mktemp)
	if out=$(/usr/bin/time -f '%U %S' -o "$cpufile" nice -n "$NICE" \
		go test -run '^$' -fuzz "^$t\$" -fuzztime "$FUZZTIME" \
		-parallel "$PARALLEL" "$pkg" 2>&1); then
		result=ok
	else
		result=FAIL
		failed=$((failed + 1))
	fi
	echo "$out" >>"$LOG"
	execs=$(echo "$out" | grep -o 'execs: [0-9]*' | tail -1 | cut -d' ' -f2)
	cpu=$(awk 'END { printf "%.0f", $1 + $2 }' "$cpufile")
	rm -f "$cpufile"
	printf '%-40s %-22s %5s s %5s cpu-s %12s execs  %s\n' "${pkg#p9mail/}" "$t" \
		"$(($(date +%s) - start))" "$cpu" "${execs:-?}" "$result" | tee -a "$LOG.summary"
done
echo "$failed of ${#targets[@]} targets failed"
[ "$failed" -eq 0 ]
