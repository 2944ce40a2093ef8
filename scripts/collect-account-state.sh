#!/bin/sh
# Saves what privnet-lint --account-state reads: the JSON output of
# read-only AWS CLI calls, one folder per region (SPEC §7, README
# "Checking against your account").
#
#   scripts/collect-account-state.sh --regions us-east-1,eu-west-1 --out account-state
#   privnet-lint stacks/ --region us-east-1 --account-state account-state
#
# Every call only reads (docs/account-state-policy.json is the IAM policy
# with exactly these actions). The AWS CLI's own pagination merges the
# pages; --max-items is never used (a page with NextToken is refused).
# Credentials and the profile come from the usual AWS CLI environment
# (AWS_PROFILE, ...). The output holds account IDs and ARNs: keep it out of
# public repositories.
set -eu

usage() {
    cat <<'EOF'
usage: collect-account-state.sh --regions REGION[,REGION...] [--out DIR]

  --regions   regions to read (default: $AWS_REGION, else $AWS_DEFAULT_REGION)
  --out       folder to write (default: account-state); one folder per region
              inside it, IAM (global) at its top
EOF
}

regions="${AWS_REGION:-${AWS_DEFAULT_REGION:-}}"
out="account-state"
while [ "$#" -gt 0 ]; do
    case "$1" in
        --regions)
            [ "$#" -ge 2 ] || { usage >&2; exit 2; }
            regions="$2"
            shift 2
            ;;
        --regions=*)
            regions="${1#--regions=}"
            shift
            ;;
        --out)
            [ "$#" -ge 2 ] || { usage >&2; exit 2; }
            out="$2"
            shift 2
            ;;
        --out=*)
            out="${1#--out=}"
            shift
            ;;
        -h | --help)
            usage
            exit 0
            ;;
        *)
            echo "collect-account-state: unknown argument: $1" >&2
            usage >&2
            exit 2
            ;;
    esac
done

if [ -z "$regions" ]; then
    echo "collect-account-state: no region: give --regions (or set AWS_REGION)" >&2
    exit 2
fi
if ! command -v aws >/dev/null 2>&1; then
    echo "collect-account-state: the AWS CLI (aws) is not installed" >&2
    exit 2
fi

# no pager, JSON output whatever the profile says
AWS_PAGER=""
export AWS_PAGER

# save FILE ARGS...: runs `aws ARGS... --output json` into FILE (written
# whole or not at all); fails the script when the call fails.
save() {
    file="$1"
    shift
    if aws "$@" --output json >"$file.part"; then
        mv "$file.part" "$file"
    else
        rm -f "$file.part"
        echo "collect-account-state: failed: aws $*" >&2
        exit 1
    fi
}

# save_optional FILE ARGS...: the same for calls an older CLI or a region
# may not support (transit gateways, Block Public Access, instances): a
# failure is a warning and no file.
save_optional() {
    file="$1"
    shift
    if aws "$@" --output json >"$file.part"; then
        mv "$file.part" "$file"
    else
        rm -f "$file.part"
        echo "collect-account-state: warning: skipped (failed): aws $*" >&2
    fi
}

# ids ARGS...: the IDs a `--query` selects, one per line; fails (with
# status 1) when the call fails.
ids() {
    if ! list=$(aws "$@" --output text); then
        echo "collect-account-state: failed: aws $*" >&2
        return 1
    fi
    printf '%s\n' "$list" | tr '\t' '\n' | grep -v -e '^None$' -e '^$' || true
}

mkdir -p "$out"

# IAM is global: roles, instance profiles, inline and managed policies
# (users and groups are not needed and not read).
save "$out/iam.json" iam get-account-authorization-details \
    --filter Role LocalManagedPolicy AWSManagedPolicy

old_ifs="$IFS"
IFS=','
set -f
# shellcheck disable=SC2086 # splitting the comma list is the point
set -- $regions
set +f
IFS="$old_ifs"
for region in "$@"; do
    dir="$out/$region"
    mkdir -p "$dir"
    echo "collect-account-state: $region" >&2
    r="--region $region"
    # shellcheck disable=SC2086 # $r is two words
    {
        save "$dir/vpcs.json" ec2 describe-vpcs $r
        vpcs=$(ids ec2 describe-vpcs $r --query 'Vpcs[].VpcId') || exit 1
        for vpc in $vpcs; do
            save "$dir/$vpc-enableDnsSupport.json" ec2 describe-vpc-attribute $r --vpc-id "$vpc" --attribute enableDnsSupport
            save "$dir/$vpc-enableDnsHostnames.json" ec2 describe-vpc-attribute $r --vpc-id "$vpc" --attribute enableDnsHostnames
        done
        save "$dir/subnets.json" ec2 describe-subnets $r
        save "$dir/route-tables.json" ec2 describe-route-tables $r
        save "$dir/security-groups.json" ec2 describe-security-groups $r
        save "$dir/network-acls.json" ec2 describe-network-acls $r
        save "$dir/vpc-endpoints.json" ec2 describe-vpc-endpoints $r
        save "$dir/managed-prefix-lists.json" ec2 describe-managed-prefix-lists $r
        save "$dir/prefix-lists.json" ec2 describe-prefix-lists $r
        # the entries output names no list: the file is named after it
        lists=$(ids ec2 describe-managed-prefix-lists $r --query "PrefixLists[?OwnerId!='AWS'].PrefixListId") || exit 1
        for pl in $lists; do
            save "$dir/$pl.json" ec2 get-managed-prefix-list-entries $r --prefix-list-id "$pl"
        done
        save "$dir/network-interfaces.json" ec2 describe-network-interfaces $r
        save "$dir/internet-gateways.json" ec2 describe-internet-gateways $r
        save "$dir/egress-only-internet-gateways.json" ec2 describe-egress-only-internet-gateways $r
        save "$dir/nat-gateways.json" ec2 describe-nat-gateways $r
        save "$dir/dhcp-options.json" ec2 describe-dhcp-options $r
        save "$dir/vpc-peering-connections.json" ec2 describe-vpc-peering-connections $r
        save_optional "$dir/vpc-block-public-access-options.json" ec2 describe-vpc-block-public-access-options $r
        save_optional "$dir/vpc-block-public-access-exclusions.json" ec2 describe-vpc-block-public-access-exclusions $r
        save_optional "$dir/instances.json" ec2 describe-instances $r
        save_optional "$dir/transit-gateways.json" ec2 describe-transit-gateways $r
        save_optional "$dir/transit-gateway-attachments.json" ec2 describe-transit-gateway-attachments $r
        save_optional "$dir/transit-gateway-route-tables.json" ec2 describe-transit-gateway-route-tables $r
        if [ -f "$dir/transit-gateway-route-tables.json" ] &&
            tables=$(ids ec2 describe-transit-gateway-route-tables $r --query 'TransitGatewayRouteTables[].TransitGatewayRouteTableId'); then
            for rtb in $tables; do
                save_optional "$dir/$rtb.json" ec2 search-transit-gateway-routes $r \
                    --transit-gateway-route-table-id "$rtb" --filters Name=state,Values=active,blackhole
            done
        fi
        save "$dir/exports.json" cloudformation list-exports $r
        save "$dir/stacks.json" cloudformation describe-stacks $r
        # the Session Manager preferences exist once someone saved them
        if aws ssm get-document $r --name SSM-SessionManagerRunShell --document-format JSON --output json \
            >"$dir/session-preferences.json.part" 2>"$dir/session-preferences.err"; then
            mv "$dir/session-preferences.json.part" "$dir/session-preferences.json"
        elif grep -q 'InvalidDocument' "$dir/session-preferences.err"; then
            rm -f "$dir/session-preferences.json.part"
            echo "collect-account-state: $region has no Session Manager preferences document (defaults apply)" >&2
        else
            cat "$dir/session-preferences.err" >&2
            rm -f "$dir/session-preferences.json.part" "$dir/session-preferences.err"
            echo "collect-account-state: failed: aws ssm get-document $r --name SSM-SessionManagerRunShell" >&2
            exit 1
        fi
        rm -f "$dir/session-preferences.err"
    }
done
echo "collect-account-state: done: privnet-lint ... --account-state $out" >&2
