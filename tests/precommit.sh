#!/usr/bin/env bash
# The pre-commit hooks of .pre-commit-hooks.yaml, for real: installs
# pre-commit from PyPI into a throw-away virtualenv, makes a scratch git
# repository with a broken and a fixed template (and a YAML file that is no
# template), and runs `pre-commit try-repo` against this checkout: the broken
# template fails both hooks, the fixed one passes.
#
# Usage: tests/precommit.sh CRATE_DIR WORK_DIR
#   CRATE_DIR  this checkout (the hook repository)
#   WORK_DIR   scratch space (emptied first)
# Environment: CARGO_TARGET_DIR is where the `language: rust` hook's
# `cargo install` builds (keep it between runs so that only the crate itself
# is rebuilt); it must be outside the checkout. PRIVNET_LINT_BIN, if set, is
# the binary the `language: system` hook finds on PATH.
# Exit codes: 0 pass, 1 fail, 77 skipped (no python3, venv or PyPI).
# Run by tests/precommit.rs (so by `cargo test` and .ci/run).
set -euo pipefail

crate=$(cd "$1" && pwd)
work=$2
rm -rf "$work"
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

command -v python3 >/dev/null || skip "python3 is not installed"
command -v git >/dev/null || skip "git is not installed"
python3 -m venv "$work/venv" >/dev/null 2>&1 || skip "python3 cannot create a virtualenv (python3-venv missing?)"
if ! "$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check --timeout 30 pre-commit \
    >"$work/pip.log" 2>&1; then
    cat "$work/pip.log"
    skip "pre-commit could not be installed from PyPI"
fi
pre_commit="$work/venv/bin/pre-commit"
echo "pre-commit $("$pre_commit" --version | cut -d' ' -f2)"

# pre-commit keeps its clones and hook environments here, not in ~/.cache
export PRE_COMMIT_HOME="$work/pre-commit-home"
export GIT_AUTHOR_NAME=test GIT_AUTHOR_EMAIL=test@example.com
export GIT_COMMITTER_NAME=test GIT_COMMITTER_EMAIL=test@example.com
# our own git settings, without touching the user's (HOME stays: rustup and
# cargo find their toolchains and caches through it)
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL="$work/gitconfig"
git config --global init.defaultBranch main
git config --global safe.directory '*'
git config --global commit.gpgsign false

# try-repo copies the checkout's committed files and its uncommitted changes
# to tracked files, but not new untracked ones; when there are some (work in
# progress), try the repository at a snapshot of the working tree instead.
hook_repo=$crate
if ! git -C "$crate" rev-parse --git-dir >/dev/null 2>&1; then
    hook_repo=$work/snapshot
    mkdir -p "$hook_repo"
    (cd "$crate" && tar --exclude=./target --exclude=./.git -cf - .) | (cd "$hook_repo" && tar -xf -)
elif [ -n "$(git -C "$crate" ls-files --others --exclude-standard)" ]; then
    hook_repo=$work/snapshot
    mkdir -p "$hook_repo"
    (cd "$crate" && git ls-files -z --cached --others --exclude-standard |
        while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
        tar --null -T - -cf -) | (cd "$hook_repo" && tar -xf -)
fi
if [ "$hook_repo" != "$crate" ]; then
    echo "hook repository: a snapshot of the working tree (it has untracked files)"
    git -C "$hook_repo" init --quiet
    git -C "$hook_repo" add -A
    git -C "$hook_repo" commit --quiet -m snapshot
else
    echo "hook repository: $crate"
fi

# the repository that uses the hooks
project=$work/project
mkdir -p "$project/templates" "$project/.github/workflows"
cp "$crate/fixtures/rules/PN101-no-route-to-s3.fail.yaml" "$project/templates/broken.yaml"
cp "$crate/fixtures/rules/PN101-no-route-to-s3.pass.yaml" "$project/templates/fixed.yaml"
printf 'on: push\njobs: {}\n' >"$project/.github/workflows/ci.yml"
git -C "$project" init --quiet
git -C "$project" add -A
git -C "$project" commit --quiet -m templates

# runs one hook on some files; prints its output; returns its exit code
try_hook() {
    local hook=$1
    shift
    (cd "$project" && "$pre_commit" try-repo "$hook_repo" "$hook" --verbose --color never --files "$@") \
        >"$work/out.txt" 2>&1 && code=0 || code=$?
    sed 's/^/    /' "$work/out.txt"
    return "$code"
}

echo "== privnet-lint (language: rust) on the broken template (first run installs with cargo)"
start=$(date +%s)
if try_hook privnet-lint templates/broken.yaml; then
    fail "the broken template passed the privnet-lint hook"
fi
install_seconds=$(($(date +%s) - start))
grep -q "PN101" "$work/out.txt" || fail "the hook output does not name PN101"
grep -q "Failed" "$work/out.txt" || fail "pre-commit does not report the hook as failed"
echo "install and first run: ${install_seconds}s"

echo "== privnet-lint on the fixed template and a workflow file"
try_hook privnet-lint templates/fixed.yaml .github/workflows/ci.yml || fail "the fixed template failed the privnet-lint hook"
grep -q "Passed" "$work/out.txt" || fail "pre-commit does not report the hook as passed"

# the system hook runs the privnet-lint on PATH: PRIVNET_LINT_BIN (the
# binary `cargo test` built), else one installed from the checkout
if [ -n "${PRIVNET_LINT_BIN:-}" ]; then
    bin_dir=$(cd "$(dirname "$PRIVNET_LINT_BIN")" && pwd)
else
    cargo install --quiet --locked --path "$hook_repo" --root "$work/installed"
    bin_dir=$work/installed/bin
fi
export PATH="$bin_dir:$PATH"

echo "== privnet-lint-system (language: system) on the broken template"
if try_hook privnet-lint-system templates/broken.yaml; then
    fail "the broken template passed the privnet-lint-system hook"
fi
grep -q "PN101" "$work/out.txt" || fail "the system hook output does not name PN101"

echo "== privnet-lint-system on the fixed template"
try_hook privnet-lint-system templates/fixed.yaml .github/workflows/ci.yml ||
    fail "the fixed template failed the privnet-lint-system hook"

echo "PASS (cargo install by pre-commit: ${install_seconds}s)"
