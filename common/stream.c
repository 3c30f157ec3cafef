/* The usc-mots record stream: MessagePack headers, records and trailers.
 *
 * Reading is in two steps. A bounded scanner (mpscan.h) finds where the next
 * object ends, checking every declared length against MS_MAX_OBJECT and
 * MS_MAX_ITEMS and against the bytes actually there; only then does
 * msgpack-c unpack exactly those bytes (strings and binaries stay references
 * into our buffer). Unknown keys are kept as their raw bytes.
 *
 * Writing goes through msgpack_packer with our own callback into a memory
 * buffer: msgpack-c 4.0's FILE* writer returns -1 for empty str/bin. */
#include "stream.h"
#include "err.h"
#include "mpscan.h"
#include "rle.h"
#include "version.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <msgpack.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK (1u << 16)

/* ---------------------------------------------------------------- records */

static void extra_free(ms_extra *x)
{
	free(x->buf);
	memset(x, 0, sizeof *x);
}

static void extra_append(ms_extra *x, const uint8_t *p, size_t n)
{
	if (x->len + n > x->cap) {
		x->cap = (x->len + n) * 2 + 64;
		x->buf = xrealloc(x->buf, x->cap);
	}
	memcpy(x->buf + x->len, p, n);
	x->len += n;
}

void ms_extra_clear(ms_extra *x)
{
	x->len = 0, x->n = 0;
}

/* Key bytes of the pair at p (a str item), or NULL. */
static const uint8_t *pair_key(const uint8_t *p, size_t len, size_t *klen, size_t *hdr)
{
	mp_item it;
	size_t h = mp_item_head(p, len, &it);
	if (!h || it.type != MP_STR || h + it.len > len)
		return NULL;
	*klen = it.len, *hdr = h;
	return p + h;
}

/* Finds key in x: offset of the pair and its total size. */
static int extra_locate(const ms_extra *x, const char *key, size_t *at, size_t *size,
			size_t *vat)
{
	size_t off = 0, kl = strlen(key);
	for (uint32_t i = 0; i < x->n && off < x->len; i++) {
		size_t kn = mp_skip(x->buf + off, x->len - off);
		if (!kn)
			return 0;
		size_t vn = mp_skip(x->buf + off + kn, x->len - off - kn);
		if (!vn)
			return 0;
		size_t klen, hdr;
		const uint8_t *k = pair_key(x->buf + off, kn, &klen, &hdr);
		if (k && klen == kl && memcmp(k, key, kl) == 0) {
			*at = off, *size = kn + vn, *vat = off + kn;
			return 1;
		}
		off += kn + vn;
	}
	return 0;
}

int ms_extra_find(const ms_extra *x, const char *key, const uint8_t **val, size_t *len)
{
	size_t at, size, vat;
	if (!extra_locate(x, key, &at, &size, &vat))
		return 0;
	*val = x->buf + vat, *len = size - (vat - at);
	return 1;
}

void ms_extra_put(ms_extra *x, const char *key, const uint8_t *val, size_t len)
{
	size_t at, size, vat, kl = strlen(key);
	if (extra_locate(x, key, &at, &size, &vat)) {
		memmove(x->buf + at, x->buf + at + size, x->len - at - size);
		x->len -= size, x->n--;
	}
	uint8_t h[5];
	size_t hn;
	if (kl < 32)
		h[0] = (uint8_t)(0xa0 | kl), hn = 1;
	else if (kl < 256)
		h[0] = 0xd9, h[1] = (uint8_t)kl, hn = 2;
	else
		h[0] = 0xdb, h[1] = (uint8_t)(kl >> 24), h[2] = (uint8_t)(kl >> 16),
		h[3] = (uint8_t)(kl >> 8), h[4] = (uint8_t)kl, hn = 5;
	extra_append(x, h, hn);
	extra_append(x, (const uint8_t *)key, kl);
	extra_append(x, val, len);
	x->n++;
}

int ms_extra_number(const ms_extra *x, const char *key, double *v, char *err, size_t errn)
{
	const uint8_t *p;
	size_t len;
	if (!ms_extra_find(x, key, &p, &len))
		return 0;
	mp_item it;
	if (!mp_item_head(p, len, &it))
		return errf(err, errn, "header %s: not MessagePack", key);
	switch (it.type) {
	case MP_NIL: return 0;
	case MP_FLOAT32: case MP_FLOAT64: *v = it.v.f; return 1;
	case MP_UINT: *v = (double)it.v.u; return 1;
	case MP_INT: *v = (double)it.v.i; return 1;
	default: return errf(err, errn, "header %s: not a number", key);
	}
}

void ms_extra_put_number(ms_extra *x, const char *key, double v, int ok)
{
	uint8_t b[9];
	if (!ok) {
		b[0] = 0xc0;   /* nil */
		ms_extra_put(x, key, b, 1);
		return;
	}
	uint64_t u;
	memcpy(&u, &v, 8);
	b[0] = 0xcb;   /* float 64, big-endian */
	for (int i = 0; i < 8; i++)
		b[1 + i] = (uint8_t)(u >> (56 - 8 * i));
	ms_extra_put(x, key, b, 9);
}

static void extra_copy(ms_extra *dst, const ms_extra *src)
{
	dst->len = 0, dst->n = src->n;
	if (src->len)
		extra_append(dst, src->buf, src->len);
}

void ms_header_init(ms_header *h)
{
	memset(h, 0, sizeof *h);
	strcpy(h->kind, "det");
	h->version = MS_VERSION;
}

void ms_header_free(ms_header *h)
{
	free(h->seq), free(h->tool), free(h->args);
	extra_free(&h->extra);
	ms_header_init(h);
}

void ms_header_copy(ms_header *dst, const ms_header *src)
{
	if (dst == src)
		return;
	ms_header_free(dst);
	ms_extra x = dst->extra;
	*dst = *src;
	dst->seq = src->seq ? xstrdup(src->seq) : NULL;
	dst->tool = src->tool ? xstrdup(src->tool) : NULL;
	dst->args = src->args ? xstrdup(src->args) : NULL;
	dst->extra = x;
	extra_copy(&dst->extra, &src->extra);
}

void ms_header_set_tool(ms_header *h, int argc, char **argv)
{
	const char *t = argc > 0 ? strrchr(argv[0], '/') : NULL;
	size_t n = 1;
	free(h->tool), free(h->args);
	h->tool = xstrdup(argc > 0 ? (t ? t + 1 : argv[0]) : "");
	for (int i = 1; i < argc; i++)
		n += strlen(argv[i]) + 1;
	h->args = xmalloc(n);
	h->args[0] = 0;
	for (int i = 1; i < argc; i++) {
		if (i > 1)
			strcat(h->args, " ");
		strcat(h->args, argv[i]);
	}
	/* "made_by": "TOOL VERSION", an optional key readers pass through;
	 * it replaces the one an earlier stage wrote */
	size_t tl = strlen(h->tool), vl = strlen(version_text()), sl = tl + 1 + vl;
	uint8_t *v = xmalloc(sl + 5), *p = v;
	if (sl < 32)
		*p++ = (uint8_t)(0xa0 | sl);
	else if (sl < 256)
		*p++ = 0xd9, *p++ = (uint8_t)sl;
	else if (sl < 65536)
		*p++ = 0xda, *p++ = (uint8_t)(sl >> 8), *p++ = (uint8_t)sl;
	else
		*p++ = 0xdb, *p++ = (uint8_t)(sl >> 24), *p++ = (uint8_t)(sl >> 16),
		*p++ = (uint8_t)(sl >> 8), *p++ = (uint8_t)sl;
	memcpy(p, h->tool, tl), p[tl] = ' ', memcpy(p + tl + 1, version_text(), vl);
	ms_extra_put(&h->extra, "made_by", v, (size_t)(p - v) + sl);
	free(v);
}

void ms_det_init(ms_det *d)
{
	memset(d, 0, sizeof *d);
}

void ms_det_free(ms_det *d)
{
	free(d->rle), free(d->patch), free(d->z), free(d->cl), free(d->ml);
	extra_free(&d->extra);
	memset(d, 0, sizeof *d);
}

void ms_det_clear(ms_det *d)
{
	d->has = 0;
	d->f = d->k = d->gt = d->id = 0;
	d->cls = 0, d->score = 0;
	memset(d->box, 0, sizeof d->box);
	if (d->rle)
		d->rle[0] = 0;
	d->patch_len = 0, d->zdim = 0, d->ncl = d->nml = 0;
	ms_extra_clear(&d->extra);
}

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap && p)
		return p;
	size_t c = *cap ? *cap : 16;
	while (c < need)
		c *= 2;
	*cap = c;
	return xrealloc(p, c * elem);
}

static void set_rle_n(ms_det *d, const char *s, size_t n)
{
	d->rle = grow(d->rle, &d->rle_cap, n + 1, 1);
	memcpy(d->rle, s, n);
	d->rle[n] = 0;
	d->has |= MS_RLE;
}

void ms_det_set_rle(ms_det *d, const char *rle)
{
	set_rle_n(d, rle, strlen(rle));
}

void ms_det_set_patch(ms_det *d, const uint8_t *p, size_t n)
{
	d->patch = grow(d->patch, &d->patch_cap, n, 1);
	if (n)
		memcpy(d->patch, p, n);
	d->patch_len = n;
	d->has |= MS_PATCH;
}

void ms_det_set_z(ms_det *d, const float *z, uint32_t n)
{
	d->z = grow(d->z, &d->z_cap, n, sizeof *d->z);
	if (n)
		memcpy(d->z, z, n * sizeof *z);
	d->zdim = n;
	d->has |= MS_Z;
}

void ms_det_add_cl(ms_det *d, int64_t key)
{
	d->cl = grow(d->cl, &d->cl_cap, d->ncl + 1, sizeof *d->cl);
	d->cl[d->ncl++] = key;
	d->has |= MS_CL;
}

void ms_det_add_ml(ms_det *d, int64_t key)
{
	d->ml = grow(d->ml, &d->ml_cap, d->nml + 1, sizeof *d->ml);
	d->ml[d->nml++] = key;
	d->has |= MS_ML;
}

void ms_det_copy(ms_det *dst, const ms_det *src)
{
	if (dst == src)
		return;
	ms_det_clear(dst);
	dst->has = src->has;
	dst->f = src->f, dst->k = src->k, dst->cls = src->cls, dst->score = src->score;
	memcpy(dst->box, src->box, sizeof dst->box);
	dst->gt = src->gt, dst->id = src->id;
	if (src->has & MS_RLE)
		ms_det_set_rle(dst, src->rle);
	if (src->has & MS_PATCH)
		ms_det_set_patch(dst, src->patch, src->patch_len);
	if (src->has & MS_Z)
		ms_det_set_z(dst, src->z, src->zdim);
	for (uint32_t i = 0; i < src->ncl; i++)
		ms_det_add_cl(dst, src->cl[i]);
	for (uint32_t i = 0; i < src->nml; i++)
		ms_det_add_ml(dst, src->ml[i]);
	dst->has = src->has;
	extra_copy(&dst->extra, &src->extra);
}

/* ----------------------------------------------------------------- reader */

struct ms_reader {
	FILE *fp;
	int own;
	char *name;
	const uint8_t *mem;     /* memory input: the whole buffer */
	uint8_t *buf;           /* file input: bytes [0, len), next object at pos */
	size_t len, cap, pos;
	const uint8_t *base;    /* mem or buf */
	int eof;
	char err[600];

	const uint8_t *raw;     /* last object */
	size_t rawlen;
	msgpack_unpacked up;

	uint64_t seg;           /* segments started */
	int in_seg;             /* a header was read and its trailer not yet */
	uint64_t rec;           /* records in this segment */
	int64_t last_f;
	uint32_t width, height; /* from the header, for RLE checks */
	size_t patch_bytes;     /* h*w*c, 0 if none */
	uint32_t zdim;
	int64_t last_k;         /* keys strictly increase in a segment */
};

static ms_reader *reader_new(const char *name)
{
	ms_reader *r = xcalloc(1, sizeof *r);
	r->name = xstrdup(name);
	msgpack_unpacked_init(&r->up);
	return r;
}

ms_reader *ms_reader_open(const char *path)
{
	FILE *fp;
	if (!path || strcmp(path, "-") == 0) {
		ms_reader *r = reader_new("stdin");
		r->fp = stdin;
		return r;
	}
	if (!(fp = fopen(path, "rb")))
		return NULL;
	ms_reader *r = reader_new(path);
	r->fp = fp, r->own = 1;
	return r;
}

ms_reader *ms_reader_mem(const void *buf, size_t len, const char *name)
{
	ms_reader *r = reader_new(name ? name : "memory");
	r->mem = buf, r->base = buf, r->len = len, r->eof = 1;
	return r;
}

void ms_reader_close(ms_reader *r)
{
	if (!r)
		return;
	if (r->own)
		fclose(r->fp);
	msgpack_unpacked_destroy(&r->up);
	free(r->buf), free(r->name), free(r);
}

const char *ms_reader_error(const ms_reader *r) { return r->err; }
const char *ms_reader_name(const ms_reader *r) { return r->name; }
uint64_t ms_reader_record(const ms_reader *r) { return r->rec; }
uint64_t ms_reader_segment(const ms_reader *r) { return r->seg; }

void ms_reader_last_raw(const ms_reader *r, const uint8_t **buf, size_t *len)
{
	*buf = r->raw, *len = r->rawlen;
}

/* "NAME: where: what", where names the header, record or trailer of the
 * current segment (the segment number only once there are several). */
static int fail(ms_reader *r, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(ms_reader *r, const char *where, const char *fmt, ...)
{
	char what[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (r->seg > 1)
		snprintf(r->err, sizeof r->err, "%s: segment %llu %s: %s", r->name,
			 (unsigned long long)r->seg, where, what);
	else
		snprintf(r->err, sizeof r->err, "%s: %s: %s", r->name, where, what);
	return -1;
}

static int fail_rec(ms_reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail_rec(ms_reader *r, const char *fmt, ...)
{
	char what[400], where[40];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	snprintf(where, sizeof where, "record %llu", (unsigned long long)r->rec);
	return fail(r, where, "%s", what);
}

/* Pulls more bytes of a file input; 0 at end of input, -1 on a read error. */
static int fill(ms_reader *r)
{
	if (r->eof)
		return 0;
	if (r->pos > 0 && r->pos == r->len)
		r->pos = r->len = 0;
	else if (r->pos > r->cap / 2) {
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->len -= r->pos, r->pos = 0;
	}
	if (r->cap - r->len < CHUNK) {
		r->cap = r->cap ? r->cap * 2 : 4 * CHUNK;
		r->buf = xrealloc(r->buf, r->cap);
	}
	size_t n = fread(r->buf + r->len, 1, r->cap - r->len, r->fp);
	r->len += n;
	r->base = r->buf;
	if (n == 0) {
		if (ferror(r->fp)) {
			snprintf(r->err, sizeof r->err, "%s: %s", r->name, strerror(errno));
			return -1;
		}
		r->eof = 1;
		return 0;
	}
	return 1;
}

/* The next complete object: 1, 0 at a clean end of input, -1 on error
 * (message without the "where" part in r->err for the caller to place). */
static int map_byte(uint8_t b)
{
	return (b & 0xf0) == 0x80 || b == 0xde || b == 0xdf;
}

static int next_object(ms_reader *r, uint64_t total_items, int want_map, char *what, size_t whatn)
{
	mp_scan s;
	mp_scan_init(&s);
	if (r->rawlen) {
		r->pos += r->rawlen;
		r->rawlen = 0;
		r->raw = NULL;
	}
	for (;;) {
		const uint8_t *p = r->base ? r->base + r->pos : NULL;
		size_t avail = r->len - r->pos;
		if (want_map && avail && !map_byte(p[0])) {
			snprintf(what, whatn, "not a map (byte 0x%02x)", p[0]);
			return -1;
		}
		int rc = avail ? mp_scan_step(&s, p, avail, MS_MAX_OBJECT, MS_MAX_ITEMS,
					      total_items, what, whatn) : 0;
		if (rc < 0)
			return -1;
		if (rc == 1) {
			r->raw = p, r->rawlen = s.off;
			return 1;
		}
		int f = fill(r);
		if (f < 0) {
			snprintf(what, whatn, "%s", strerror(errno));
			return -1;
		}
		if (f == 0) {
			if (r->len == r->pos)
				return 0;
			snprintf(what, whatn, "truncated stream: input ends inside an object (%zu bytes read of it)",
				 r->len - r->pos);
			return -1;
		}
	}
}

static int key_is(const msgpack_object *k, const char *s)
{
	size_t n = strlen(s);
	return k->type == MSGPACK_OBJECT_STR && k->via.str.size == n && memcmp(k->via.str.ptr, s, n) == 0;
}

static int get_int(const msgpack_object *o, int64_t *v)
{
	if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER && o->via.u64 <= INT64_MAX)
		*v = (int64_t)o->via.u64;
	else if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
		*v = o->via.i64;
	else
		return -1;
	return 0;
}

static int get_num(const msgpack_object *o, double *v)
{
	int64_t i;
	if (o->type == MSGPACK_OBJECT_FLOAT32 || o->type == MSGPACK_OBJECT_FLOAT64)
		*v = o->via.f64;
	else if (get_int(o, &i) == 0)
		*v = (double)i;
	else
		return -1;
	return 0;
}

static char *dup_str(const msgpack_object *o)
{
	char *s = xmalloc(o->via.str.size + 1);
	memcpy(s, o->via.str.ptr, o->via.str.size);
	s[o->via.str.size] = 0;
	return s;
}

/* Walks the raw top-level map in step with the unpacked one, so that the
 * pair i of an unknown key can be copied byte for byte. */
typedef struct rawmap { const uint8_t *p; size_t len, off; } rawmap;

static void rawmap_init(rawmap *m, const uint8_t *p, size_t len)
{
	mp_item it;
	m->p = p, m->len = len, m->off = mp_item_head(p, len, &it);
}

static void rawmap_pair(rawmap *m, const uint8_t **pair, size_t *n)
{
	size_t kn = mp_skip(m->p + m->off, m->len - m->off);
	size_t vn = mp_skip(m->p + m->off + kn, m->len - m->off - kn);
	*pair = m->p + m->off, *n = kn + vn;
	m->off += kn + vn;
}

static const char *const kinds[] = {"det"};

static int unpack(ms_reader *r, char *what, size_t whatn)
{
	size_t off = 0;
	if (msgpack_unpack_next(&r->up, (const char *)r->raw, r->rawlen, &off) != MSGPACK_UNPACK_SUCCESS
	    || off != r->rawlen) {
		snprintf(what, whatn, "MessagePack object cannot be decoded");
		return -1;
	}
	return 0;
}

static int is_header(const msgpack_object *o)
{
	for (uint32_t i = 0; i < o->via.map.size; i++)
		if (key_is(&o->via.map.ptr[i].key, "stream"))
			return 1;
	return 0;
}

static int parse_header(ms_reader *r, ms_header *h)
{
	const msgpack_object *o = &r->up.data;
	const char *W = "header";
	rawmap rm;
	int seen_stream = 0, seen_kind = 0, seen_version = 0;
	if (o->type != MSGPACK_OBJECT_MAP)
		return fail(r, W, "not a usc-mots stream (the first object is not a map)");
	if (!is_header(o))
		return fail(r, W, "not a usc-mots stream (no \"stream\" key; a model file or another format?)");
	ms_header_free(h);
	h->kind[0] = 0, h->version = 0;
	rawmap_init(&rm, r->raw, r->rawlen);
	for (uint32_t i = 0; i < o->via.map.size; i++) {
		const msgpack_object *k = &o->via.map.ptr[i].key, *v = &o->via.map.ptr[i].val;
		const uint8_t *pair;
		size_t pn;
		int64_t x;
		rawmap_pair(&rm, &pair, &pn);
		if (k->type != MSGPACK_OBJECT_STR)
			return fail(r, W, "a key is not a string");
		if (key_is(k, "stream")) {
			if (v->type != MSGPACK_OBJECT_STR || v->via.str.size != 8
			    || memcmp(v->via.str.ptr, "usc-mots", 8) != 0)
				return fail(r, W, "not a usc-mots stream (\"stream\" is not \"usc-mots\")");
			seen_stream = 1;
		} else if (key_is(k, "kind")) {
			if (v->type != MSGPACK_OBJECT_STR)
				return fail(r, W, "\"kind\" is not a string");
			size_t n = v->via.str.size, j;
			for (j = 0; j < sizeof kinds / sizeof *kinds; j++)
				if (strlen(kinds[j]) == n && memcmp(kinds[j], v->via.str.ptr, n) == 0)
					break;
			if (j == sizeof kinds / sizeof *kinds)
				return fail(r, W, "unknown stream kind \"%.*s\" (this version reads \"det\")",
					    (int)(n > 40 ? 40 : n), v->via.str.ptr);
			memcpy(h->kind, v->via.str.ptr, n);
			h->kind[n] = 0;
			seen_kind = 1;
		} else if (key_is(k, "version")) {
			if (get_int(v, &x) != 0 || x < 1)
				return fail(r, W, "\"version\" is not a positive integer");
			if (x > MS_VERSION)
				return fail(r, W, "stream version %lld is newer than this tool's (%d); update usc-mots",
					    (long long)x, MS_VERSION);
			h->version = (int)x;
			seen_version = 1;
		} else if (key_is(k, "seq") || key_is(k, "tool") || key_is(k, "args")) {
			char **dst = key_is(k, "seq") ? &h->seq : key_is(k, "tool") ? &h->tool : &h->args;
			if (v->type != MSGPACK_OBJECT_STR)
				return fail(r, W, "\"%.*s\" is not a string", (int)k->via.str.size, k->via.str.ptr);
			/* A C string would end at the NUL and hide the rest. */
			if (memchr(v->via.str.ptr, 0, v->via.str.size))
				return fail(r, W, "\"%.*s\" holds a NUL byte", (int)k->via.str.size, k->via.str.ptr);
			free(*dst);
			*dst = dup_str(v);
		} else if (key_is(k, "width") || key_is(k, "height")) {
			if (get_int(v, &x) != 0 || x < 0 || x > MS_MAX_SIDE)
				return fail(r, W, "\"%.*s\" is not an integer in 0..%d",
					    (int)k->via.str.size, k->via.str.ptr, MS_MAX_SIDE);
			*(key_is(k, "width") ? &h->width : &h->height) = (int)x;
		} else if (key_is(k, "patch")) {
			int64_t p[3];
			if (v->type != MSGPACK_OBJECT_ARRAY || v->via.array.size != 3)
				return fail(r, W, "\"patch\" is not an array [h, w, c]");
			for (int j = 0; j < 3; j++)
				if (get_int(&v->via.array.ptr[j], &p[j]) != 0 || p[j] < 0 || p[j] > 4096)
					return fail(r, W, "\"patch\" sizes must be integers in 0..4096");
			if ((uint64_t)(p[0] * p[1] * p[2]) > MS_MAX_OBJECT / 2)
				return fail(r, W, "\"patch\" of %lldx%lldx%lld bytes exceeds the object cap",
					    (long long)p[0], (long long)p[1], (long long)p[2]);
			for (int j = 0; j < 3; j++)
				h->patch[j] = (int)p[j];
		} else if (key_is(k, "zdim")) {
			if (get_int(v, &x) != 0 || x < 0 || x > (int64_t)(MS_MAX_OBJECT / 8))
				return fail(r, W, "\"zdim\" is not a valid length");
			h->zdim = (int)x;
		} else {
			extra_append(&h->extra, pair, pn);
			h->extra.n++;
		}
	}
	if (!seen_stream || !seen_kind || !seen_version)
		return fail(r, W, "missing \"%s\"", !seen_stream ? "stream" : !seen_kind ? "kind" : "version");
	return 0;
}

int ms_max_pixels(uint64_t *max, char *err, size_t errn)
{
	const char *s = getenv("USC_MOTS_MAX_PIXELS");
	*max = MS_MAX_PIXELS;
	if (!s || !*s)
		return 0;
	char *e;
	errno = 0;
	unsigned long long v = strtoull(s, &e, 10);
	if (*e || errno || *s == '-' || v < 1 || v > (1ULL << 32))
		return errf(err, errn, "USC_MOTS_MAX_PIXELS: '%.40s' is not an integer in 1..4294967296", s);
	*max = v;
	return 0;
}

/* Tools allocate whole frames of the header's size. */
static int check_pixels(ms_reader *r, const ms_header *h)
{
	uint64_t max, px = (uint64_t)h->width * (uint64_t)h->height;
	char e[200];
	if (ms_max_pixels(&max, e, sizeof e) != 0)
		return fail(r, "header", "%s", e);
	if (px > max)
		return fail(r, "header", "image %dx%d is %llu pixels, over the limit of %llu "
			    "(USC_MOTS_MAX_PIXELS raises it)", h->width, h->height,
			    (unsigned long long)px, (unsigned long long)max);
	return 0;
}

int ms_read_header(ms_reader *r, ms_header *h)
{
	char what[300];
	uint64_t first = r->seg == 0;
	if (r->in_seg)
		return fail(r, "header", "ms_read_header called inside a segment");
	int rc = next_object(r, MS_MAX_ITEMS, 1, what, sizeof what);
	if (rc == 0) {
		if (first)
			return fail(r, "header", "empty input (no usc-mots stream; did the previous stage fail?)");
		return 0;
	}
	r->seg++;
	if (rc < 0)
		return fail(r, "header", "not a usc-mots stream (%s)", what);
	if (unpack(r, what, sizeof what) != 0)
		return fail(r, "header", "%s", what);
	if (parse_header(r, h) != 0 || check_pixels(r, h) != 0)
		return -1;
	r->in_seg = 1;
	r->rec = 0;
	r->last_f = INT64_MIN;
	r->width = (uint32_t)h->width, r->height = (uint32_t)h->height;
	r->patch_bytes = (size_t)h->patch[0] * h->patch[1] * h->patch[2];
	r->zdim = (uint32_t)h->zdim;
	r->last_k = INT64_MIN;
	return 1;
}

static int parse_trailer(ms_reader *r, const msgpack_object *o)
{
	int64_t count = -1;
	int end = 0;
	for (uint32_t i = 0; i < o->via.map.size; i++) {
		const msgpack_object *k = &o->via.map.ptr[i].key, *v = &o->via.map.ptr[i].val;
		if (key_is(k, "end"))
			end = v->type == MSGPACK_OBJECT_BOOLEAN && v->via.boolean;
		else if (key_is(k, "count") && get_int(v, &count) != 0)
			count = -2;
	}
	if (!end)
		return fail(r, "trailer", "\"end\" is not true");
	if (count < 0)
		return fail(r, "trailer", "\"count\" is missing or not a non-negative integer");
	if ((uint64_t)count != r->rec)
		return fail(r, "trailer", "count %lld, but the segment holds %llu records (records lost?)",
			    (long long)count, (unsigned long long)r->rec);
	r->in_seg = 0;
	return 0;
}

static int int_array(ms_reader *r, const msgpack_object *v, const char *name, ms_det *d, int ml)
{
	if (v->type != MSGPACK_OBJECT_ARRAY)
		return fail_rec(r, "\"%s\" is not an array of keys", name);
	for (uint32_t j = 0; j < v->via.array.size; j++) {
		int64_t x;
		if (get_int(&v->via.array.ptr[j], &x) != 0)
			return fail_rec(r, "\"%s\" holds a non-integer", name);
		ml ? ms_det_add_ml(d, x) : ms_det_add_cl(d, x);
	}
	if (ml)
		d->has |= MS_ML;
	else
		d->has |= MS_CL;
	return 0;
}

static int parse_det(ms_reader *r, const msgpack_object *o, ms_det *d)
{
	rawmap rm;
	ms_det_clear(d);
	rawmap_init(&rm, r->raw, r->rawlen);
	int seen_f = 0, seen_k = 0;
	for (uint32_t i = 0; i < o->via.map.size; i++) {
		const msgpack_object *k = &o->via.map.ptr[i].key, *v = &o->via.map.ptr[i].val;
		const uint8_t *pair;
		size_t pn;
		uint32_t bit = 0;
		double x;
		rawmap_pair(&rm, &pair, &pn);
		if (k->type != MSGPACK_OBJECT_STR)
			return fail_rec(r, "a key is not a string");
		const char *ks = k->via.str.ptr;
		size_t kl = k->via.str.size;
		if (kl == 1 && (ks[0] == 'f' || ks[0] == 'k')) {
			int64_t *dst = ks[0] == 'f' ? &d->f : &d->k;
			int *seen = ks[0] == 'f' ? &seen_f : &seen_k;
			if (*seen)
				return fail_rec(r, "key \"%c\" repeated", ks[0]);
			if (get_int(v, dst) != 0)
				return fail_rec(r, "\"%c\" is not an integer", ks[0]);
			if (ks[0] == 'f' && *dst < 0)
				return fail_rec(r, "frame %lld is negative", (long long)*dst);
			*seen = 1;
			continue;
		}
		if (key_is(k, "cls")) bit = MS_CLS;
		else if (key_is(k, "score")) bit = MS_SCORE;
		else if (key_is(k, "box")) bit = MS_BOX;
		else if (key_is(k, "rle")) bit = MS_RLE;
		else if (key_is(k, "patch")) bit = MS_PATCH;
		else if (key_is(k, "gt")) bit = MS_GT;
		else if (key_is(k, "id")) bit = MS_ID;
		else if (key_is(k, "z")) bit = MS_Z;
		else if (key_is(k, "cl")) bit = MS_CL;
		else if (key_is(k, "ml")) bit = MS_ML;
		if (!bit) {
			extra_append(&d->extra, pair, pn);
			d->extra.n++;
			continue;
		}
		if (d->has & bit)
			return fail_rec(r, "key \"%.*s\" repeated", (int)kl, ks);
		int64_t iv;
		switch (bit) {
		case MS_CLS:
			if (get_int(v, &iv) != 0 || iv < INT32_MIN || iv > INT32_MAX)
				return fail_rec(r, "\"cls\" is not a 32-bit integer");
			d->cls = (int32_t)iv;
			break;
		case MS_GT:
		case MS_ID:
			if (get_int(v, bit == MS_GT ? &d->gt : &d->id) != 0)
				return fail_rec(r, "\"%s\" is not an integer", bit == MS_GT ? "gt" : "id");
			break;
		case MS_SCORE:
			if (get_num(v, &x) != 0)
				return fail_rec(r, "\"score\" is not a number");
			if (isnan(x))
				return fail_rec(r, "score is NaN");
			if (isinf(x))
				return fail_rec(r, "score is infinite");
			if (fabs(x) > FLT_MAX)
				return fail_rec(r, "score %g is beyond float32 range", x);
			d->score = (float)x;
			break;
		case MS_BOX:
			if (v->type != MSGPACK_OBJECT_ARRAY || v->via.array.size != 4)
				return fail_rec(r, "\"box\" is not an array [x, y, w, h]");
			for (int j = 0; j < 4; j++) {
				if (get_num(&v->via.array.ptr[j], &x) != 0 || !isfinite(x) || fabs(x) > FLT_MAX)
					return fail_rec(r, "\"box\" holds a value that is not a finite number");
				d->box[j] = (float)x;
			}
			if (d->box[2] < 0 || d->box[3] < 0)
				return fail_rec(r, "\"box\" has a negative width or height");
			break;
		case MS_RLE:
			if (v->type != MSGPACK_OBJECT_STR)
				return fail_rec(r, "\"rle\" is not a string");
			set_rle_n(d, v->via.str.ptr, v->via.str.size);
			if (strlen(d->rle) != v->via.str.size)
				return fail_rec(r, "\"rle\" holds a NUL byte");
			break;
		case MS_PATCH:
			if (v->type != MSGPACK_OBJECT_BIN)
				return fail_rec(r, "\"patch\" is not binary");
			if (v->via.bin.size != r->patch_bytes)
				return fail_rec(r, "\"patch\" has %u bytes, the header's patch size needs %zu",
						v->via.bin.size, r->patch_bytes);
			ms_det_set_patch(d, (const uint8_t *)v->via.bin.ptr, v->via.bin.size);
			break;
		case MS_Z:
			if (v->type != MSGPACK_OBJECT_BIN)
				return fail_rec(r, "\"z\" is not binary (float32 little-endian)");
			if (!r->zdim || v->via.bin.size != 4 * r->zdim)
				return fail_rec(r, "\"z\" has %u bytes, the header's zdim %u needs %u",
						v->via.bin.size, r->zdim, 4 * r->zdim);
			d->z = grow(d->z, &d->z_cap, r->zdim, sizeof *d->z);
			memcpy(d->z, v->via.bin.ptr, v->via.bin.size);   /* unaligned source */
			d->zdim = r->zdim;
			/* a NaN or Inf would poison every distance of the window */
			for (uint32_t j = 0; j < d->zdim; j++)
				if (!isfinite(d->z[j]))
					return fail_rec(r, "\"z\" value %u is %s", j + 1,
							isnan(d->z[j]) ? "NaN" : "infinite");
			break;
		case MS_CL:
		case MS_ML:
			if (int_array(r, v, bit == MS_CL ? "cl" : "ml", d, bit == MS_ML) != 0)
				return -1;
			break;
		}
		d->has |= bit;
	}
	if (!seen_f || !seen_k)
		return fail_rec(r, "missing \"%s\"", !seen_f ? "f" : "k");
	if (d->f < r->last_f)
		return fail_rec(r, "frame %lld after frame %lld (records must come in frame order)",
				(long long)d->f, (long long)r->last_f);
	r->last_f = d->f;
	/* Increasing keys make them unique with O(1) state, and "earlier" is
	 * "smaller" for the cl/ml links. */
	if (r->rec > 1 && d->k <= r->last_k)
		return fail_rec(r, "key k=%lld after k=%lld (keys must increase within a segment)",
				(long long)d->k, (long long)r->last_k);
	r->last_k = d->k;
	if (d->has & MS_RLE) {
		char e[160];
		rle_t m;
		if (!r->width || !r->height)
			return fail_rec(r, "\"rle\" given but the header has no width and height");
		if (rle_from_string(&m, d->rle, r->height, r->width, e, sizeof e) != 0)
			return fail_rec(r, "rle: %s", e);
		rle_free(&m);
	}
	return 0;
}

int ms_read_det(ms_reader *r, ms_det *d)
{
	char what[300];
	if (!r->in_seg)
		return fail(r, "record", "no segment is open (read the header first)");
	int rc = next_object(r, MS_MAX_ITEMS, 1, what, sizeof what);
	if (rc == 0)
		return fail(r, "trailer", "truncated stream: no trailer after %llu records (did the previous stage fail?)",
			    (unsigned long long)r->rec);
	r->rec++;
	if (rc < 0)
		return fail_rec(r, "%s", what);
	if (unpack(r, what, sizeof what) != 0)
		return fail_rec(r, "%s", what);
	const msgpack_object *o = &r->up.data;
	if (o->type != MSGPACK_OBJECT_MAP)
		return fail_rec(r, "not a map");
	for (uint32_t i = 0; i < o->via.map.size; i++)
		if (key_is(&o->via.map.ptr[i].key, "end")) {
			r->rec--;
			return parse_trailer(r, o) == 0 ? 0 : -1;
		}
	if (is_header(o)) {
		r->rec--;
		return fail(r, "trailer", "truncated stream: a new header after %llu records, but no trailer",
			    (unsigned long long)r->rec);
	}
	return parse_det(r, o, d) == 0 ? 1 : -1;
}

int ms_read_raw(ms_reader *r, const uint8_t **buf, size_t *len)
{
	char what[300], where[40];
	int rc = next_object(r, 0, 0, what, sizeof what);
	if (rc <= 0) {
		if (rc < 0) {
			snprintf(where, sizeof where, "object %llu", (unsigned long long)r->rec + 1);
			return fail(r, where, "%s", what);
		}
		if (r->rec == 0)
			return fail(r, "object 1", "empty input");
		return 0;
	}
	r->rec++;
	*buf = r->raw, *len = r->rawlen;
	return 1;
}

int ms_peek_raw(ms_reader *r, const uint8_t **buf, size_t *len)
{
	char what[300], where[40];
	int rc = next_object(r, 0, 0, what, sizeof what);
	if (rc < 0) {
		snprintf(where, sizeof where, "object %llu", (unsigned long long)r->rec + 1);
		return fail(r, where, "%s", what);
	}
	if (rc == 1) {
		*buf = r->raw, *len = r->rawlen;
		r->rawlen = 0;   /* not consumed: the next read starts here again */
	}
	return rc;
}

/* ----------------------------------------------------------------- writer */

struct ms_writer {
	FILE *fp;
	uint8_t *buf;
	size_t len, cap;
	msgpack_packer pk;
	uint64_t count;
	int failed;
};

static int write_cb(void *data, const char *p, size_t n)
{
	ms_writer *w = data;
	if (w->len + n > w->cap) {
		while (w->len + n > w->cap)
			w->cap = w->cap ? w->cap * 2 : 4 * CHUNK;
		w->buf = xrealloc(w->buf, w->cap);
	}
	if (n)
		memcpy(w->buf + w->len, p, n);
	w->len += n;
	return 0;
}

static void raw(ms_writer *w, const uint8_t *p, size_t n)
{
	write_cb(w, (const char *)p, n);
}

/* Hands whole objects to stdio once enough have gathered. */
static int flush_objects(ms_writer *w, int force)
{
	if (w->len && (force || w->len >= CHUNK)) {
		if (fwrite(w->buf, 1, w->len, w->fp) != w->len)
			w->failed = 1;
		w->len = 0;
	}
	return w->failed ? -1 : 0;
}

ms_writer *ms_writer_new(FILE *fp)
{
	/* as gzip does: binary on a terminal helps nobody and may upset it */
	if (isatty(fileno(fp)))
		die("refusing to write a binary stream to a terminal (redirect it, pipe it to the "
		    "next stage or mots-dump, or give -o FILE)");
	ms_writer *w = xcalloc(1, sizeof *w);
	w->fp = fp;
	msgpack_packer_init(&w->pk, w, write_cb);
	return w;
}

static void key(ms_writer *w, const char *k)
{
	size_t n = strlen(k);
	msgpack_pack_str(&w->pk, n);
	msgpack_pack_str_body(&w->pk, k, n);
}

static void str(ms_writer *w, const char *s)
{
	size_t n = strlen(s);
	msgpack_pack_str(&w->pk, n);
	msgpack_pack_str_body(&w->pk, s, n);
}

static void bin(ms_writer *w, const void *p, size_t n)
{
	msgpack_pack_bin(&w->pk, n);
	msgpack_pack_bin_body(&w->pk, p, n);
}

int ms_write_header(ms_writer *w, const ms_header *h)
{
	int has_size = h->width || h->height;
	int has_patch = h->patch[0] || h->patch[1] || h->patch[2];
	size_t n = 3 + (h->seq != NULL) + 2 * has_size + has_patch + (h->zdim != 0)
		+ (h->tool != NULL) + (h->args != NULL) + h->extra.n;
	w->count = 0;
	msgpack_pack_map(&w->pk, n);
	key(w, "stream"), str(w, "usc-mots");
	key(w, "kind"), str(w, h->kind[0] ? h->kind : "det");
	key(w, "version"), msgpack_pack_int(&w->pk, h->version ? h->version : MS_VERSION);
	if (h->seq)
		key(w, "seq"), str(w, h->seq);
	if (has_size) {
		key(w, "width"), msgpack_pack_int(&w->pk, h->width);
		key(w, "height"), msgpack_pack_int(&w->pk, h->height);
	}
	if (has_patch) {
		key(w, "patch");
		msgpack_pack_array(&w->pk, 3);
		for (int i = 0; i < 3; i++)
			msgpack_pack_int(&w->pk, h->patch[i]);
	}
	if (h->zdim)
		key(w, "zdim"), msgpack_pack_int(&w->pk, h->zdim);
	if (h->tool)
		key(w, "tool"), str(w, h->tool);
	if (h->args)
		key(w, "args"), str(w, h->args);
	raw(w, h->extra.buf, h->extra.len);
	return flush_objects(w, 0);
}

static void int_list(ms_writer *w, const int64_t *v, uint32_t n)
{
	msgpack_pack_array(&w->pk, n);
	for (uint32_t i = 0; i < n; i++)
		msgpack_pack_int64(&w->pk, v[i]);
}

int ms_write_det(ms_writer *w, const ms_det *d)
{
	uint32_t h = d->has;
	size_t n = 2 + d->extra.n;
	for (uint32_t b = 1; b <= MS_CLS; b <<= 1)
		n += (h & b) != 0;
	msgpack_pack_map(&w->pk, n);
	key(w, "f"), msgpack_pack_int64(&w->pk, d->f);
	key(w, "k"), msgpack_pack_int64(&w->pk, d->k);
	if (h & MS_CLS)
		key(w, "cls"), msgpack_pack_int32(&w->pk, d->cls);
	if (h & MS_SCORE)
		key(w, "score"), msgpack_pack_float(&w->pk, d->score);
	if (h & MS_BOX) {
		key(w, "box");
		msgpack_pack_array(&w->pk, 4);
		for (int i = 0; i < 4; i++)
			msgpack_pack_float(&w->pk, d->box[i]);
	}
	if (h & MS_RLE)
		key(w, "rle"), str(w, d->rle ? d->rle : "");
	if (h & MS_PATCH)
		key(w, "patch"), bin(w, d->patch, d->patch_len);
	if (h & MS_GT)
		key(w, "gt"), msgpack_pack_int64(&w->pk, d->gt);
	if (h & MS_ID)
		key(w, "id"), msgpack_pack_int64(&w->pk, d->id);
	if (h & MS_Z)
		key(w, "z"), bin(w, d->z, (size_t)d->zdim * 4);   /* little-endian hosts */
	if (h & MS_CL)
		key(w, "cl"), int_list(w, d->cl, d->ncl);
	if (h & MS_ML)
		key(w, "ml"), int_list(w, d->ml, d->nml);
	raw(w, d->extra.buf, d->extra.len);
	w->count++;
	return flush_objects(w, 0);
}

int ms_write_trailer(ms_writer *w)
{
	msgpack_pack_map(&w->pk, 2);
	key(w, "end"), msgpack_pack_true(&w->pk);
	key(w, "count"), msgpack_pack_uint64(&w->pk, w->count);
	w->count = 0;
	return flush_objects(w, 0);
}

void ms_writer_discard(ms_writer *w)
{
	if (!w)
		return;
	free(w->buf);
	free(w);
}

int ms_writer_free(ms_writer *w)
{
	flush_objects(w, 1);
	if (fflush(w->fp) != 0)
		w->failed = 1;
	int rc = w->failed ? -1 : 0;
	ms_writer_discard(w);
	return rc;
}
