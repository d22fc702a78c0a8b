#!/usr/bin/env bash
# Compares `waku-forensics diff` with SQLite's own sqldiff on the same two nwaku databases: wall time and peak RSS
# of each (median of --runs), and whether they count the same rows (sqldiff --summary's deletes/inserts/changes/
# unchanged for the Message table = our only_left/only_right/differing/same). Not run in CI.
#
# Usage: bench/diff-compare.sh <left.db> <right.db> [--runs 3]
# sqldiff opens the files through SQLite, which may create -shm files beside WAL databases: run it on copies.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
say() { echo "== $*" >&2; }

[ $# -ge 2 ] || { sed -n '2,7p' "$0"; exit 2; }
left="$(realpath "$1")" right="$(realpath "$2")"; shift 2
runs=3
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

. bench/sqlite-tools.sh
sqldiff="$cache/build/sqldiff"
[ -x "$sqldiff" ] || build_sqldiff
say "building the CLI (Release)"
nice dotnet build -c Release src/Waku.StoreForensics.Cli -v q -nologo >/dev/null
ours=(dotnet "$repo/src/Waku.StoreForensics.Cli/bin/Release/net10.0/waku-forensics.dll" diff)

out="$(mktemp -d)"; trap 'rm -rf "$out"' EXIT
measure() {  # name, command...: appends "seconds kib" per run to $out/name.times, keeps the last stdout
  local name="$1"; shift
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e %M' -o "$out/time" "$@" >"$out/$name.out" 2>/dev/null || true
    tail -n 1 "$out/time" >>"$out/$name.times"  # time prefixes "Command exited with non-zero status" lines
  done
}
say "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
measure ours "${ours[@]}" "$left" "$right" --json --show 0
measure sqldiff "$sqldiff" --summary "$left" "$right"
say "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$out" "$runs" <<'PY'
import json, re, statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
def timing(name):
    rows = [tuple(float(x) for x in line.split()) for line in open(f"{out}/{name}.times") if line.strip()]
    return statistics.median(r[0] for r in rows), max(r[1] for r in rows) / 1024
ours = json.load(open(f"{out}/ours.out"))["messages"]
ours_counts = (ours["only_left"], ours["only_right"], ours["differing"], ours["same"])
line = next(l for l in open(f"{out}/sqldiff.out") if l.lower().startswith("message:"))
d = dict((k, int(v)) for v, k in re.findall(r"(\d+) (changes|inserts|deletes|unchanged)", line))
sq_counts = (d["deletes"], d["inserts"], d["changes"], d["unchanged"])
print(f"| tool | median of {runs} (s) | peak RSS (MiB) | only left / only right / differing / same |")
print("|---|---|---|---|")
for name, counts in (("waku-forensics diff", ours_counts), ("sqldiff --summary", sq_counts)):
    s, rss = timing("ours" if name.startswith("waku") else "sqldiff")
    print(f"| {name} | {s:.2f} | {rss:.0f} | {' / '.join(map(str, counts))} |")
print()
print("counts agree" if ours_counts == sq_counts else f"COUNTS DIFFER: ours {ours_counts}, sqldiff {sq_counts}")
PY
