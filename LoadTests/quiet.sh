#!/usr/bin/env bash
# LoadTests/quiet.sh <command…>: for measurements on a machine other engineers compile on (the numbers in
# docs/benchmarks.md were taken this way). Test runners are paused too.
# Runs "$@" with every compiler/build process of the other engineers paused (SIGSTOP), resumed on exit.
pids=$(pgrep -f 'swift-frontend|swift-build|swift-driver|clang|/ld|swiftc|swift-test|xctest|\.xctest|PackageTests' | grep -v "^$$\$")
for p in $pids; do kill -STOP $p 2>/dev/null; done
trap 'for p in $pids; do kill -CONT $p 2>/dev/null; done' EXIT
"$@"
