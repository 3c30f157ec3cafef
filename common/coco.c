#include "coco.h"
#include "coco_poly.h"
#include "err.h"
#include "mots_txt.h"
#include "numfmt.h"
#include "rle.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* One entry of "images": its id, the frame it stands for, its size. */
typedef struct coco_image {
	int64_t id, frame;
	uint32_t h, w;
} coco_image;

/* The canonical string of r (what every encoder writes: no empty runs
 * after the first), freeing r. */
static char *coco_canon(rle_t *r)
{
	char *s = rle_to_string(r), e[200];
	rle_t c;
	if (rle_from_string(&c, s, r->h, r->w, e, sizeof e) == 0) {
		free(s);
		s = rle_to_string(&c);
		rle_free(&c);
	}
	rle_free(r);
	return s;
}

static int coco_size(const json *sz, uint32_t *h, uint32_t *w, char *err, size_t errn)
{
	int64_t a, b;
	if (!sz || sz->type != JSON_ARR || sz->n != 2 || json_int(&sz->u.v[0], 1, MOTS_MAX_SIDE, &a) ||
	    json_int(&sz->u.v[1], 1, MOTS_MAX_SIDE, &b))
		return errf(err, errn, "segmentation: \"size\" is not [height, width] of integers 1..%u",
			    MOTS_MAX_SIDE);
	*h = (uint32_t)a, *w = (uint32_t)b;
	return 0;
}

/* {"size", "counts"}: a COCO string, or the runs as a list. */
static int coco_rle_obj(const json *seg, uint32_t *h, uint32_t *w, char **out, char *err, size_t errn)
{
	const json *c = json_get(seg, "counts");
	char e[200];
	rle_t r;
	if (coco_size(json_get(seg, "size"), h, w, err, errn) != 0)
		return -1;
	if (c && c->type == JSON_STR) {
		if (rle_from_string(&r, c->u.str, *h, *w, e, sizeof e) != 0)
			return errf(err, errn, "segmentation: %s", e);
		*out = coco_canon(&r);
		return 0;
	}
	if (!c || c->type != JSON_ARR)
		return errf(err, errn, "segmentation: \"counts\" is %s, not a string or a list of runs",
			    json_type_name(c));
	uint64_t size = (uint64_t)*h * *w, sum = 0;
	if (c->n > size + 1)
		return errf(err, errn, "segmentation: %zu runs for %llu pixels", c->n,
			    (unsigned long long)size);
	uint32_t *cn = xmalloc((c->n ? c->n : 1) * sizeof *cn);
	for (size_t i = 0; i < c->n; i++) {
		int64_t v;
		if (json_int(&c->u.v[i], 0, UINT32_MAX, &v) != 0) {
			free(cn);
			return errf(err, errn, "segmentation: run %zu is not an integer 0..%u", i + 1,
				    UINT32_MAX);
		}
		cn[i] = (uint32_t)v, sum += (uint64_t)v;
	}
	if (sum != size) {
		free(cn);
		return errf(err, errn, "segmentation: runs sum to %llu, not %ux%u = %llu",
			    (unsigned long long)sum, *h, *w, (unsigned long long)size);
	}
	rle_init(&r, *h, *w, (uint32_t)c->n, cn);
	free(cn);
	*out = coco_canon(&r);
	return 0;
}

/* Polygons, or (first list of 4 numbers) boxes, as pycocotools' frPyObjects
 * reads an annotation's list; the masks are merged. */
static int coco_polys(const json *seg, uint32_t h, uint32_t w, char **out, char *err, size_t errn)
{
	if (!h || !w)
		return errf(err, errn, "segmentation: polygons need the image size "
			    "(an \"images\" entry with height and width)");
	const json *first = &seg->u.v[0];
	int boxes = first->type == JSON_ARR && first->n == 4;
	rle_t *rs = xcalloc(seg->n, sizeof *rs);
	double *xy = NULL;
	size_t cap = 0, i;
	int rc = 0;
	char e[200];
	for (i = 0; i < seg->n && rc == 0; i++) {
		const json *p = &seg->u.v[i];
		if (p->type != JSON_ARR) {
			rc = errf(err, errn, "segmentation: polygon %zu is %s, not a list", i + 1, json_type_name(p));
			break;
		}
		if (boxes ? p->n != 4 : p->n < 6 || p->n % 2) {
			rc = boxes ? errf(err, errn, "segmentation: box %zu has %zu numbers, not 4 "
					  "(a first list of 4 makes every list a box)", i + 1, p->n)
				   : errf(err, errn, "segmentation: polygon %zu has %zu numbers "
					  "(want an even count, at least 6)", i + 1, p->n);
			break;
		}
		if (p->n > cap)
			xy = xrealloc(xy, (cap = p->n) * sizeof *xy);
		for (size_t j = 0; j < p->n; j++) {
			if (p->u.v[j].type != JSON_NUM) {
				rc = errf(err, errn, "segmentation: polygon %zu value %zu is %s, not a number",
					  i + 1, j + 1, json_type_name(&p->u.v[j]));
				break;
			}
			xy[j] = p->u.v[j].u.num;
		}
		if (rc == 0 && (boxes ? coco_poly_box(&rs[i], xy, h, w, e, sizeof e)
				      : coco_poly_rle(&rs[i], xy, p->n / 2, h, w, e, sizeof e)) != 0)
			rc = errf(err, errn, "segmentation: polygon %zu: %s", i + 1, e);
	}
	if (rc == 0) {
		rle_t m;
		rle_merge(&m, rs, seg->n, 0);
		*out = coco_canon(&m);
	}
	for (size_t j = 0; j < seg->n; j++)
		rle_free(&rs[j]);
	free(rs), free(xy);
	return rc;
}

int coco_segmentation(const json *seg, uint32_t h, uint32_t w, char **rle, uint32_t *rh, uint32_t *rw,
		      char *err, size_t errn)
{
	*rle = NULL;
	if (seg->type == JSON_OBJ) {
		if (coco_rle_obj(seg, rh, rw, rle, err, errn) != 0)
			return -1;
		if (h && (*rh != h || *rw != w)) {
			free(*rle), *rle = NULL;
			return errf(err, errn, "segmentation: size %ux%u, but the image is %ux%u", *rh, *rw, h, w);
		}
		return 0;
	}
	if (seg->type != JSON_ARR)
		return errf(err, errn, "segmentation is %s, not RLE or polygons", json_type_name(seg));
	*rh = h, *rw = w;
	return seg->n ? coco_polys(seg, h, w, rle, err, errn) : 0;   /* []: no mask */
}

/* The frame number in a file name: its last run of digits, -1 if none. */
static int64_t coco_name_number(const char *s)
{
	const char *b = strrchr(s, '/'), *end = NULL;
	b = b ? b + 1 : s;
	for (const char *p = b; *p; p++)
		if (*p >= '0' && *p <= '9' && (p[1] < '0' || p[1] > '9'))
			end = p;
	if (!end)
		return -1;
	const char *st = end;
	while (st > b && st[-1] >= '0' && st[-1] <= '9')
		st--;
	if (end - st >= 17)
		return -1;
	int64_t v = 0;
	for (const char *p = st; p <= end; p++)
		v = v * 10 + (*p - '0');
	return v;
}

static int coco_i64_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static int coco_image_cmp(const void *a, const void *b)
{
	const coco_image *x = a, *y = b;
	return (x->id > y->id) - (x->id < y->id);
}

static int coco_images(const json *imgs, const char *name, coco_image **out,
		       size_t *nout, char *err, size_t errn)
{
	coco_image *im = xcalloc(imgs->n ? imgs->n : 1, sizeof *im);
	int numbered = 1;
	for (size_t i = 0; i < imgs->n; i++) {
		const json *e = &imgs->u.v[i], *fn = json_get(e, "file_name");
		int64_t h = 0, w = 0;
		if (e->type != JSON_OBJ || json_int(json_get(e, "id"), INT64_MIN / 2, INT64_MAX / 2, &im[i].id)) {
			free(im);
			return errf(err, errn, "%s: image %zu (line %u): no integer \"id\"", name, i + 1, e->line);
		}
		const json *jh = json_get(e, "height"), *jw = json_get(e, "width");
		if ((jh && json_int(jh, 1, MOTS_MAX_SIDE, &h)) || (jw && json_int(jw, 1, MOTS_MAX_SIDE, &w)) ||
		    !jh != !jw) {
			free(im);
			return errf(err, errn, "%s: image %zu (line %u): \"height\" and \"width\" must both be "
				    "integers 1..%u", name, i + 1, e->line, MOTS_MAX_SIDE);
		}
		im[i].h = (uint32_t)h, im[i].w = (uint32_t)w;
		im[i].frame = fn && fn->type == JSON_STR ? coco_name_number(fn->u.str) : -1;
		if (im[i].frame < 0)
			numbered = 0;
	}
	if (numbered) {
		/* two images named with one number would be one frame */
		int64_t *f = xmalloc((imgs->n ? imgs->n : 1) * sizeof *f);
		for (size_t i = 0; i < imgs->n; i++)
			f[i] = im[i].frame;
		qsort(f, imgs->n, sizeof *f, coco_i64_cmp);
		for (size_t i = 1; i < imgs->n; i++)
			if (f[i] == f[i - 1])
				numbered = 0;
		free(f);
	}
	if (!numbered)
		for (size_t i = 0; i < imgs->n; i++)
			im[i].frame = (int64_t)i;
	qsort(im, imgs->n, sizeof *im, coco_image_cmp);
	for (size_t i = 1; i < imgs->n; i++)
		if (im[i].id == im[i - 1].id) {
			long long id = im[i].id;
			free(im);
			return errf(err, errn, "%s: images: id %lld appears twice", name, id);
		}
	*out = im, *nout = imgs->n;
	return 0;
}

static int coco_obj_cmp(const void *a, const void *b)
{
	const coco_obj *x = a, *y = b;
	if (x->frame != y->frame)
		return (x->frame > y->frame) - (x->frame < y->frame);
	return (x->index > y->index) - (x->index < y->index);
}

/* One annotation or result into *c. */
static int coco_one(const json *a, const coco_image *im, size_t nim, int has_images, const coco_opts *o,
		    coco_obj *c, char *err, size_t errn)
{
	const json *v;
	if (a->type != JSON_OBJ)
		return errf(err, errn, "%s, not an object", json_type_name(a));
	if (json_int(json_get(a, "image_id"), INT64_MIN / 2, INT64_MAX / 2, &c->image_id) != 0)
		return errf(err, errn, "no integer \"image_id\"");
	if (json_int(json_get(a, "category_id"), 0, 1000000, &c->cat) != 0)
		return errf(err, errn, "no \"category_id\" (an integer 0..1000000)");
	uint32_t h = 0, w = 0;
	if (has_images) {
		coco_image key = { .id = c->image_id }, *f = bsearch(&key, im, nim, sizeof *im, coco_image_cmp);
		if (!f)
			return errf(err, errn, "image_id %lld is not in \"images\"", (long long)c->image_id);
		h = f->h, w = f->w;
		c->frame = o->offset_set ? c->image_id - o->frame_offset : f->frame;
	} else {
		c->frame = c->image_id - (o->offset_set ? o->frame_offset : 0);
	}
	if (c->frame < 0)
		return errf(err, errn, "image_id %lld gives frame %lld (frames are >= 0; see the frame offset)",
			    (long long)c->image_id, (long long)c->frame);
	if ((v = json_get(a, "score"))) {
		if (v->type != JSON_NUM)
			return errf(err, errn, "\"score\" is %s, not a number", json_type_name(v));
		c->has_score = 1, c->score = v->u.num;
	}
	if ((v = json_get(a, "bbox"))) {
		if (v->type != JSON_ARR || v->n != 4)
			return errf(err, errn, "\"bbox\" is not [x, y, width, height]");
		for (int i = 0; i < 4; i++) {
			if (v->u.v[i].type != JSON_NUM)
				return errf(err, errn, "\"bbox\" value %d is %s, not a number", i + 1,
					    json_type_name(&v->u.v[i]));
			c->box[i] = v->u.v[i].u.num;
		}
		if (c->box[2] < 0 || c->box[3] < 0)
			return errf(err, errn, "\"bbox\" has a negative size %gx%g", c->box[2], c->box[3]);
		c->has_box = 1;
	}
	if ((v = json_get(a, "track_id"))) {
		if (json_int(v, INT64_MIN / 2, INT64_MAX / 2, &c->track_id) != 0)
			return errf(err, errn, "\"track_id\" is not an integer");
		c->has_track = 1;
	}
	if ((v = json_get(a, "iscrowd"))) {
		int64_t x;
		if (json_int(v, 0, 1, &x) != 0)
			return errf(err, errn, "\"iscrowd\" is not 0 or 1");
		c->iscrowd = (int)x;
	}
	c->h = h, c->w = w;
	if ((v = json_get(a, "segmentation")) && v->type != JSON_NULL &&
	    coco_segmentation(v, h, w, &c->rle, &c->h, &c->w, err, errn) != 0)
		return -1;
	if (!c->rle && !c->has_box)
		return errf(err, errn, "neither a segmentation nor a bbox");
	return 0;
}

int coco_read(const json *root, const char *name, const coco_opts *o, coco_file *cf, char *err, size_t errn)
{
	const json *anns = root, *imgs = NULL;
	coco_image *im = NULL;
	size_t nim = 0;
	char e[400];
	cf->obj = NULL, cf->n = 0;
	if (root->type == JSON_OBJ) {
		anns = json_get(root, "annotations");
		imgs = json_get(root, "images");
		if (!anns || anns->type != JSON_ARR)
			return errf(err, errn, "%s: an object without an \"annotations\" list "
				    "(want a COCO file or a list of results)", name);
		if (imgs && imgs->type != JSON_ARR)
			return errf(err, errn, "%s: \"images\" is %s, not a list", name, json_type_name(imgs));
		if (imgs && coco_images(imgs, name, &im, &nim, err, errn) != 0)
			return -1;
	} else if (root->type != JSON_ARR) {
		return errf(err, errn, "%s: the JSON value is %s, not a COCO file or a list of results", name,
			    json_type_name(root));
	}
	cf->obj = xcalloc(anns->n ? anns->n : 1, sizeof *cf->obj);
	for (size_t i = 0; i < anns->n; i++) {
		coco_obj *c = &cf->obj[i];
		c->index = i, c->line = anns->u.v[i].line;
		if (coco_one(&anns->u.v[i], im, nim, imgs != NULL, o, c, e, sizeof e) != 0) {
			free(im);
			cf->n = i + 1;
			coco_file_free(cf);
			return errf(err, errn, "%s: annotation %zu (line %u): %s", name, i + 1,
				    anns->u.v[i].line, e);
		}
	}
	free(im);
	cf->n = anns->n;
	qsort(cf->obj, cf->n, sizeof *cf->obj, coco_obj_cmp);
	return 0;
}

int coco_load(const char *path, const coco_opts *o, coco_file *cf, char *err, size_t errn)
{
	json root;
	cf->obj = NULL, cf->n = 0;
	if (json_load(path, NULL, &root, err, errn) != 0)
		return -1;
	int rc = coco_read(&root, path, o, cf, err, errn);
	json_free(&root);
	return rc;
}

void coco_file_free(coco_file *cf)
{
	for (size_t i = 0; i < cf->n; i++)
		free(cf->obj[i].rle);
	free(cf->obj);
	cf->obj = NULL, cf->n = 0;
}

int coco_write_rec(FILE *fp, const coco_rec *r, size_t i)
{
	char b[6][40];
	if (fprintf(fp, "%s{\"image_id\":%lld,\"category_id\":%lld", i ? ",\n" : "[\n",
		    (long long)r->image_id, (long long)r->category_id) < 0)
		return -1;
	if (r->has_score && fprintf(fp, ",\"score\":%s", numfmt_shortest(b[0], r->score, 1)) < 0)
		return -1;
	if (fprintf(fp, ",\"bbox\":[%s,%s,%s,%s]", numfmt_shortest(b[1], r->box[0], 1),
		    numfmt_shortest(b[2], r->box[1], 1), numfmt_shortest(b[3], r->box[2], 1),
		    numfmt_shortest(b[4], r->box[3], 1)) < 0)
		return -1;
	if (r->rle) {
		if (fprintf(fp, ",\"segmentation\":{\"size\":[%u,%u],\"counts\":", r->h, r->w) < 0 ||
		    json_write_str(fp, r->rle) != 0 || putc('}', fp) == EOF)
			return -1;
	}
	return fprintf(fp, ",\"track_id\":%lld}", (long long)r->track_id) < 0 ? -1 : 0;
}

int coco_write_end(FILE *fp, size_t n)
{
	return fputs(n ? "\n]\n" : "[]\n", fp) == EOF ? -1 : 0;
}

int coco_classes_parse(const char *arg, coco_classes *m, char *err, size_t errn)
{
	m->pair = NULL, m->n = 0;
	for (const char *p = arg;;) {
		char *e;
		long long a, b;
		errno = 0;
		a = strtoll(p, &e, 10);
		if (e == p || *e != ':' || errno || a < 0 || a > 1000000)
			goto bad;
		p = e + 1;
		b = strtoll(p, &e, 10);
		if (e == p || (*e && *e != ',') || errno || b < 0 || b > 1000000)
			goto bad;
		for (size_t i = 0; i < m->n; i++)
			if (m->pair[i][0] == a) {
				coco_classes_free(m);
				return errf(err, errn, "category %lld is mapped twice", a);
			}
		m->pair = xrealloc(m->pair, (m->n + 1) * sizeof *m->pair);
		m->pair[m->n][0] = a, m->pair[m->n][1] = b, m->n++;
		if (!*e)
			return 0;
		p = e + 1;
	}
bad:
	coco_classes_free(m);
	return errf(err, errn, "'%s' is not a list CAT:CLS[,CAT:CLS...] of integers 0..1000000", arg);
}

int coco_classes_map(const coco_classes *m, int64_t cat, int *cls)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->pair[i][0] == cat) {
			*cls = (int)m->pair[i][1];
			return 1;
		}
	return 0;
}

void coco_classes_free(coco_classes *m)
{
	free(m->pair);
	m->pair = NULL, m->n = 0;
}
