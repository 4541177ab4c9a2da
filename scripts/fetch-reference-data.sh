#!/usr/bin/env bash
# Get the authors' released teacher-student files (the `ts_release` figure, the `analyze`
# example and the tests marked "needs the authors' released files") and check every one against
# the SHA-256 committed in scripts/reference-data.sha256.
#
#   scripts/fetch-reference-data.sh DIR               # download the release into DIR
#   scripts/fetch-reference-data.sh --from SRC DIR    # copy from a local copy SRC instead
#   scripts/fetch-reference-data.sh --check DIR       # only check DIR
#
# then `export RMT_SGD_REFERENCE_DATA=DIR` (or use DIR = ../shared/reference-data, the default
# beside the repository).
#
# The release: Zenodo DOI 10.5281/zenodo.13310439 (v1.0.1 of the GitHub repository
# chanjure/Stochastic_weight_matrix_dynamics_during_learning_and_Dyson_Brownian_motion-data_release).
# Its archive holds data/TSmodel/{ns,lr,bs}/<stem>/<stem>.npz; DIR receives the same
# TSmodel/... tree (the layout of scripts/reference-data.sha256). SRC may be either a directory
# of that layout or an unpacked release (with data/TSmodel/). Nothing is left in DIR unless every
# file checks: the files are gathered in a temporary directory beside DIR and moved in at the end.
#
# Exit status: 0 all files present and identical; 1 a file is missing or differs (named on
# stderr); 2 bad usage or a failed download.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
list="$here/reference-data.sha256"
record="https://zenodo.org/api/records/13310439"
github="https://github.com/chanjure/Stochastic_weight_matrix_dynamics_during_learning_and_Dyson_Brownian_motion-data_release/archive/refs/tags/v1.0.1.tar.gz"

usage() {
    echo "usage: $0 [--from SRC | --check] DIR" >&2
    exit 2
}

# die MESSAGE [STATUS]: one line on stderr, exit STATUS (default 2).
die() {
    echo "error: $1" >&2
    exit "${2:-2}"
}

# The listed paths (comments and blank lines dropped).
listed() {
    grep -v '^#' "$list" | grep -v '^[[:space:]]*$'
}

sha256() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d' ' -f1
    else
        shasum -a 256 "$1" | cut -d' ' -f1
    fi
}

# check DIR [ORIGIN]: every listed file is in DIR with its hash; names the first that is not
# (as ORIGIN/<path>: where the bad file came from).
check() {
    local dir=$1 origin=${2:-$1} n=0 want path got
    while read -r want path; do
        [ -f "$dir/$path" ] || die "$origin/$path is missing" 1
        got="$(sha256 "$dir/$path")"
        [ "$got" = "$want" ] || die "$origin/$path: sha256 $got, expected $want (scripts/reference-data.sha256)" 1
        n=$((n + 1))
    done < <(listed)
    echo "reference data: $n file(s) in $dir match scripts/reference-data.sha256"
}

# gather SRC STAGE: copy the listed files of SRC (reference-data layout or unpacked release).
gather() {
    local src=$1 stage=$2 root path
    if [ -d "$src/TSmodel" ]; then
        root=$src
    elif [ -d "$src/data/TSmodel" ]; then
        root=$src/data
    else
        root="$(find "$src" -maxdepth 3 -type d -name TSmodel -printf '%h\n' 2>/dev/null | head -n 1)"
        [ -n "$root" ] || die "$src holds no TSmodel/ directory (neither the release nor its data/)" 1
    fi
    while read -r _ path; do
        [ -f "$root/$path" ] || die "$root/$path is missing" 1
        mkdir -p "$stage/$(dirname "$path")"
        cp "$root/$path" "$stage/$path"
    done < <(listed)
}

# download STAGE: the release archive from Zenodo (GitHub as a fallback), unpacked into STAGE.
download() {
    local stage=$1 tmp url
    command -v curl >/dev/null 2>&1 || die "curl is needed to download the release"
    tmp="$stage/.download"
    mkdir -p "$tmp"
    # The record's JSON lists its files; the release is one archive of the repository.
    url="$(curl -fsSL "$record" 2>/dev/null \
        | grep -o '"https://zenodo.org/api/records/13310439/files/[^"]*/content"' \
        | head -n 1 | tr -d '"')" || true
    if [ -z "$url" ]; then
        echo "Zenodo record not reachable or without files; trying $github" >&2
        url=$github
    fi
    echo "downloading $url" >&2
    curl -fL --retry 3 -o "$tmp/release" "$url" || die "download of $url failed"
    mkdir -p "$tmp/unpacked"
    if unzip -tq "$tmp/release" >/dev/null 2>&1; then
        unzip -q "$tmp/release" -d "$tmp/unpacked" || die "cannot unpack $url"
    else
        tar -xzf "$tmp/release" -C "$tmp/unpacked" || die "cannot unpack $url"
    fi
    gather "$tmp/unpacked" "$stage"
    rm -rf "$tmp"
}

mode=download
src=
case "${1:-}" in
--from)
    [ $# -eq 3 ] || usage
    mode=from
    src=$2
    shift 2
    ;;
--check)
    [ $# -eq 2 ] || usage
    mode=check
    shift
    ;;
-h | --help) usage ;;
esac
[ $# -eq 1 ] || usage
dir=$1

if [ "$mode" = check ]; then
    check "$dir"
    exit 0
fi
[ "$mode" = from ] && { [ -d "$src" ] || die "$src is not a directory"; }

mkdir -p "$dir"
stage="$(mktemp -d "$dir/.fetch-XXXXXX")"
trap 'rm -rf "$stage"' EXIT
if [ "$mode" = from ]; then
    gather "$src" "$stage"
else
    download "$stage"
fi
check "$stage" "${src:-the download}" >/dev/null
while read -r _ path; do
    mkdir -p "$dir/$(dirname "$path")"
    mv -f "$stage/$path" "$dir/$path"
done < <(listed)
check "$dir"
echo "set RMT_SGD_REFERENCE_DATA=$(cd "$dir" && pwd) (unless $dir is ../shared/reference-data beside the repository)"
