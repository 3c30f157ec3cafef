#!/bin/sh
# Every tool's options come from one table: --help (stdout, exit 0) lists
# each option its man page documents, --version names the build, usage
# errors are one line and exit 2, and streams record the build as made_by.
. tests/cli/lib.sh
for t in ae-embed ae-train cgraph-build ckmeans mots-dump mots-eval mots-extract mots-synth mots-write; do
	[ -x "$BIN/$t" ] || { skip "$t options" "no $BIN/$t"; continue; }
	check "$t --help: usage line first, exit 0" sh -c "'$BIN/$t' --help >'$T/$t.help' && head -1 '$T/$t.help' | grep -q '^usage: $t '"
	missing=$(sed -n '/^\.SH OPTIONS/,/^\.SH /p' "man/man1/$t.1" | grep -o '^\.B[IR]* \\-\\-[a-z\\-]*' |
		sed 's/^[^ ]* //; s/\\//g' | while read -r o; do grep -q -- "$o" "$T/$t.help" || echo "$o"; done)
	check "$t --help lists every option of the man page${missing:+ (missing: $missing)}" test -z "$missing"
	check "$t --version" sh -c "'$BIN/$t' --version | grep -qx '$t (usc-mots) [^ ][^ ]*'"
	check "$t: an unknown option is one line and exit 2" sh -c \
		"'$BIN/$t' --no-such-option 2>'$T/u.err'; [ \$? = 2 ] && head -1 '$T/u.err' | grep -qx \"$t: unrecognized option '--no-such-option'\" && [ \$(wc -l <'$T/u.err') = 2 ]"
done
if [ -x "$BIN/mots-synth" ]; then
	"$BIN/mots-synth" --dataset sprites -o "$T/sp" --frames 3 -q
	check "streams record the tool and build as made_by" sh -c \
		"'$BIN/mots-extract' -q --mots '$T/sp/gt/gt_mots.txt' | '$BIN/cgraph-build' -q | '$BIN/mots-dump' --head 1 | grep -q '\"made_by\":\"cgraph-build '\"\$('$BIN/cgraph-build' --version | sed 's/.* //')\"'\"}'"
	check "the same build writes the same bytes" sh -c \
		"'$BIN/mots-extract' -q --mots '$T/sp/gt/gt_mots.txt' >'$T/a' && '$BIN/mots-extract' -q --mots '$T/sp/gt/gt_mots.txt' >'$T/b' && cmp '$T/a' '$T/b'"
fi
