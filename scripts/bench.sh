#!/usr/bin/env bash
# Whole-process benchmarks: privnet-lint (release build) against cfn-lint
# (installed from PyPI into a temporary virtualenv) in the same hyperfine
# runs, peak RSS with /usr/bin/time -v, and generated templates with
# privnet-lint alone. Writes docs/performance.md and the table between the
# README's `<!-- perf:begin -->` / `<!-- perf:end -->` markers.
#
#   scripts/bench.sh            # everything
#   CFN_LINT_RUNS=3 CFN_LINT_SUBSET_STEP=10 CFN_LINT=/path/to/cfn-lint scripts/bench.sh
#
# cfn-lint over all 1,472 corpus files takes minutes per run, so the
# side-by-side corpus row gives both tools every 10th corpus file (sorted;
# CFN_LINT_SUBSET_STEP) in one invocation; privnet-lint also runs alone on
# the whole folder.
#
# Needs: cargo, hyperfine, /usr/bin/time (GNU time), python3 with venv,
# and the corpus at ../shared/corpus/real (the corpus rows are left out
# without it).
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$here/target}"
corpus="$here/../shared/corpus/real"
seed="$here/fixtures/seed-stack.yaml"
runs="${RUNS:-30}"
cfn_runs="${CFN_LINT_RUNS:-3}"
subset_step="${CFN_LINT_SUBSET_STEP:-10}"
cfn_lint_version="${CFN_LINT_VERSION:-1.*}"

for tool in hyperfine /usr/bin/time python3 jq; do
    command -v "$tool" >/dev/null || { echo "bench.sh: $tool is missing (apt-get install hyperfine time python3-venv jq)" >&2; exit 2; }
done

cargo build --release --locked --quiet --bin privnet-lint --example gen_template
bin="$CARGO_TARGET_DIR/release/privnet-lint"
gen="$CARGO_TARGET_DIR/release/examples/gen_template"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# CFN_LINT=/path/to/cfn-lint reuses an installed one
cfn="${CFN_LINT:-}"
if [ -z "$cfn" ]; then
    python3 -m venv "$work/venv"
    "$work/venv/bin/pip" install --quiet "cfn-lint==$cfn_lint_version"
    cfn="$work/venv/bin/cfn-lint"
fi
cfn_version="$("$cfn" --version 2>&1 | tail -1)"

"$gen" resources 10000 >"$work/gen-10k.yaml"
"$gen" resources 100000 >"$work/gen-100k.yaml"
"$gen" conditions 30 >"$work/gen-cond30.yaml"

# the corpus files the CLI walks (template extensions), for cfn-lint
if [ -d "$corpus" ]; then
    find "$corpus" -type f \( -iname '*.yaml' -o -iname '*.yml' -o -iname '*.json' -o -iname '*.template' \) | sort >"$work/corpus-files"
    corpus_n="$(wc -l <"$work/corpus-files")"
fi

# both linters exit non-zero when they find something: ignore exit codes
hf() { hyperfine --style none --ignore-failure --export-json "$@" >/dev/null; }

# median and spread (ms) of command $2 in hyperfine JSON $1
stat() { jq -r ".results[$2] | [(.median*1000), (.min*1000), (.max*1000), (.stddev // 0)*1000] | map(. * 100 | round / 100) | @tsv" "$1"; }

# peak RSS in MB of a command
rss() {
    /usr/bin/time -v "$@" >/dev/null 2>"$work/time.txt" || true
    awk '/Maximum resident set size/ { printf "%.1f", $NF / 1024 }' "$work/time.txt"
}

rows=()
# row NAME JSON INDEX RSS [CFN_INDEX]
row() {
    local name="$1" json="$2" i="$3" mem="$4" ref="${5:-}"
    read -r med min max sd < <(stat "$json" "$i")
    local ratio="–"
    if [ -n "$ref" ]; then
        local rmed
        rmed="$(stat "$json" "$ref" | cut -f1)"
        ratio="$(awk -v a="$rmed" -v b="$med" 'BEGIN { printf "%.0f× faster", a / b }')"
    fi
    rows+=("| $name | $med ms | $min–$max ms (σ $sd) | $ratio | $mem MB |")
}

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"

echo "seed: privnet-lint vs cfn-lint" >&2
hf "$work/seed.json" -N --warmup 3 --runs "$runs" \
    -n "privnet-lint seed" "$bin --region ap-northeast-1 $seed" \
    -n "cfn-lint seed" "$cfn --regions ap-northeast-1 -- $seed"
row "seed (\`fixtures/seed-stack.yaml\`), privnet-lint" "$work/seed.json" 0 "$(rss "$bin" --region ap-northeast-1 "$seed")" 1
row "seed, $cfn_version" "$work/seed.json" 1 "$(rss "$cfn" --regions ap-northeast-1 -- "$seed")"

if [ -n "${corpus_n:-}" ]; then
    # cfn-lint takes minutes over the whole corpus: both tools get every
    # ${subset_step}th file (sorted) in one invocation, in the same run
    awk -v k="$subset_step" 'NR % k == 1' "$work/corpus-files" >"$work/subset-files"
    subset_n="$(wc -l <"$work/subset-files")"
    echo "corpus subset ($subset_n of $corpus_n files): privnet-lint vs cfn-lint ($cfn_runs runs)" >&2
    hf "$work/subset.json" --runs "$cfn_runs" \
        -n "privnet-lint subset" "xargs -a $work/subset-files -d '\n' $bin --" \
        -n "cfn-lint subset" "xargs -a $work/subset-files -d '\n' $cfn --"
    row "corpus subset ($subset_n files, one invocation), privnet-lint" "$work/subset.json" 0 "$(rss xargs -a "$work/subset-files" -d '\n' "$bin" --)" 1
    row "corpus subset, $cfn_version ($cfn_runs runs)" "$work/subset.json" 1 "$(rss xargs -a "$work/subset-files" -d '\n' "$cfn" --)"
    echo "whole corpus folder ($corpus_n files): privnet-lint" >&2
    hf "$work/corpus.json" -N --warmup 1 --runs 10 -n "privnet-lint corpus" "$bin $corpus"
    row "whole corpus folder ($corpus_n files, one invocation), privnet-lint" "$work/corpus.json" 0 "$(rss "$bin" "$corpus")"
fi

echo "generated templates" >&2
hf "$work/gen.json" -N --warmup 1 --min-runs 5 \
    -n "10k" "$bin $work/gen-10k.yaml" \
    -n "100k" "$bin $work/gen-100k.yaml" \
    -n "cond30" "$bin $work/gen-cond30.yaml"
row "generated, 10,000 resources (908 workloads)" "$work/gen.json" 0 "$(rss "$bin" "$work/gen-10k.yaml")"
row "generated, 100,000 resources (9,090 workloads)" "$work/gen.json" 1 "$(rss "$bin" "$work/gen-100k.yaml")"
row "generated, 30 conditions with \`Fn::If\` (660 resources)" "$work/gen.json" 2 "$(rss "$bin" "$work/gen-cond30.yaml")"

load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
scale="$(jq -r '(.results[1].median / .results[0].median * 100 | round / 100)' "$work/gen.json")"

table="$(
    echo "| run | median | spread (min–max, σ) | vs cfn-lint | peak RSS |"
    echo "|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "100k / 10k median ratio: ${scale}× (linear: ≤ 12×). Load average (1/5/15 min) before: $load_before, after: $load_after; $(nproc) cores; $(date -u +%Y-%m-%d)."
)"

generated="$(
    echo "Generated by \`scripts/bench.sh\` (hyperfine $(hyperfine --version | cut -d' ' -f2), privnet-lint release build, $cfn_version from PyPI in a temporary virtualenv). Whole-process wall time; both tools read the same files in the same hyperfine run; exit codes ignored (both exit non-zero on findings). Side by side on the corpus, both get the same subset (every ${subset_step}th file of the sorted list) in one invocation, $cfn_runs runs (cfn-lint takes minutes over the whole corpus)."
    echo
    echo "$table"
)"

# replace what lies between the `<!-- perf:begin -->` / `<!-- perf:end -->`
# markers of file $1 with $2 (the notes around them are kept)
between_markers() {
    awk -v text="$2" '
        /<!-- perf:begin -->/ { print; print text; skip = 1; next }
        /<!-- perf:end -->/ { skip = 0 }
        !skip { print }
    ' "$1" >"$work/replaced" && cp "$work/replaced" "$1"
}

doc="$here/docs/performance.md"
if ! grep -q '<!-- perf:begin -->' "$doc" 2>/dev/null; then
    printf '# Performance\n\n<!-- perf:begin -->\n<!-- perf:end -->\n\nIn-process stage timings and parser throughput: `cargo bench --bench pipeline` (see the README).\n' >"$doc"
fi
between_markers "$doc" "$generated"
grep -q '<!-- perf:begin -->' README.md && between_markers README.md "$table"
cat "$doc"
