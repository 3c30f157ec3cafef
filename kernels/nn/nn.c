/* nn.c: device selection. The CUDA backend is linked in only when the
 * Makefile found nvcc (USC_CUDA); its entry points are weak here, so the
 * archive still links when the CUDA backend is not built. */
#include "nn/nn.h"

#include <string.h>

#include "err.h"

int nn_parse_device(const char *s, nn_device *d)
{
	if (!strcmp(s, "auto"))
		*d = NN_DEV_AUTO;
	else if (!strcmp(s, "cpu"))
		*d = NN_DEV_CPU;
	else if (!strcmp(s, "cuda"))
		*d = NN_DEV_CUDA;
	else
		return -1;
	return 0;
}

#ifdef USC_CUDA
extern nn_backend *nn_cuda_open(char *err, size_t errlen) __attribute__((weak));
extern int nn_cuda_devices(void) __attribute__((weak));
#endif

int nn_cuda_available(void)
{
#ifdef USC_CUDA
	return nn_cuda_devices && nn_cuda_devices() > 0;
#else
	return 0;
#endif
}

nn_backend *nn_open(nn_device d, int threads, char *err, size_t errlen)
{
	if (d == NN_DEV_CPU)
		return nn_cpu_open(threads);
#ifdef USC_CUDA
	if (nn_cuda_open && nn_cuda_available()) {
		nn_backend *be = nn_cuda_open(err, errlen);
		if (be || d == NN_DEV_CUDA)
			return be;
	} else if (d == NN_DEV_CUDA) {
		errf(err, errlen, "--device cuda: no CUDA device answers");
		return NULL;
	}
	return nn_cpu_open(threads);
#else
	if (d == NN_DEV_CUDA) {
		errf(err, errlen, "--device cuda: this build has no CUDA backend");
		return NULL;
	}
	return nn_cpu_open(threads);
#endif
}
