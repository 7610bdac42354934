#!/usr/bin/env bash
# Builds the libFuzzer targets straight from the module sources and runs each for a while.
#
#   LoadTests/Fuzz/run.sh [seconds-per-target] [target…]     (default: 60 s, every target)
#   targets: http-request  sse  json-query
#
# Each target is compiled with `swiftc -parse-as-library -sanitize=fuzzer,address` into .fuzz-build/
# (not part of `swift build`: the sanitizer flags would break a normal build). The committed seed
# corpus in LoadTests/Fuzz/corpus/<target>/ is read; new inputs go to .fuzz-build/corpus/<target>/.
# A crash, hang (-timeout) or leak leaves its input in fuzz-artifacts/<target>/ and makes the script
# exit non-zero after the remaining targets have run.
set -uo pipefail
cd "$(dirname "$0")/../.."

seconds="${1:-60}"
shift || true
all_targets=(http-request sse json-query)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")

build_dir=.fuzz-build
mkdir -p "$build_dir"
export SWIFT_BACKTRACE=enable=no   # Swift's backtracer trips AddressSanitizer and hangs
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}"

# Sources compiled into each target's fuzz binary (one module per target).
sources_for() {
    case "$1" in
        http-request) echo Sources/ByteAppending/*.swift Sources/HTTPWire/*.swift LoadTests/Fuzz/FuzzHTTPRequestParser.swift ;;
        sse)          echo Sources/HTTPWire/SSEParser.swift Sources/HTTPWire/SSEParser+Lines.swift Sources/HTTPWire/SSEEvent.swift LoadTests/Fuzz/FuzzSSEParser.swift ;;
        json-query)   echo $(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' LoadTests/Fuzz/json-query.sources) LoadTests/Fuzz/FuzzQueryRequestDecoding.swift ;;
        *) echo "unknown fuzz target: $1 (known: ${all_targets[*]})" >&2; return 1 ;;
    esac
}

# Copies the sources into one directory without `import <project module>` lines: files from
# several modules are compiled as one module here.
stage_sources() {
    local dir="$build_dir/src/$1"
    shift
    rm -rf "$dir"
    mkdir -p "$dir"
    for file in "$@"; do
        [ -f "$file" ] || { echo "missing source $file" >&2; return 1; }
        local staged="$dir/$(echo "$file" | tr '/' '_')"
        sed -E '/^(@testable )?import (ByteAppending|HTTPWire|HTTPServer|JSONText|Telemetry|Metering|Upstream|SQLiteLedger|MockUpstream|ThreadMeterApp|CSQLite)$/d' "$file" > "$staged"
        echo "$staged"
    done
}

max_len_for() {
    case "$1" in
        http-request) echo 65536 ;;
        sse) echo 16384 ;;
        json-query) echo 65536 ;;
    esac
}

failed=()
for target in "${targets[@]}"; do
    srcs=$(sources_for "$target") || exit 2
    # shellcheck disable=SC2086
    staged=$(stage_sources "$target" $srcs) || { failed+=("$target(sources)"); continue; }
    binary="$build_dir/fuzz-$target"
    echo "== $target: building"
    # shellcheck disable=SC2086
    if ! swiftc -parse-as-library -sanitize=fuzzer,address -O -g \
            -module-name "Fuzz_${target//-/_}" $staged -o "$binary" 2> "$build_dir/$target.build.log"; then
        cat "$build_dir/$target.build.log" >&2
        echo "== $target: BUILD FAILED" >&2
        failed+=("$target(build)")
        continue
    fi
    work_corpus="$build_dir/corpus/$target"
    artifacts="fuzz-artifacts/$target/"
    mkdir -p "$work_corpus" "$artifacts"
    echo "== $target: fuzzing for ${seconds}s"
    "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="$(max_len_for "$target")" \
        -artifact_prefix="$artifacts" -print_final_stats=1 \
        "$work_corpus" "LoadTests/Fuzz/corpus/$target" > "$build_dir/$target.log" 2>&1
    status=$?
    grep -E "^(stat::number_of_executed_units|stat::new_units_added|stat::peak_rss_mb)" "$build_dir/$target.log" | sed "s/^/   /"
    if [ $status -ne 0 ]; then
        echo "== $target: FAILED (exit $status); last lines of $build_dir/$target.log:" >&2
        tail -40 "$build_dir/$target.log" >&2
        ls -1 "$artifacts" >&2
        failed+=("$target")
    else
        echo "== $target: ok"
    fi
done

if [ ${#failed[@]} -ne 0 ]; then
    echo "fuzzing failed: ${failed[*]}" >&2
    exit 1
fi
echo "fuzzing passed: ${targets[*]}"
