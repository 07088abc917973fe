#!/usr/bin/env bash
# Runs the whole test suite, its learning tests included, under several OpenBLAS kernel families
# and under both builds (baseline and native), and prints one table: does every test pass, and
# what each learning test scored. A learning test that passes on one rounding and fails on
# another is luck, not a test; this is how we look for such luck. Not part of CI (about 4 minutes
# a configuration).
#
# usage: scripts/check-portability.sh            # CORES="Haswell SkylakeX Zen" BUILDS="baseline native"
# Kernel families the CPU cannot run (SkylakeX, Cooperlake, SapphireRapids need AVX-512) are skipped.
set -uo pipefail
cd "$(dirname "$0")/.."
cores=${CORES:-Haswell SkylakeX Zen}
builds=${BUILDS:-baseline native}
scripts/install-deps.sh
flags=$(grep -m1 '^flags' /proc/cpuinfo)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

for build in $builds; do
  scratch=.build
  [ "$build" = baseline ] || scratch=.build-$build
  echo "building $build in $scratch …" >&2
  ATHANOR_CPU=$build swift build -c release --traits SDL --build-tests --scratch-path "$scratch" >"$out/build-$build.log" 2>&1 \
    || { echo "build $build failed: $out/build-$build.log" >&2; tail -20 "$out/build-$build.log" >&2; exit 1; }
  for core in $cores; do
    case $core in
      SkylakeX|Cooperlake|SapphireRapids) [[ $flags == *avx512bw* ]] || { echo "skipping $core: no AVX-512 here" >&2; continue; } ;;
    esac
    echo "testing $build with OPENBLAS_CORETYPE=$core …" >&2
    log="$out/$build-$core.log"
    OPENBLAS_CORETYPE=$core ATHANOR_CPU=$build swift test -c release --traits SDL --skip-build --scratch-path "$scratch" >"$log" 2>&1
    echo $? >"$out/$build-$core.status"
  done
done

echo
echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores; $(dpkg-query -W -f='libopenblas0 ${Version}' libopenblas0 2>/dev/null)"
echo
echo "| build | OpenBLAS kernels | suite | failed tests |"
echo "|---|---|---|---|"
for status in "$out"/*.status; do
  name=$(basename "$status" .status); build=${name%%-*}; core=${name#*-}
  log="$out/$name.log"
  summary=$(grep -E '^(✔|✘) Test run with' "$log" | sed -E 's/^(✔|✘) Test run with //; s/ after.*//')
  failed=$(grep -E '^✘ Test [a-zA-Z]' "$log" | sed -E 's/^✘ Test ([^(]*).*/\1/' | sort -u | tr '\n' ' ')
  echo "| $build | $core | $([ "$(cat "$status")" = 0 ] && echo pass || echo FAIL): $summary | ${failed:-—} |"
done
echo
echo "Learning scores (each line: the test, then its seeds):"
for status in "$out"/*.status; do
  name=$(basename "$status" .status)
  echo
  echo "$name:"
  grep -h '^learning score: ' "$out/$name.log" | sed 's/^learning score: /  /' | sort
done
failures=$(cat "$out"/*.status | grep -vc '^0$')
exit $((failures > 0))
