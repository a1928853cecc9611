# scripts/lib.sh: shared by scripts/conform and scripts/test (sourced, not run).
# Installs what the project needs from Debian's packages, then builds.

# Everything the project builds and tests with, by Debian package name.
ECRC_PACKAGES="gcc make cmake pkg-config libcurl4-openssl-dev libssl-dev libjson-c-dev
libmicrohttpd-dev libpcre2-dev libcunit1-dev clang-format python3 python3-pytest python3-boto3"

# The one interpreter that drives the pytest tests: Debian's python3, because
# that is where python3-pytest and python3-boto3 install. (A pyenv python3
# earlier on PATH has no pytest; it is used only for its optional moto_server.)
ECRC_PYTHON=/usr/bin/python3

ecrc_root() { cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd; }

ecrc_install_deps() {
    local missing=() p
    for p in $ECRC_PACKAGES; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "ecrconform: installing missing packages: ${missing[*]}"
    if [ "$(id -u)" -ne 0 ]; then
        echo "ecrconform: not root; run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
        return 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq </dev/null && \
        apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null || {
        echo "ecrconform: apt-get install failed for: ${missing[*]}" >&2
        return 1
    }
}

# ecrc_build DIR [cmake options...]: configure and build into DIR.
ecrc_build() {
    local dir=$1
    shift
    cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null || return 1
    cmake --build "$dir" -j "$(nproc)" -- --no-print-directory >"$dir/build.log" 2>&1 || {
        cat "$dir/build.log" >&2
        echo "ecrconform: build failed ($dir)" >&2
        return 1
    }
}
