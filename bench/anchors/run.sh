#!/usr/bin/env bash
# The anchor comparison (bench/anchors/README.md): the same scenario — N single-vCPU VMs on
# one 2-core host, each running K equal compute tasks one after the other — in visorkit,
# SimGrid 3.32 and SimPy 2.3, for N = 1, 2, 4, ... max-n. Prints simulated makespans, wall
# times and their ratios, and exits non-zero when the simulated times disagree.
#
#   bash bench/anchors/run.sh [--max-n 8192] [--k 4] [--task-ms 10] [--profile server-2007]
#                             [--tolerance 0.02] [--out results.jsonl] [--markdown]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/bench/anchors"
PY="${ANCHORS_PYTHON:-/usr/bin/python3}"
CORES=2

MAX_N=8192
K=4
TASK_MS=10
PROFILE=server-2007
TOLERANCE=0.02
OUT=""
MARKDOWN=""

usage() { sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
need_value() { [[ $# -ge 2 && -n "$2" ]] || { echo "run.sh: $1 needs a value" >&2; exit 2; }; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --max-n) need_value "$@"; MAX_N="$2"; shift 2 ;;
    --k) need_value "$@"; K="$2"; shift 2 ;;
    --task-ms) need_value "$@"; TASK_MS="$2"; shift 2 ;;
    --profile) need_value "$@"; PROFILE="$2"; shift 2 ;;
    --tolerance) need_value "$@"; TOLERANCE="$2"; shift 2 ;;
    --out) need_value "$@"; OUT="$2"; shift 2 ;;
    --markdown) MARKDOWN=--markdown; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
[[ "$MAX_N" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --max-n must be a positive integer, got '$MAX_N'" >&2; exit 2; }
[[ "$K" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --k must be a positive integer, got '$K'" >&2; exit 2; }
[[ "$TASK_MS" =~ ^[0-9]*\.?[0-9]+$ ]] || { echo "run.sh: --task-ms must be a positive number, got '$TASK_MS'" >&2; exit 2; }

# --- SimGrid and SimPy: Debian's packages for Debian's interpreter ------------------------
have_python_packages() { "$PY" -c 'import simgrid, SimPy.Simulation' >/dev/null 2>&1; }
if ! have_python_packages; then
  echo "run.sh: installing python3-simgrid and python3-simpy (Debian packages) ..." >&2
  SUDO=""
  if [[ "$(id -u)" != 0 ]]; then SUDO=sudo; fi
  PKGS=(python3-simgrid python3-simpy)
  if ! $SUDO apt-get install -y --no-install-recommends "${PKGS[@]}"; then
    $SUDO apt-get update
    $SUDO apt-get install -y --no-install-recommends "${PKGS[@]}"
  fi
  have_python_packages || { echo "run.sh: $PY still cannot import simgrid and SimPy (set ANCHORS_PYTHON to Debian's python3)" >&2; exit 1; }
fi

# --- visorkit: build if needed (tsc -b is incremental: a no-op when up to date) ---------
VK="$ROOT/bench/dist/src/anchors/run-visorkit.js"
if ! (cd "$ROOT" && npx tsc -b); then
  if [[ -f "$VK" ]]; then
    echo "run.sh: warning: 'npx tsc -b' failed; using the existing build in bench/dist" >&2
  else
    echo "run.sh: 'npx tsc -b' failed and there is no build of $VK" >&2
    exit 1
  fi
fi

# --- run every N in fresh processes ------------------------------------------------------
RESULTS="${OUT:-$(mktemp -t anchors.XXXXXX.jsonl)}"
: >"$RESULTS"
ERRLOG="$(mktemp -t anchors-stderr.XXXXXX)"
trap 'rm -f "$ERRLOG"; [[ -n "$OUT" ]] || rm -f "$RESULTS"' EXIT

field() { "$PY" -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }
run_one() { # name, command...: appends the command's JSON line to $RESULTS, echoes it
  local name="$1"; shift
  local line
  if ! line="$("$@" 2>"$ERRLOG")"; then
    echo "run.sh: $name failed:" >&2
    cat "$ERRLOG" >&2
    exit 1
  fi
  line="$(printf '%s\n' "$line" | tail -n 1)"
  printf '%s\n' "$line" >>"$RESULTS"
  printf '%s' "$line"
}

TASK_S="$("$PY" -c 'import sys; print(float(sys.argv[1]) / 1000)' "$TASK_MS")"
N=1
START=$SECONDS
while (( N <= MAX_N )); do
  vk="$(run_one visorkit node "$VK" --n "$N" --k "$K" --task-ms "$TASK_MS" --profile "$PROFILE" --cores "$CORES")"
  clock_hz="$("$PY" -c 'import json, sys; print(json.loads(sys.argv[1])["clockGhz"] * 1e9)' "$vk")"
  task_cycles="$(field "$vk" taskCycles)"
  sg="$(run_one simgrid "$PY" "$HERE/simgrid_tasks.py" --n "$N" --k "$K" --task-flops "$task_cycles" --speed "$clock_hz" --cores "$CORES")"
  sp="$(run_one simpy "$PY" "$HERE/simpy_tasks.py" --n "$N" --k "$K" --task-seconds "$TASK_S" --cores "$CORES")"
  printf 'N=%-5d  wall: visorkit %ss  SimGrid %ss  SimPy %ss  (elapsed %ds)\n' "$N" \
    "$(field "$vk" wallSeconds | cut -c1-6)" "$(field "$sg" wallSeconds | cut -c1-6)" "$(field "$sp" wallSeconds | cut -c1-6)" \
    "$((SECONDS - START))" >&2
  N=$((N * 2))
done

echo >&2
echo "scenario: N single-vCPU VMs, $CORES cores, K=$K tasks of ${TASK_MS} ms each; visorkit: xen-pv (credit) on $PROFILE" >&2
"$PY" "$HERE/compare.py" "$RESULTS" --k "$K" --task-seconds "$TASK_S" --cores "$CORES" --tolerance "$TOLERANCE" $MARKDOWN
