#!/usr/bin/env bash
# privnet-lint's outputs checked by their real consumers:
#   - SARIF through Microsoft's SARIF Multitool `validate` with the SARIF,
#     GitHub (Ghas) and GitHub Advanced Security for Azure DevOps (Ado) rule
#     sets: no error and no warning (but the Azure Pipelines build identity,
#     which only the pipeline's publish task can add: sarif.mjs);
#   - every Mermaid diagram of the Markdown report and of
#     `graph --format mermaid` through the real Mermaid parser.
# The inputs come from the real binary: the seed, every fixture, the stacks
# folders, and fixtures/hostile/labels.yaml (under a hostile file name too).
# The tools are installed from npm, at the versions pinned in
# package-lock.json, into WORK_DIR (install scripts are not run).
#
# Usage: scripts/consumers/run.sh [WORK_DIR]
#   WORK_DIR  scratch space (default: target/consumers); the npm install in
#             it is kept and reused while package-lock.json is unchanged
# Environment: PRIVNET_LINT_BIN, the binary to check (default: a debug
# build, made with `cargo build --locked`).
# Exit codes: 0 pass, 1 fail, 77 skipped (no node/npm, npm registry not
# reachable, or the SARIF Multitool has no build for this machine).
# Run by .ci/run.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
work=${1:-${CARGO_TARGET_DIR:-$root/target}/consumers}
mkdir -p "$work"
work=$(cd "$work" && pwd)

skip() {
    echo "SKIP: $*"
    exit 77
}
fail() {
    echo "FAIL: $*"
    exit 1
}

# --- the tools ---------------------------------------------------------------
command -v node >/dev/null || skip "node is not installed (the consumer checks need Node.js 20 or later and npm)"
command -v npm >/dev/null || skip "npm is not installed"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || skip "node $(node --version) is too old: the pinned tools need Node.js 20 or later"
echo "node $(node --version), npm $(npm --version)"

npm_dir=$work/npm
if ! cmp -s "$here/package-lock.json" "$npm_dir/package-lock.json" || [ ! -d "$npm_dir/node_modules" ]; then
    rm -rf "$npm_dir"
    mkdir -p "$npm_dir"
    cp "$here/package.json" "$here/package-lock.json" "$npm_dir/"
    # --ignore-scripts: no install script of any package runs; the one the
    # SARIF Multitool has (chmod of its binary) is done below
    if ! (cd "$npm_dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >"$work/npm.log" 2>&1; then
        cat "$work/npm.log"
        rm -rf "$npm_dir/node_modules"
        skip "the pinned packages could not be installed from the npm registry"
    fi
fi
# the checkers import the packages: they run from next to node_modules
cp "$here/sarif.mjs" "$here/mermaid.mjs" "$npm_dir/"
sarif_dir=$npm_dir/node_modules/@microsoft/sarif-multitool-$(node -p process.platform)
multitool=$sarif_dir/Sarif.Multitool
[ -f "$multitool" ] || skip "the SARIF Multitool has no package for $(node -p process.platform)"
chmod u+x "$multitool"
# a .NET program: without this it needs libicu, which a bare CI image may
# lack; validation does not depend on culture data
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
"$multitool" --version >"$work/multitool-version.txt" 2>&1 ||
    skip "the SARIF Multitool does not run on this machine ($(uname -m)): $(tail -1 "$work/multitool-version.txt")"
echo "$(head -1 "$work/multitool-version.txt"), mermaid $(node -p "require('$npm_dir/node_modules/mermaid/package.json').version")"

# --- the binary --------------------------------------------------------------
if [ -n "${PRIVNET_LINT_BIN:-}" ]; then
    bin=$PRIVNET_LINT_BIN
else
    cargo build --locked --quiet
    bin=${CARGO_TARGET_DIR:-$root/target}/debug/privnet-lint
fi
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
echo "privnet-lint: $bin ($("$bin" --version))"

# --- the outputs -------------------------------------------------------------
out=$work/out
rm -rf "$out"
mkdir -p "$out/sarif" "$out/markdown" "$out/mermaid"

# the options a fixture's header comments ask for (# region:, # parameter:)
header_args() {
    sed -n '/^#/!q; s/^# region: *\(.*\)$/--region\n\1/p; s/^# parameter: *\(.*\)$/-p\n\1/p' "$1"
}

runs=0
# lint NAME ARGS...: the SARIF and Markdown reports of one run
lint() {
    local name=$1 format ext code
    shift
    for format in sarif markdown; do
        ext=$format
        [ "$format" = markdown ] && ext=md
        code=0
        # from WORKSPACE when set (paths relative to it, as in GitHub Actions)
        (
            if [ -n "${WORKSPACE:-}" ]; then cd "$WORKSPACE" && export GITHUB_WORKSPACE=$WORKSPACE; fi
            "$bin" "$@" --no-config --fail-on never --format "$format" --output "$out/$format/$name.$ext"
        ) 2>"$work/stderr.txt" || code=$?
        [ "$code" = 0 ] || fail "privnet-lint $* --format $format exited with $code: $(cat "$work/stderr.txt")"
    done
    runs=$((runs + 1))
}
# graph NAME FILE ARGS...: the Mermaid graph of one template (none for a
# file that is not YAML: `graph` says so and exits 2)
graph() {
    local name=$1
    shift
    "$bin" graph --no-config --format mermaid --output "$out/mermaid/$name.mmd" "$@" 2>"$work/stderr.txt" && return
    grep -q "invalid YAML" "$work/stderr.txt" || fail "privnet-lint graph $* failed: $(cat "$work/stderr.txt")"
    rm -f "$out/mermaid/$name.mmd"
}

# the hostile template, also under a file name made of URI and Markdown
# syntax, linted from its workspace so that the SARIF URI is relative
hostile_dir="a b,c:d#e%f?g[h]&i"
rm -rf "$work/in"
mkdir -p "$work/in/$hostile_dir"
cp fixtures/hostile/labels.yaml "$work/in/$hostile_dir/é 'x' \"y\" \`z\`.yaml"

lint seed-ap-northeast-1 fixtures/seed-stack.yaml --region ap-northeast-1
lint seed-us-east-1 fixtures/seed-stack.yaml
lint seed-all-regions fixtures/seed-stack.yaml --region all
lint rules-folder fixtures/rules --region us-east-1
lint stacks-import fixtures/stacks/import
lint stacks-nested fixtures/stacks/nested
WORKSPACE=$work/in lint hostile-name "$hostile_dir" --region us-east-1
graph seed fixtures/seed-stack.yaml --region ap-northeast-1
for f in fixtures/rules/*.yaml fixtures/workloads/*.yaml fixtures/regions/*.yaml fixtures/scenarios/*.yaml \
    fixtures/hostile/*.yaml; do
    name=$(basename "$(dirname "$f")")-$(basename "$f" .yaml)
    mapfile -t extra < <(header_args "$f")
    lint "$name" "$f" "${extra[@]}"
    graph "$name" "$f" "${extra[@]}"
done
sarif_files=("$out"/sarif/*.sarif)
echo "$runs runs: ${#sarif_files[@]} SARIF logs, $(ls "$out/markdown" | wc -l) Markdown reports, $(ls "$out/mermaid" | wc -l) Mermaid graphs in $out"

# --- SARIF ---------------------------------------------------------------------
echo "== SARIF Multitool validate (rule kinds Sarif, Ghas, Ado)"
# the self-test's logs: the seed's, each with one thing the rule sets
# require taken out, named after the rule that must flag it; validated
# after privnet-lint's own (sarif.mjs says why)
broken=$work/broken
rm -rf "$broken"
mkdir -p "$broken"
node -e '
const fs = require("fs");
const [from, to] = process.argv.slice(1);
const log = JSON.parse(fs.readFileSync(from, "utf8"));
const write = (name, edit) => {
  const l = structuredClone(log);
  edit(l.runs[0]);
  fs.writeFileSync(`${to}/${name}.sarif`, JSON.stringify(l, null, 2));
};
write("GHAzDO1014-no-automation-details", (r) => delete r.automationDetails);
write("GHAzDO1018-no-full-name", (r) => delete r.tool.driver.fullName);
write("SARIF2005-no-information-uri", (r) => delete r.tool.driver.informationUri);
write("SARIF1004-absolute-path-uri", (r) => { r.results[0].locations[0].physicalLocation.artifactLocation.uri = "/abs/t.yaml"; });
' "$out/sarif/seed-ap-northeast-1.sarif" "$broken"
broken_files=("$broken"/*.sarif)
validation=$work/validation.sarif
# (the Multitool's list options take "A;B": a single value without a `;`
# is refused as "defined with a bad format")
"$multitool" validate --rule-kind "Sarif;Ghas;Ado" --level "Error;Warning;Note" --threads 1 \
    --output "$validation" --log "ForceOverwrite;PrettyPrint" "${sarif_files[@]}" "${broken_files[@]}" \
    >"$validation.txt" 2>&1 || {
    cat "$validation.txt"
    fail "the SARIF Multitool failed"
}
node "$npm_dir/sarif.mjs" "$validation" "$validation.txt" $((${#sarif_files[@]} + ${#broken_files[@]})) "${broken_files[@]}"

# --- Mermaid -------------------------------------------------------------------
echo "== Mermaid parser (markdown reports and graph --format mermaid)"
hostile_md=("$out/markdown/hostile-"*.md)
node "$npm_dir/mermaid.mjs" "$out"/markdown/*.md "$out"/mermaid/*.mmd --at-least 2 "${hostile_md[@]}"

echo "PASS"
