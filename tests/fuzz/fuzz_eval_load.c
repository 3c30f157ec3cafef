/* libFuzzer: the evaluators' loaders (eval_load_masks, eval_load_boxes)
 * on a folder built from the input.
 *
 * Byte 0: bit 0 boxes (else masks), bit 1 load the first file alone (else
 * the folder), bit 2 min_conf 1 (else -1). Then entries: a name length
 * byte, the name ("0002.txt", "0002/000001.png": letters, digits, '.',
 * '-', '_', at most one '/'), a 16-bit little-endian content length, the
 * content (cut short at the end of the input). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "eval/eval_load.h"
#include "pngio.h"
#include "fuzz_tmp.h"

static int ok_name(const char *s)
{
	int slash = 0;
	if (!*s || *s == '.' || *s == '/' || s[strlen(s) - 1] == '/')
		return 0;
	for (const char *p = s; *p; p++) {
		if (*p == '/' && (++slash > 1 || p[1] == '.'))
			return 0;
		if (*p != '/' && *p != '.' && *p != '-' && *p != '_'
		    && !(*p >= '0' && *p <= '9') && !(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z'))
			return 0;
	}
	return 1;
}

static void check(const eval_set *s, int masks)
{
	if (s->n < 1)
		abort();
	for (int i = 0; i < s->n; i++) {
		const eval_objs *e = &s->seq[i];
		if (!e->name || !e->src || (i && strcmp(s->seq[i - 1].name, e->name) >= 0))
			abort();
		for (size_t k = 0; k < e->n; k++) {
			const eval_obj *o = &e->o[k];
			if (k && o->frame < e->o[k - 1].frame)
				abort();
			if (!masks)
				continue;
			uint64_t sum = 0;
			for (uint32_t j = 0; j < o->rle.m; j++)
				sum += o->rle.cnts[j];
			if (sum != (uint64_t)o->rle.h * o->rle.w)
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char dir[300], path[600], first[600] = "", err[300] = "", name[256];
	if (size < 1)
		return 0;
	/* PNG headers may declare any size; keep decoding small and quick. */
	png_max_bytes = 4u << 20;
	int mode = data[0];
	snprintf(dir, sizeof dir, "%s/in", fuzz_tmp());
	fuzz_tmp_clear();
	if (mkdir(dir, 0755) != 0)
		abort();
	size_t i = 1;
	for (int files = 0; i < size && files < 32; files++) {
		size_t nl = data[i++];
		if (nl > size - i)
			break;
		memcpy(name, data + i, nl);
		name[nl] = 0;
		i += nl;
		size_t cl = i + 2 <= size ? (size_t)(data[i] | data[i + 1] << 8) : 0;
		i = i + 2 <= size ? i + 2 : size;
		if (cl > size - i)
			cl = size - i;
		const uint8_t *c = data + i;
		i += cl;
		if (strlen(name) != nl || !ok_name(name))
			continue;
		char *slash = strchr(name, '/');
		if (slash) {
			*slash = 0;
			snprintf(path, sizeof path, "%s/%s", dir, name);
			mkdir(path, 0755);
			*slash = '/';
		}
		snprintf(path, sizeof path, "%s/%s", dir, name);
		if (access(path, F_OK) == 0 || fuzz_write(path, c, cl) != 0)
			continue;
		if (!first[0])
			snprintf(first, sizeof first, "%s", path);
	}

	const char *in = mode & 2 && first[0] ? first : dir;
	eval_set s;
	int rc = mode & 1 ? eval_load_boxes(in, mode & 4 ? 1 : -1, &s, err, sizeof err)
			  : eval_load_masks(in, &s, err, sizeof err);
	if (rc != 0) {
		if (!err[0] || s.n || s.seq)
			abort();   /* a failure says why and leaves nothing */
		return 0;
	}
	check(&s, !(mode & 1));
	eval_set_free(&s);
	return 0;
}
