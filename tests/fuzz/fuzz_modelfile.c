/* libFuzzer: the DHAE model file reader. */
#include <stdint.h>
#include <stdlib.h>

#include "dhae/dhae.h"
#include "dhae/modelfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[300];
	model mf;
	if (model_read_mem(data, size, "fuzz", &mf, err, sizeof err) == 0) {
		/* what the reader accepts, a network can be built from */
		if (dhae_cfg_check(&mf.cfg, err, sizeof err) != 0 || (dhae_has_box(&mf.cfg) && !(mf.wmax > 0)) || !mf.t)
			abort();
		for (int i = 0; i < mf.nt; i++)
			if (!mf.t[i].data)
				abort();
		model_free(&mf);
	}
	return 0;
}
