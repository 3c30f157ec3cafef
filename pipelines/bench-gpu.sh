#!/bin/sh
# The GPU benchmark under its long-standing name (pipelines/bench/gpu.sh).
exec sh "$(dirname "$0")/bench/gpu.sh" "$@"
