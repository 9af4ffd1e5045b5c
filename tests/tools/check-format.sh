#!/bin/sh
# Every C file git tracks in the tree follows .clang-format: what
# `clang-format --dry-run -Werror` says of them, nothing when they do.
# Usage: check-format.sh [SOURCE_DIR [CLANG_FORMAT]]; by hand, without
# arguments, it checks the tree it is in with the clang-format on the PATH.
set -eu
cd "${1:-$(dirname "$0")/../..}"
format=${2:-clang-format}
git ls-files -z '*.c' '*.h' | xargs -0 "$format" --dry-run -Werror
