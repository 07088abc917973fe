#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/ and runs each for a while (issue 13: no input crashes
# the tool). Each starts from a copy of its committed seed corpus (Fuzz/Corpus/<target>), so the
# corpus is never modified; crash files go to a temporary folder, which is kept and named when a
# target crashes. Prints the executions per target; exits non-zero if any target crashed.
# usage: scripts/fuzz.sh [seconds-per-target (default 15)] [target …]
#   e.g. scripts/fuzz.sh 60 FuzzSafeTensors
# A crash reproduces with: ATHANOR_FUZZ_VERBOSE=1 .build-fuzz/release/<target> <crash file>
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-15}
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "usage: scripts/fuzz.sh [seconds-per-target] [target …]" >&2; exit 2; }
shift $(( $# > 0 ? 1 : 0 ))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(FuzzSafeTensors FuzzHyperparameters FuzzReplay FuzzMetricsCSV FuzzZooFile)

scripts/install-deps.sh
build=.build-fuzz
# --sanitize=fuzzer instruments every module (the library's too) for coverage and links libFuzzer.
# SwiftPM keeps the build plan of a path dependency (Athanor, from ..) while its manifest is unchanged, so a source file
# added to the library since the last fuzz build would be missing from it: drop the plan, keep the compiled objects.
rm -f "$build/release.yaml" "$build/debug.yaml"
swift build -c release --package-path Fuzz --build-path "$build" --sanitize=fuzzer

# Swift's own crash reporter would take the trap's signal before libFuzzer, which then writes no
# crash file. Hashing stays seeded per process (dictionary order varies from run to run, as it
# does for users); SWIFT_DETERMINISTIC_HASHING=1 fixes it.
export SWIFT_BACKTRACE=enable=no
unset ATHANOR_FUZZ_VERBOSE
work=$(mktemp -d "${TMPDIR:-/tmp}/athanor-fuzz.XXXXXX")
failed=()
for target in "${targets[@]}"; do
  binary=$build/release/$target
  [ -x "$binary" ] || { echo "fuzz: no target $target (have: $(ls Fuzz/Sources | tr '\n' ' '))" >&2; exit 2; }
  corpus=$work/corpus/$target artifacts=$work/artifacts/$target log=$work/$target.log
  mkdir -p "$corpus" "$artifacts"
  [ -d "Fuzz/Corpus/$target" ] && cp -R "Fuzz/Corpus/$target/." "$corpus/"
  echo "fuzz: $target for ${seconds} s …"
  status=0
  "$binary" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=4096 \
    -artifact_prefix="$artifacts/" "$corpus" >"$log" 2>&1 || status=$?
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  crash=$(find "$artifacts" -type f | head -1)
  if [ "$status" -ne 0 ] || [ -n "$crash" ]; then
    failed+=("$target")
    echo "fuzz: $target FAILED (exit $status) after ${executions:-?} executions" >&2
    # The trap's message and stack, as libFuzzer printed them.
    grep -v -E '^(#[0-9]+[[:space:]]+(NEW|REDUCE|pulse|INITED|DONE|RELOAD)|INFO:)' "$log" | tail -60 >&2
    if [ -n "$crash" ]; then
      echo "fuzz: crash file $crash ($(wc -c <"$crash") bytes), first bytes:" >&2
      od -A d -c "$crash" | head -16 >&2
      echo "fuzz: reproduce with ATHANOR_FUZZ_VERBOSE=1 $binary $crash (one that depends on dictionary order may need a few runs)" >&2
    else
      echo "fuzz: no crash file; full log $log" >&2
    fi
  else
    echo "fuzz: $target ok: ${executions:-?} executions in ${seconds} s, corpus $(find "$corpus" -type f | wc -l) inputs"
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: ${#failed[@]} target(s) crashed: ${failed[*]} (crash files and logs under $work)" >&2
  exit 1
fi
rm -rf "$work"
