/* nn.c: device selection. The CUDA backend is a shared object loaded at
 * run time (libusc-cuda.so, see nn_cuda_path), so one build starts on
 * machines without the CUDA libraries and falls back to the CPU there. */
#include "nn/nn.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* The backend's two entry points, once loaded. */
static struct {
	int tried;
	nn_backend *(*open)(char *err, size_t errlen);
	int (*devices)(void);
	char why[4608];     /* why it did not load (holds a path) */
} cuda;

int nn_cuda_path(char *buf, size_t len)
{
	const char *env = getenv("USC_CUDA_BACKEND");
	if (env && *env)
		return snprintf(buf, len, "%s", env) < (int)len ? 0 : -1;
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return -1;
	exe[n] = 0;
	char *slash = strrchr(exe, '/');
	if (slash)
		*slash = 0;
	return snprintf(buf, len, "%s/../lib/usc-mots/libusc-cuda.so", exe) < (int)len ? 0 : -1;
}

static void cuda_load(void)
{
	if (cuda.tried)
		return;
	cuda.tried = 1;
	char path[4200];
	if (nn_cuda_path(path, sizeof path) != 0) {
		snprintf(cuda.why, sizeof cuda.why, "cannot locate the CUDA backend");
		return;
	}
	if (access(path, F_OK) != 0) {
		snprintf(cuda.why, sizeof cuda.why, "this build has no CUDA backend (no %s)", path);
		return;
	}
	/* The backend calls die() and errf() of the program that loads it
	 * (programs are linked with --export-dynamic). */
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(cuda.why, sizeof cuda.why, "cannot load the CUDA backend: %s", dlerror());
		return;
	}
	*(void **)&cuda.open = dlsym(h, "nn_cuda_open");
	*(void **)&cuda.devices = dlsym(h, "nn_cuda_devices");
	if (!cuda.open || !cuda.devices) {
		snprintf(cuda.why, sizeof cuda.why, "%s is not a usc-mots CUDA backend", path);
		cuda.open = NULL, cuda.devices = NULL;
		dlclose(h);
	}
}

int nn_cuda_available(void)
{
	cuda_load();
	if (!cuda.devices)
		return 0;
	if (cuda.devices() > 0)
		return 1;
	snprintf(cuda.why, sizeof cuda.why, "no CUDA device answers");
	return 0;
}

const char *nn_cuda_why(void)
{
	return nn_cuda_available() ? "" : cuda.why;
}

nn_backend *nn_open(nn_device d, int threads, char *err, size_t errlen)
{
	if (d == NN_DEV_CPU)
		return nn_cpu_open(threads);
	if (nn_cuda_available()) {
		nn_backend *be = cuda.open(err, errlen);
		if (be || d == NN_DEV_CUDA)
			return be;
	} else if (d == NN_DEV_CUDA) {
		errf(err, errlen, "--device cuda: %s", cuda.why);
		return NULL;
	}
	return nn_cpu_open(threads);
}
