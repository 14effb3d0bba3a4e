#!/usr/bin/env bash
# `capsim report` in a real browser: headless Chromium (Debian's chromium,
# installed by scripts/install-deps.sh) loads the report of the quickstart
# run and of a two-policy comparison. Passes when every page loads with no
# console message (no SVG attribute error, no script error), shows the
# expected number of charts, each with data, and leaves no chart out; the
# screenshots are kept under WORK_DIR for a look. Exits 77 (skipped, said
# so) only when chromium is missing.
# Usage: report_chromium.sh CAPSIM SOURCE_DIR WORK_DIR
set -euo pipefail
capsim=$1
source_dir=$2
work=$3

browser=$(command -v chromium || true)
if [[ -z "$browser" ]]; then
  echo "report_chromium: chromium is not installed (scripts/install-deps.sh installs it): skipped"
  exit 77
fi

rm -rf "$work"
mkdir -p "$work"
failures=0
fail() {
  echo "report_chromium: FAIL: $*" >&2
  failures=$((failures + 1))
}

browse() {  # PAGE OUT_PREFIX ARGS...: dump the DOM (and the console) or take a screenshot
  local page=$1 prefix=$2
  shift 2
  timeout 120 "$browser" --headless --disable-gpu --no-sandbox --user-data-dir="$work/profile" \
    --enable-logging=stderr --v=0 "$@" "file://$page" >"$prefix.out" 2>"$prefix.log"
}

occurrences() {  # PATTERN FILE
  { grep -o "$1" "$2" || true; } | wc -l
}

# check PAGE CHARTS: loads cleanly with CHARTS charts, each with data.
check() {
  local page=$1 charts=$2 name
  name=$(basename "$page" .html)
  browse "$page" "$work/$name.dom" --dump-dom || fail "$name: chromium exited $?"
  local dom="$work/$name.dom.out"
  grep -q '<h1>capsim report: ' "$dom" || fail "$name: the DOM has no report heading"
  local svgs with_data empty
  svgs=$(occurrences '<svg [^>]*class="chart"' "$dom")
  empty=$(occurrences 'data-points="0"' "$dom")
  with_data=$(occurrences '<path d="M\|<circle cx=' "$dom")
  [[ "$svgs" -eq "$charts" ]] || fail "$name: $svgs charts in the DOM, expected $charts"
  [[ "$empty" -eq 0 ]] || fail "$name: $empty charts without data"
  [[ "$with_data" -ge "$charts" ]] || fail "$name: only $with_data lines or points drawn"
  if grep -q 'class="skipped"' "$dom"; then fail "$name: a chart was left out: $(grep -o 'class="skipped">[^.]*' "$dom" | head -1)"; fi
  # Console messages: SVG attribute errors, script errors (the page has no script).
  if grep ':CONSOLE' "$work/$name.dom.log"; then fail "$name: the console has messages (above)"; fi
  browse "$page" "$work/$name.png" --screenshot="$work/$name.png" --window-size=900,6000 --hide-scrollbars ||
    fail "$name: chromium could not take a screenshot"
  [[ $(stat -c %s "$work/$name.png" 2>/dev/null || echo 0) -gt 20000 ]] || fail "$name: the screenshot is (nearly) empty"
  echo "report_chromium: $name: $svgs charts, $with_data lines and points drawn"
}

"$capsim" run "$source_dir/scenarios/quickstart.yaml" -o "$work/run" -q
"$capsim" report "$work/run" -o "$work/run.html" >/dev/null
# Utilisation, queue, JCT CDF, queueing-delay CDF, cost, power, energy.
check "$work/run.html" 7

"$capsim" run "$source_dir/scenarios/quickstart.yaml" --policy fifo,srtf -o "$work/compare" -q -j 2
"$capsim" report "$work/compare" -o "$work/compare.html" >/dev/null
# Overlays: utilisation, JCT CDF, queue, power.
check "$work/compare.html" 4

if ((failures > 0)); then
  exit 1
fi
echo "report_chromium: passed"
