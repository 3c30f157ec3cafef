/* libFuzzer: the MNIST IDX3 digit reader, on a file holding the input. */
#include <stdint.h>
#include <stdlib.h>

#include "synth/synth.h"
#include "fuzz_tmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[300], err[300] = "";
	synth_digits d;
	snprintf(path, sizeof path, "%s/digits.idx3-ubyte", fuzz_tmp());
	if (fuzz_write(path, data, size) != 0)
		return 0;
	if (synth_digits_load(path, &d, err, sizeof err) != 0) {
		if (!err[0] || d.px || d.n)
			abort();
		return 0;
	}
	/* the pool is the file's pixels, in order */
	if (!d.n || !d.px || 16 + (size_t)d.n * 784 > size || memcmp(d.px, data + 16, (size_t)d.n * 784))
		abort();
	synth_digits_free(&d);
	return 0;
}
