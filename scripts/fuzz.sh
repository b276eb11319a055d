#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the libFuzzer targets of fuzz/ (clang, ASan, UBSan) in build-fuzz/ and runs them.
#
#   scripts/fuzz.sh --smoke [RUNS]        every target for RUNS inputs (default 20,000; fuzz_npy 5,000) from its
#                                         seeds, one process at a time: what scripts/test.sh runs. Fails on any
#                                         crash, leak, UB or broken invariant.
#   scripts/fuzz.sh --long SECONDS [TARGET...]
#                                         each target (or those named) for SECONDS, on FUZZ_JOBS processes
#                                         (default 1), growing the corpus in build-fuzz/corpus/TARGET; crashes
#                                         land in build-fuzz/crashes/TARGET/
#   scripts/fuzz.sh --merge [TARGET...]   adds what build-fuzz/corpus/TARGET covers beyond fuzz/corpus/TARGET to
#                                         the latter (not the whole-file targets unless named: 64 KiB per file)
#   scripts/fuzz.sh --build               only builds
#
# The targets need clang-14 and libFuzzer (Debian: clang-14, libclang-rt-14-dev; scripts/setup.sh installs them).
# fuzz_npy also needs the OpenVINO wheel in .venv (scripts/setup.sh makes it); without it that target is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=${OVSEAL_FUZZ_BUILD:-build-fuzz}

mode=${1:---smoke}
shift || true

configure_and_build() {
    local openvino=()
    if [ -x .venv/bin/python ]; then
        local dir
        if dir=$(.venv/bin/python -c "from openvino.utils import get_cmake_path; print(get_cmake_path())" 2>/dev/null); then
            openvino=(-DOpenVINO_DIR="$dir")
        fi
    fi
    if [ ! -f "$build/build.ninja" ]; then
        cmake -S . -B "$build" -G Ninja -DOVSEAL_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
            -DCMAKE_CXX_COMPILER=clang++-14 "${openvino[@]}" >/dev/null
    fi
    cmake --build "$build"
}

targets_of() {
    if (($#)); then printf '%s\n' "$@"; else cat "$build/fuzz_targets.txt"; fi
}

# Seeds of TARGET: fuzz/corpus/TARGET, and for the targets that open whole files, the test vectors.
seed_dirs() {
    local target=$1
    if [ -d "$root/fuzz/corpus/$target" ]; then echo "$root/fuzz/corpus/$target"; fi
    case $target in
        fuzz_sealed_open|fuzz_sealed_remac) echo "$root/$build/seeds/sealed" ;;
        fuzz_cache_entry) echo "$root/$build/seeds/cache" ;;
    esac
}

prepare_sealed_seeds() {
    rm -rf "$build/seeds/sealed"
    mkdir -p "$build/seeds/sealed"
    cp tests/vectors/*.ovseal "$build/seeds/sealed/"
    rm -rf "$build/seeds/cache"
    mkdir -p "$build/seeds/cache"
    cp tests/vectors/cache_entry_*.ovseal "$build/seeds/cache/"
}

# Options per target: the largest input, and a dictionary if there is one.
options_of() {
    local target=$1
    case $target in
        fuzz_sealed_open|fuzz_sealed_remac|fuzz_cache_entry) echo "-max_len=262144" ;;
        fuzz_npy) echo "-max_len=70000" ;;
        *) echo "-max_len=8192" ;;
    esac
    local dict=$target
    case $target in fuzz_stanzas|fuzz_sealed_open|fuzz_sealed_remac|fuzz_cache_entry) dict=fuzz_header ;; esac
    if [ -f "$root/fuzz/dict/$dict.dict" ]; then echo "-dict=$root/fuzz/dict/$dict.dict"; fi
}

export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

case $mode in
--build)
    configure_and_build
    ;;
--smoke)
    configure_and_build
    prepare_sealed_seeds
    passed=0
    failed=0
    for target in $(targets_of); do
        # 20,000 inputs each (fuzz_npy, whose regexes make it ~50 times slower than the others: 5,000).
        runs=${1:-20000}
        if [ -z "${1:-}" ] && [ "$target" = fuzz_npy ]; then runs=5000; fi
        work=$(mktemp -d)
        log="$build/smoke-$target.log"
        start=$SECONDS
        # shellcheck disable=SC2046
        if (cd "$work" && "$root/$build/fuzz/$target" -runs="$runs" -seed=1 -timeout=60 -rss_limit_mb=4096 \
                -artifact_prefix="$work/" $(options_of "$target") "$work" $(seed_dirs "$target")) >"$log" 2>&1; then
            echo "fuzz: $target: $(grep -o 'Done [0-9]* runs' "$log" | tail -1) in $((SECONDS - start)) s"
            passed=$((passed + 1))
        else
            echo "fuzz: $target FAILED; the end of its log ($log):"
            tail -40 "$log"
            mkdir -p "$build/crashes/$target"
            cp "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-* "$build/crashes/$target/" 2>/dev/null || true
            failed=$((failed + 1))
        fi
        rm -rf "$work"
    done
    echo "fuzz: $passed passed, $failed failed"
    ((failed == 0))
    ;;
--long)
    seconds=${1:?"usage: scripts/fuzz.sh --long SECONDS [TARGET...]"}
    shift
    jobs=${FUZZ_JOBS:-1}
    configure_and_build
    prepare_sealed_seeds
    for target in $(targets_of "$@"); do
        corpus="$root/$build/corpus/$target"
        crashes="$root/$build/crashes/$target"
        logs="$root/$build/logs/$target"
        mkdir -p "$corpus" "$crashes" "$logs"
        rm -f "$logs"/*.log
        echo "fuzz: $target for $seconds s on $jobs process(es); logs in $logs"
        parallel=()
        if ((jobs > 1)); then parallel=(-jobs="$jobs" -workers="$jobs"); fi
        # shellcheck disable=SC2046
        (cd "$logs" && "$root/$build/fuzz/$target" -max_total_time="$seconds" -timeout=60 -rss_limit_mb=4096 \
            -print_final_stats=1 -artifact_prefix="$crashes/" "${parallel[@]}" \
            $(options_of "$target") "$corpus" $(seed_dirs "$target") >"$logs/fuzz.log" 2>&1) ||
            echo "fuzz: $target stopped on a finding: see $crashes and $logs"
        # Executions and coverage, summed over the processes.
        cat "$logs"/*.log | awk -v target="$target" '
            /stat::number_of_executed_units/ { runs += $2 }
            /stat::average_exec_per_sec/ { rate += $2 }
            /^#[0-9]+.*cov: / { for (i = 1; i < NF; i++) if ($i == "cov:" && $(i + 1) > cov) cov = $(i + 1) }
            END { printf "fuzz: %s: %d executions, %d exec/s, coverage %s\n", target, runs, rate, cov }'
    done
    ;;
--merge)
    configure_and_build
    for target in $(targets_of "$@"); do
        [ -d "$build/corpus/$target" ] || continue
        # Whole sealed files are 64 KiB and more each: their corpus stays out of the repository unless named.
        if (($# == 0)) && [[ $target == fuzz_sealed_* || $target == fuzz_cache_entry ]]; then continue; fi
        mkdir -p "fuzz/corpus/$target"
        # shellcheck disable=SC2046
        "$build/fuzz/$target" -merge=1 $(options_of "$target") "fuzz/corpus/$target" "$build/corpus/$target"
    done
    ;;
*)
    echo "usage: scripts/fuzz.sh --smoke [RUNS] | --long SECONDS [TARGET...] | --merge [TARGET...] | --build" >&2
    exit 2
    ;;
esac
