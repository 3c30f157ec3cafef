#include "eval/eval_load.h"
#include "cli.h"
#include "err.h"
#include "mot_txt.h"
#include "mots_txt.h"
#include "pngio.h"
#include "seqname.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void eval_set_free(eval_set *s)
{
	for (int i = 0; i < s->n; i++)
		eval_objs_free(&s->seq[i]);
	free(s->seq);
	memset(s, 0, sizeof *s);
}

eval_objs *eval_set_find(const eval_set *s, const char *name)
{
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->seq[i].name, name) == 0)
			return &s->seq[i];
	return NULL;
}

static eval_obj *objs_push(eval_objs *e)
{
	if (e->n == e->cap) {
		e->cap = e->cap ? 2 * e->cap : 256;
		e->o = xrealloc(e->o, e->cap * sizeof *e->o);
	}
	eval_obj *o = &e->o[e->n++];
	memset(o, 0, sizeof *o);
	return o;
}

static eval_objs *set_push(eval_set *s, const char *name, const char *src)
{
	s->seq = xrealloc(s->seq, ((size_t)s->n + 1) * sizeof *s->seq);
	eval_objs *e = &s->seq[s->n++];
	memset(e, 0, sizeof *e);
	e->name = xstrdup(name);
	e->src = xstrdup(src);
	return e;
}

static int cmp_seq(const void *a, const void *b)
{
	return strcmp(((const eval_objs *)a)->name, ((const eval_objs *)b)->name);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), k = strlen(suf);
	return n > k && strcmp(s + n - k, suf) == 0;
}

/* "dir/0002.txt" -> "0002"; "dir/0002/" -> "0002". */
static char *seq_name(const char *path)
{
	size_t len, b = cli_base(path, &len), e = b + len;
	if (e - b > 4 && strncmp(path + e - 4, ".txt", 4) == 0)
		e -= 4;
	/* MOTChallenge layout SEQ/gt/gt.txt: the sequence is SEQ. */
	if (e - b == 2 && strncmp(path + b, "gt", 2) == 0 && b > 4 &&
	    strncmp(path + b - 4, "/gt/", 4) == 0) {
		size_t end = b - 4, start = end;   /* SEQ is path[start, end) */
		while (start > 0 && path[start - 1] != '/')
			start--;
		if (end > start)
			b = start, e = end;
	}
	char *s = xmalloc(e - b + 1);
	memcpy(s, path + b, e - b);
	s[e - b] = 0;
	return s;
}

static char *join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = xmalloc(n);
	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Sorted entry names of dir ending in suf (or folders when suf is NULL). */
static int list_dir(const char *dir, const char *suf, char ***out, int *n, char *err, size_t errn)
{
	*out = NULL, *n = 0;
	DIR *d = opendir(dir);
	if (!d)
		return errf(err, errn, "%s: %s", dir, strerror(errno));
	struct dirent *de;
	char **v = NULL;
	int k = 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (suf ? !ends_with(de->d_name, suf) : 0)
			continue;
		if (!suf) {
			char *p = join(dir, de->d_name);
			int isd = is_dir(p);
			free(p);
			if (!isd)
				continue;
		}
		v = xrealloc(v, ((size_t)k + 1) * sizeof *v);
		v[k++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (k)
		qsort(v, (size_t)k, sizeof *v, cmp_str);
	*out = v, *n = k;
	return 0;
}

static void free_list(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int load_mots_txt(const char *path, eval_objs *e, char *err, size_t errn)
{
	mots_file mf;
	if (mots_load(path, &mf, err, errn) != 0)
		return -1;
	for (size_t i = 0; i < mf.n; i++) {
		const mots_obj *m = &mf.obj[i];
		eval_obj *o = objs_push(e);
		o->frame = m->frame, o->id = m->id, o->cls = m->cls, o->line = m->line;
		char e2[200];
		if (rle_from_string(&o->rle, m->rle, m->h, m->w, e2, sizeof e2) != 0) {
			e->n--;
			mots_file_free(&mf);
			return errf(err, errn, "%s:%u: %s", path, m->line, e2);
		}
		o->bb = rle_bbox(&o->rle);
	}
	mots_file_free(&mf);
	return 0;
}

typedef struct {
	uint32_t *c;
	uint32_t n, cap;
	uint64_t end;   /* linear index after the last pixel of this id */
} runs;

static void run_push(runs *r, uint32_t x)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->c = xrealloc(r->c, r->cap * sizeof *r->c);
	}
	r->c[r->n++] = x;
}

void eval_objs_from_instance_map(eval_objs *e, const uint16_t *map, uint32_t h, uint32_t w,
				 int64_t frame)
{
	size_t np = (size_t)h * w;
	int *slot = xmalloc(65536 * sizeof *slot);
	for (int v = 0; v < 65536; v++)
		slot[v] = -1;
	for (size_t k = 0; k < np; k++)
		slot[map[k]] = 0;
	int n = 0;
	for (int v = 1; v < 65536; v++)
		if (slot[v] == 0)
			slot[v] = n++;
	runs *r = xcalloc((size_t)n + 1, sizeof *r);
	/* One column-major pass builds every id's runs at once. */
	for (uint32_t x = 0; x < w; x++)
		for (uint32_t y = 0; y < h; y++) {
			uint16_t v = map[(size_t)y * w + x];
			if (!v)
				continue;
			runs *q = &r[slot[v]];
			uint64_t k = (uint64_t)x * h + y;
			if (q->n && q->end == k)
				q->c[q->n - 1]++;
			else {
				run_push(q, (uint32_t)(k - q->end));
				run_push(q, 1);
			}
			q->end = k + 1;
		}
	for (int v = 1; v < 65536; v++) {
		if (slot[v] < 0)
			continue;
		runs *q = &r[slot[v]];
		if (q->end < np)
			run_push(q, (uint32_t)(np - q->end));
		eval_obj *o = objs_push(e);
		o->frame = frame, o->id = v, o->cls = v >= 10000 ? 10 : v / 1000;
		rle_init(&o->rle, h, w, q->n, q->c);
		o->bb = rle_bbox(&o->rle);
		free(q->c);
	}
	free(r);
	free(slot);
}

/* A folder of FFFFFF.png: the frame is the number in the name. */
static int load_png_seq(const char *dir, eval_objs *e, char *err, size_t errn)
{
	char **v;
	int n;
	if (list_dir(dir, ".png", &v, &n, err, errn) != 0)
		return -1;
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		char *end, *p = join(dir, v[i]);
		long long f = strtoll(v[i], &end, 10);
		image im;
		if (end == v[i] || strcmp(end, ".png") != 0 || f < 0)
			rc = errf(err, errn, "%s: expected a frame number as the name (000000.png)", p);
		else if (png_load(p, &im, err, errn) != 0)
			rc = -1;
		else {
			if (im.depth != 16 || im.c != 1)
				rc = errf(err, errn, "%s: not a 16-bit single-channel instance map", p);
			else
				eval_objs_from_instance_map(e, im.data, im.h, im.w, f);
			image_free(&im);
		}
		free(p);
	}
	free_list(v, n);
	return rc;
}

static int finish(eval_set *s, int masks, char *err, size_t errn)
{
	if (s->n > 1)
		qsort(s->seq, (size_t)s->n, sizeof *s->seq, cmp_seq);
	for (int i = 0; i < s->n; i++) {
		eval_objs_sort(&s->seq[i]);
		if (i && strcmp(s->seq[i].name, s->seq[i - 1].name) == 0)
			return errf(err, errn, "%s: two sequences called %s", s->seq[i].src, s->seq[i].name);
		if (masks && eval_objs_check_masks(&s->seq[i], err, errn) != 0)
			return -1;
	}
	return 0;
}

int eval_load_masks(const char *path, eval_set *out, char *err, size_t errn)
{
	memset(out, 0, sizeof *out);
	int rc = 0;
	char *name = seq_name(path);
	if (!is_dir(path)) {
		out->single = 1;
		rc = load_mots_txt(path, set_push(out, name, path), err, errn);
		goto done;
	}
	char **txt, **png, **sub;
	int nt, np, ns;
	if (list_dir(path, ".txt", &txt, &nt, err, errn) != 0) {
		rc = -1;
		goto done;
	}
	list_dir(path, ".png", &png, &np, err, errn);
	list_dir(path, NULL, &sub, &ns, err, errn);
	if (nt) {
		for (int i = 0; i < nt && rc == 0; i++) {
			char *p = join(path, txt[i]), *nm = seq_name(txt[i]);
			rc = load_mots_txt(p, set_push(out, nm, p), err, errn);
			free(p), free(nm);
		}
	} else if (np) {
		out->single = 1;
		rc = load_png_seq(path, set_push(out, name, path), err, errn);
	} else {
		for (int i = 0; i < ns && rc == 0; i++) {
			char *p = join(path, sub[i]);
			rc = load_png_seq(p, set_push(out, sub[i], p), err, errn);
			free(p);
		}
		if (rc == 0 && !out->n)
			rc = errf(err, errn, "%s: no .txt files and no folders of PNGs", path);
	}
	free_list(txt, nt), free_list(png, np), free_list(sub, ns);
done:
	free(name);
	if (rc == 0)
		rc = finish(out, 1, err, errn);
	if (rc != 0)
		eval_set_free(out);
	return rc;
}

static int load_mot_txt(const char *path, double min_conf, eval_objs *e, char *err, size_t errn)
{
	mot_file mf;
	if (mot_load(path, &mf, err, errn) != 0)
		return -1;
	for (size_t i = 0; i < mf.n; i++) {
		const mot_box *b = &mf.box[i];
		if (!(b->conf >= min_conf))
			continue;
		eval_obj *o = objs_push(e);
		o->frame = b->frame, o->id = b->id, o->cls = b->cls, o->line = b->line;
		/* py-motmetrics subtracts 1 from x and y (MATLAB convention);
		 * it moves both sides alike but is kept for identical rounding. */
		o->x = b->x - 1, o->y = b->y - 1, o->w = b->w, o->h = b->h;
		o->bx = b->x, o->by = b->y, o->conf = b->conf;
	}
	mot_file_free(&mf);
	return 0;
}

int eval_load_boxes(const char *path, double min_conf, eval_set *out, char *err, size_t errn)
{
	memset(out, 0, sizeof *out);
	int rc = 0;
	if (!is_dir(path)) {
		char *name = seq_name(path);
		out->single = 1;
		rc = load_mot_txt(path, min_conf, set_push(out, name, path), err, errn);
		free(name);
	} else {
		char **txt;
		int nt;
		if (list_dir(path, ".txt", &txt, &nt, err, errn) != 0)
			return -1;
		if (!nt)
			rc = errf(err, errn, "%s: no .txt files", path);
		for (int i = 0; i < nt && rc == 0; i++) {
			char *p = join(path, txt[i]), *nm = seq_name(txt[i]);
			rc = load_mot_txt(p, min_conf, set_push(out, nm, p), err, errn);
			free(p), free(nm);
		}
		free_list(txt, nt);
	}
	if (rc == 0)
		rc = finish(out, 0, err, errn);
	if (rc != 0)
		eval_set_free(out);
	return rc;
}

int eval_seqmap_load(const char *path, eval_seqmap *m, char *err, size_t errn)
{
	memset(m, 0, sizeof *m);
	FILE *fp = fopen(path, "r");
	if (!fp)
		return errf(err, errn, "%s: %s", path, strerror(errno));
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	int rc = 0;
	while (rc == 0 && getline(&line, &cap, fp) >= 0) {
		lineno++;
		char name[256], x[256];
		long long first, last;
		int k = sscanf(line, "%255s %255s %lld %lld", name, x, &first, &last);
		if (k <= 0)
			continue;
		if (lineno == 1 && strcmp(name, "name") == 0)
			continue;
		if (k != 1 && k != 4) {
			rc = errf(err, errn, "%s:%u: expected 'NAME empty FIRST LAST'", path, lineno);
			break;
		}
		/* A sequence stands for files of that name: the same rule as
		 * every name that becomes a file name. */
		char why[400];
		if (seqname_check(name, strlen(name), why, sizeof why) != 0) {
			rc = errf(err, errn, "%s:%u: %s", path, lineno, why);
			break;
		}
		m->e = xrealloc(m->e, ((size_t)m->n + 1) * sizeof *m->e);
		eval_seqmap_entry *e = &m->e[m->n++];
		e->name = xstrdup(name);
		e->first = k == 4 ? first : -1;
		e->last = k == 4 ? last : -1;
		if (k == 4 && (first < 0 || last < first))
			rc = errf(err, errn, "%s:%u: bad frame range %lld..%lld", path, lineno, first, last);
	}
	free(line);
	fclose(fp);
	if (rc == 0 && !m->n)
		rc = errf(err, errn, "%s: no sequences", path);
	if (rc != 0)
		eval_seqmap_free(m);
	return rc;
}

void eval_seqmap_free(eval_seqmap *m)
{
	for (int i = 0; i < m->n; i++)
		free(m->e[i].name);
	free(m->e);
	memset(m, 0, sizeof *m);
}
