# Helpers for the pipeline tests: source it, then call check/skip.
#   check NAME CMD...   runs CMD, prints "ok - NAME" or "not ok - NAME"
#   fails NAME CMD...   CMD must exit non-zero (1) and print "tool: ..." on stderr
#   skip NAME WHY
BIN=${BIN:-$(pwd)/bin}
SHARED=${SHARED:-../shared}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
check() {
	name=$1; shift
	if "$@" >"$T/.out" 2>"$T/.err"; then echo "ok - $name"
	else echo "not ok - $name"; sed 's/^/    /' "$T/.err" | tail -5; fi
}
fails() {
	name=$1; shift
	"$@" >"$T/.out" 2>"$T/.err"; rc=$?
	if [ "$rc" = 1 ] && grep -q '^[a-z-]*: ' "$T/.err"; then echo "ok - $name"
	else echo "not ok - $name (exit $rc)"; sed 's/^/    /' "$T/.err" | tail -5; fi
}
skip() { echo "skip - $1 ($2)"; }
