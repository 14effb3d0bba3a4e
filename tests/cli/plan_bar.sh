#!/usr/bin/env bash
# Issue 10's bar for `capsim plan`: on scenarios/plan.yaml the search's
# recommendation costs within 5% of the cheapest feasible cluster of the
# whole grid (capsim plan --exhaustive), each quarter, using at most a
# quarter of the grid's simulations.
# Usage: plan_bar.sh CAPSIM SOURCE_DIR PYTHON
set -euo pipefail
capsim=$1
source_dir=$2
python=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$capsim" plan "$source_dir/scenarios/plan.yaml" -o "$work/search" -q
"$capsim" plan "$source_dir/scenarios/plan.yaml" -o "$work/grid" -q --exhaustive
"$python" - "$work/search/plan.json" "$work/grid/plan.json" <<'PY'
import json, sys
search, grid = (json.load(open(p)) for p in sys.argv[1:3])
ok = True
for s, g in zip(search["quarters"], grid["quarters"]):
    found, best = s["recommended"], g["recommended"]
    if best is None:
        print(f"{s['name']}: the grid has no feasible cluster"); ok = False; continue
    if found is None:
        print(f"{s['name']}: the search found none, the grid {best['node_counts']}"); ok = False; continue
    ratio = found["cost_per_month_usd"] / best["cost_per_month_usd"]
    share = s["simulations"] / g["simulations"]
    print(f"{s['name']}: search {found['node_counts']} ${found['cost_per_month_usd']:,.0f}/month, "
          f"grid {best['node_counts']} ${best['cost_per_month_usd']:,.0f}/month ({100 * (ratio - 1):+.2f}%); "
          f"{s['simulations']} of {g['simulations']} simulations ({100 * share:.1f}%)")
    ok = ok and ratio <= 1.05 and share <= 0.25
sys.exit(0 if ok else 1)
PY
