/* libFuzzer: frame folders (frame_list_dir, frame_png_path). The input is
 * file names, one a line; each becomes an empty file in a fresh folder. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frames.h"
#include "fuzz_tmp.h"

/* What frame_list_dir should list: digits then ".png", 1..12 digits. */
static int frame_name(const char *s)
{
	size_t d = strspn(s, "0123456789");
	return d >= 1 && d <= 12 && strcmp(s + d, ".png") == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[600], err[300] = "", name[256];
	const char *dir = fuzz_tmp();
	size_t made = 0;
	fuzz_tmp_clear();
	for (size_t i = 0; i < size;) {
		size_t n = 0;
		while (i < size && data[i] != '\n') {
			if (n < sizeof name - 1)
				name[n++] = (char)data[i];
			i++;
		}
		i++;
		name[n] = 0;
		if (!n || strlen(name) != n || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, name);
		if (access(path, F_OK) == 0 || fuzz_write(path, NULL, 0) != 0)
			continue;
		made += frame_name(name);
	}

	frame_list fl;
	if (frame_list_dir(dir, &fl, err, sizeof err) != 0) {
		if (!err[0] || made < 2)
			abort();   /* only two names for one frame fail */
		return 0;
	}
	if (fl.n != made)
		abort();
	size_t dn = strlen(dir);
	for (size_t i = 0; i < fl.n; i++) {
		const char *p = fl.path[i];
		if ((i && fl.frame[i] <= fl.frame[i - 1]) || strncmp(p, dir, dn) || p[dn] != '/'
		    || !frame_name(p + dn + 1) || strtoll(p + dn + 1, NULL, 10) != fl.frame[i]
		    || access(p, F_OK) != 0)
			abort();
		/* the lookup by number finds a file of this frame, if any */
		if (frame_png_path(dir, fl.frame[i], path, sizeof path) == 0
		    && strtoll(path + dn + 1, NULL, 10) != fl.frame[i])
			abort();
	}
	frame_list_free(&fl);

	snprintf(path, sizeof path, "%s/none", dir);
	if (frame_list_dir(path, &fl, err, sizeof err) == 0)
		abort();
	return 0;
}
