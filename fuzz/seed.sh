#!/usr/bin/env bash
# Seeds the fuzz corpora (fuzz/corpus/<target>/, not committed) from the
# fixtures and, when present, the real-world corpus in ../shared. Files over
# 64 KiB (the -max_len the README suggests) are left out.
set -euo pipefail
cd "$(dirname "$0")"
root=..
real="$root/../shared/corpus/real"
max=65536
mkdir -p corpus/yaml corpus/json corpus/pipeline corpus/cdk_manifest
n=0
add() { # file
    local f=$1 size name
    size=$(wc -c <"$f")
    [ "$size" -le "$max" ] || return 0
    name=$(sha1sum "$f" | cut -c1-16)
    case "$f" in
        *.json) cp "$f" "corpus/json/$name" ;;
        *) cp "$f" "corpus/yaml/$name" ;;
    esac
    cp "$f" "corpus/pipeline/$name"
    n=$((n + 1))
}
while IFS= read -r -d '' f; do add "$f"; done < <(find "$root/fixtures" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' -o -name '*.template' \) -print0)
if [ -d "$real" ]; then
    while IFS= read -r -d '' f; do add "$f"; done < <(find "$real" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' -o -name '*.template' \) -print0)
else
    echo "seed.sh: $real is absent; seeding from fixtures only" >&2
fi
# the cloud assembly manifests cdk synth wrote (fixtures/cdk) seed the
# manifest reader
while IFS= read -r -d '' f; do
    cp "$f" "corpus/cdk_manifest/$(sha1sum "$f" | cut -c1-16)"
done < <(find "$root/fixtures/cdk" -type f -name manifest.json -print0)
# saved crash inputs are seeds too
for t in yaml json pipeline cdk_manifest; do
    if [ -d "regressions/$t" ]; then
        for f in regressions/"$t"/*; do [ -f "$f" ] && cp "$f" "corpus/$t/"; done
    fi
done
echo "seed.sh: $n files; yaml $(ls corpus/yaml | wc -l), json $(ls corpus/json | wc -l), pipeline $(ls corpus/pipeline | wc -l), cdk_manifest $(ls corpus/cdk_manifest | wc -l)"
