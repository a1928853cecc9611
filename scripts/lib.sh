# scripts/lib.sh: shared by scripts/conform and scripts/test (sourced, not run).
# Installs what the project needs from Debian's packages, then builds.

# Everything the project builds and tests with, by Debian package name.
ECRC_PACKAGES="gcc make cmake pkg-config libcurl4-openssl-dev libssl-dev libjson-c-dev
libmicrohttpd-dev libpcre2-dev libcunit1-dev clang-format python3 python3-pytest python3-pytest-xdist
python3-boto3 libxml2-utils"

# The one interpreter that drives the pytest tests: Debian's python3, because
# that is where python3-pytest and python3-boto3 install. (A pyenv python3
# earlier on PATH has no pytest; it is used only for its optional moto_server.)
ECRC_PYTHON=/usr/bin/python3

ecrc_root() { cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd; }

# ecrc_install_deps [PACKAGES]: installs what is missing of PACKAGES
# (default: ECRC_PACKAGES).
ecrc_install_deps() {
    local missing=() p
    for p in ${1:-$ECRC_PACKAGES}; do
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

# The libFuzzer build (scripts/fuzz, scripts/fuzz-long, CI=true scripts/test):
# clang only here, never for the normal build. ECRC_FUZZ_DIR picks another
# build directory (default build-fuzz).
ECRC_FUZZ_DIR=${ECRC_FUZZ_DIR:-build-fuzz}

# ecrc_fuzz_build: builds the fuzz targets into build-fuzz with clang and
# writes the seed corpora (scripts/fuzz-seeds) into build-fuzz/seeds.
ecrc_fuzz_build() {
    ecrc_install_deps "clang" || return 1
    # -Werror as in every build: a fuzz target once called an undeclared
    # memmem, got its pointer cut to an int, and tested nothing.
    CC=clang ecrc_build "$ECRC_FUZZ_DIR" -DECRC_FUZZ=ON -DBUILD_TESTING=OFF \
        || return 1
    ./scripts/fuzz-seeds "$ECRC_FUZZ_DIR/seeds" || return 1
    mkdir -p "$ECRC_FUZZ_DIR/logs" "$ECRC_FUZZ_DIR/work"
}

# ecrc_fuzz_run TARGET [libFuzzer options...]: runs one target in
# build-fuzz/work on its corpus (build-fuzz/corpus/TARGET, new inputs), its
# seeds and tests/fuzz/regressions/TARGET (past findings, kept in git); the log is build-fuzz/logs/TARGET.log, crashes go to
# build-fuzz/crashes/TARGET/. Returns non-zero on a finding.
ecrc_fuzz_run() {
    local t=$1 d
    shift
    d=$(cd "$ECRC_FUZZ_DIR" && pwd)
    mkdir -p "$d/corpus/$t" "$d/crashes/$t" "$d/work/$t"
    # inputs that once crashed a target replay first, every run
    local regress=
    [ -d "tests/fuzz/regressions/$t" ] && regress="$PWD/tests/fuzz/regressions/$t"
    echo "== fuzz $t $* =="
    (cd "$d/work/$t" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        "$d/fuzz_$t" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
        -artifact_prefix="$d/crashes/$t/" -print_final_stats=1 "$@" \
        "$d/corpus/$t" "$d/seeds/$t" $regress) >"$d/logs/$t.log" 2>&1
    local rc=$?
    grep -h 'stat::number_of_executed_units\|^Done\|ERROR' "$d/logs/$t.log" | head -5
    # A target whose seeds reach almost no code is broken, however many
    # executions it runs (the floor is far below what each target reaches:
    # sigv4 ~250 edges, the others 700-900).
    local cov
    cov=$(grep -o 'INITED cov: [0-9]*' "$d/logs/$t.log" | head -1 | tr -dc 0-9)
    if [ $rc -eq 0 ] && [ "${cov:-0}" -lt "${ECRC_FUZZ_MIN_COV:-100}" ]; then
        echo "fuzz $t: its seeds cover ${cov:-no} edges (< ${ECRC_FUZZ_MIN_COV:-100}): the target tests nothing" >&2
        rc=1
    fi
    [ $rc -eq 0 ] || echo "fuzz $t: FAILED (log: $ECRC_FUZZ_DIR/logs/$t.log)" >&2
    return $rc
}
