/* The record stream: round trips, concatenation, pass-through of unknown
 * keys, caps on declared lengths, truncation and schema errors. */
#include <criterion/criterion.h>
#include <math.h>
#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stream.h"

typedef struct { char *buf; size_t len; FILE *fp; } mem;

static ms_writer *mem_writer(mem *m)
{
	m->buf = NULL, m->len = 0;
	m->fp = open_memstream(&m->buf, &m->len);
	return ms_writer_new(m->fp);
}

static void mem_close(mem *m, ms_writer *w)
{
	cr_assert(ms_writer_free(w) == 0);
	fclose(m->fp);
}

static void header(ms_header *h, const char *seq)
{
	ms_header_init(h);
	h->seq = strdup(seq);
	h->width = 6, h->height = 4;
	h->patch[0] = 2, h->patch[1] = 3, h->patch[2] = 1;
	h->zdim = 3;
	h->tool = strdup("test");
	h->args = strdup("");   /* empty strings must be writable */
}

static void det(ms_det *d, int64_t f, int64_t k)
{
	static const uint8_t patch[6] = {0, 255, 3, 4, 5, 6};
	const float z[3] = {1.5f, -2.0f, (float)k};
	ms_det_clear(d);
	d->f = f, d->k = k;
	d->cls = 2, d->has |= MS_CLS;
	d->score = 0.75f, d->has |= MS_SCORE;
	d->box[0] = 1, d->box[1] = 2, d->box[2] = 3, d->box[3] = 1.5f, d->has |= MS_BOX;
	ms_det_set_rle(d, "5616");   /* 4x6 mask: runs 5,6,1,12 (the last as a delta, 12 - 6) */
	ms_det_set_patch(d, patch, 6);
	d->gt = 2003, d->has |= MS_GT;
	d->id = -7, d->has |= MS_ID;
	ms_det_set_z(d, z, 3);
	if (k > 0)
		ms_det_add_cl(d, k - 1), ms_det_add_ml(d, 0);
}

/* A stream of one segment with n records, f = i / 2. */
static void make_stream(mem *m, const char *seq, int n)
{
	ms_header h;
	ms_det d;
	ms_writer *w = mem_writer(m);
	header(&h, seq);
	ms_det_init(&d);
	cr_assert(ms_write_header(w, &h) == 0);
	for (int i = 0; i < n; i++) {
		det(&d, i / 2, i);
		cr_assert(ms_write_det(w, &d) == 0);
	}
	cr_assert(ms_write_trailer(w) == 0);
	mem_close(m, w);
	ms_header_free(&h);
	ms_det_free(&d);
}

/* Reads everything, rewriting it; returns the reader's error or NULL. */
static char *copy_stream(const void *buf, size_t len, mem *out, int *segs, int *recs)
{
	ms_reader *r = ms_reader_mem(buf, len, "in.det");
	ms_writer *w = mem_writer(out);
	ms_header h;
	ms_det d;
	int rc;
	char *err = NULL;
	ms_header_init(&h);
	ms_det_init(&d);
	*segs = *recs = 0;
	while ((rc = ms_read_header(r, &h)) == 1) {
		++*segs;
		ms_write_header(w, &h);
		while ((rc = ms_read_det(r, &d)) == 1) {
			++*recs;
			ms_write_det(w, &d);
		}
		if (rc < 0)
			break;
		ms_write_trailer(w);
	}
	if (rc < 0)
		err = strdup(ms_reader_error(r));
	mem_close(out, w);
	ms_reader_close(r);
	ms_header_free(&h);
	ms_det_free(&d);
	return err;
}

Test(stream, round_trip_every_field)
{
	mem m;
	make_stream(&m, "0002", 5);
	ms_reader *r = ms_reader_mem(m.buf, m.len, "a.det");
	ms_header h;
	ms_det d;
	ms_header_init(&h);
	ms_det_init(&d);
	cr_assert(ms_read_header(r, &h) == 1, "%s", ms_reader_error(r));
	cr_assert_str_eq(h.kind, "det");
	cr_assert_eq(h.version, MS_VERSION);
	cr_assert_str_eq(h.seq, "0002");
	cr_assert_eq(h.width, 6);
	cr_assert_eq(h.height, 4);
	cr_assert(h.patch[0] == 2 && h.patch[1] == 3 && h.patch[2] == 1);
	cr_assert_eq(h.zdim, 3);
	cr_assert_str_eq(h.tool, "test");
	cr_assert_str_eq(h.args, "");
	for (int i = 0; i < 5; i++) {
		cr_assert(ms_read_det(r, &d) == 1, "%s", ms_reader_error(r));
		cr_assert_eq(d.f, i / 2);
		cr_assert_eq(d.k, i);
		cr_assert_eq(d.cls, 2);
		cr_assert_float_eq(d.score, 0.75f, 0);
		cr_assert(d.box[0] == 1 && d.box[1] == 2 && d.box[2] == 3 && d.box[3] == 1.5f);
		cr_assert_str_eq(d.rle, "5616");
		cr_assert_eq(d.patch_len, 6);
		cr_assert_eq(d.patch[1], 255);
		cr_assert_eq(d.gt, 2003);
		cr_assert_eq(d.id, -7);
		cr_assert_eq(d.zdim, 3);
		cr_assert(d.z[0] == 1.5f && d.z[1] == -2.0f && d.z[2] == (float)i);
		cr_assert_eq(d.ncl, i > 0);
		cr_assert_eq(d.nml, i > 0);
		if (i)
			cr_assert(d.cl[0] == i - 1 && d.ml[0] == 0);
		cr_assert_eq(ms_reader_record(r), (uint64_t)i + 1);
	}
	cr_assert(ms_read_det(r, &d) == 0, "%s", ms_reader_error(r));
	cr_assert(ms_read_header(r, &h) == 0, "%s", ms_reader_error(r));
	ms_reader_close(r);

	/* Reading and writing again gives the same bytes. */
	mem out;
	int segs, recs;
	char *err = copy_stream(m.buf, m.len, &out, &segs, &recs);
	cr_assert(err == NULL, "%s", err);
	cr_assert_eq(out.len, m.len);
	cr_assert(memcmp(out.buf, m.buf, m.len) == 0);
	free(out.buf), free(m.buf);
	ms_header_free(&h);
	ms_det_free(&d);
}

Test(stream, concatenated_segments)
{
	mem a, b, out;
	make_stream(&a, "0001", 3);
	make_stream(&b, "0002", 4);
	char *cat = malloc(a.len + b.len);
	memcpy(cat, a.buf, a.len);
	memcpy(cat + a.len, b.buf, b.len);
	int segs, recs;
	char *err = copy_stream(cat, a.len + b.len, &out, &segs, &recs);
	cr_assert(err == NULL, "%s", err);
	cr_assert_eq(segs, 2);
	cr_assert_eq(recs, 7);
	cr_assert(out.len == a.len + b.len && memcmp(out.buf, cat, out.len) == 0);

	/* Frames restart in the second segment; keys may repeat across segments. */
	ms_reader *r = ms_reader_mem(cat, a.len + b.len, "cat");
	ms_header h;
	ms_det d;
	ms_header_init(&h);
	ms_det_init(&d);
	cr_assert(ms_read_header(r, &h) == 1);
	while (ms_read_det(r, &d) == 1)
		;
	cr_assert(ms_read_header(r, &h) == 1);
	cr_assert_str_eq(h.seq, "0002");
	cr_assert_eq(ms_reader_segment(r), 2);
	cr_assert(ms_read_det(r, &d) == 1);
	cr_assert_eq(d.f, 0);
	ms_reader_close(r);
	ms_header_free(&h);
	ms_det_free(&d);
	free(cat), free(a.buf), free(b.buf), free(out.buf);
}

/* Packs a map with msgpack-c directly, as another program might. */
static void pk_str(msgpack_packer *pk, const char *s)
{
	msgpack_pack_str(pk, strlen(s));
	msgpack_pack_str_body(pk, s, strlen(s));
}

Test(stream, unknown_keys_pass_through_unchanged)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 5);
	pk_str(&pk, "note"), msgpack_pack_array(&pk, 2), msgpack_pack_double(&pk, 0.1), msgpack_pack_nil(&pk);
	pk_str(&pk, "stream"), pk_str(&pk, "usc-mots");
	pk_str(&pk, "version"), msgpack_pack_uint8(&pk, 1);
	pk_str(&pk, "kind"), pk_str(&pk, "det");
	pk_str(&pk, "fps"), msgpack_pack_float(&pk, 10.0f);
	msgpack_pack_map(&pk, 4);
	pk_str(&pk, "k"), msgpack_pack_int(&pk, 9);
	pk_str(&pk, "conf"), msgpack_pack_map(&pk, 1), pk_str(&pk, "a"), msgpack_pack_int64(&pk, -300000);
	pk_str(&pk, "f"), msgpack_pack_uint64(&pk, 4);
	pk_str(&pk, "tag"), msgpack_pack_bin(&pk, 0), msgpack_pack_bin_body(&pk, "", 0);
	msgpack_pack_map(&pk, 2);
	pk_str(&pk, "end"), msgpack_pack_true(&pk);
	pk_str(&pk, "count"), msgpack_pack_int(&pk, 1);

	ms_reader *r = ms_reader_mem(sb.data, sb.size, "x");
	ms_header h;
	ms_det d;
	const uint8_t *v;
	size_t vn;
	ms_header_init(&h);
	ms_det_init(&d);
	cr_assert(ms_read_header(r, &h) == 1, "%s", ms_reader_error(r));
	cr_assert_eq(h.extra.n, 2);
	cr_assert(ms_extra_find(&h.extra, "fps", &v, &vn) == 1);
	cr_assert(vn == 5 && v[0] == 0xca);
	cr_assert(ms_read_det(r, &d) == 1, "%s", ms_reader_error(r));
	cr_assert_eq(d.extra.n, 2);
	cr_assert(ms_extra_find(&d.extra, "tag", &v, &vn) == 1);
	cr_assert(vn == 2 && v[0] == 0xc4 && v[1] == 0);
	cr_assert(ms_extra_find(&d.extra, "nope", &v, &vn) == 0);

	/* Written again, each unknown pair appears byte for byte. */
	mem out;
	ms_writer *w = mem_writer(&out);
	ms_write_header(w, &h);
	ms_write_det(w, &d);
	ms_write_trailer(w);
	mem_close(&out, w);
	cr_assert(memmem(out.buf, out.len, h.extra.buf, h.extra.len) != NULL);
	cr_assert(memmem(out.buf, out.len, d.extra.buf, d.extra.len) != NULL);
	const char conf[] = "\xa4" "conf\x81\xa1" "a\xd2\xff\xfb\x6c\x20";
	cr_assert(memmem(out.buf, out.len, conf, sizeof conf - 1) != NULL);

	/* put replaces a key and keeps the others. */
	const uint8_t seven = 7;
	ms_extra_put(&d.extra, "tag", &seven, 1);
	cr_assert_eq(d.extra.n, 2);
	cr_assert(ms_extra_find(&d.extra, "tag", &v, &vn) == 1 && vn == 1 && v[0] == 7);
	cr_assert(ms_extra_find(&d.extra, "conf", &v, &vn) == 1 && vn == 8);

	ms_reader_close(r);
	ms_header_free(&h);
	ms_det_free(&d);
	msgpack_sbuffer_destroy(&sb);
	free(out.buf);
}

/* Reads the whole input; returns the first error (static) or "". */
static const char *read_all(const void *buf, size_t len)
{
	static char err[700];
	ms_reader *r = ms_reader_mem(buf, len, "in.det");
	ms_header h;
	ms_det d;
	int rc;
	ms_header_init(&h);
	ms_det_init(&d);
	while ((rc = ms_read_header(r, &h)) == 1) {
		while ((rc = ms_read_det(r, &d)) == 1)
			;
		if (rc < 0)
			break;
	}
	snprintf(err, sizeof err, "%s", rc < 0 ? ms_reader_error(r) : "");
	ms_reader_close(r);
	ms_header_free(&h);
	ms_det_free(&d);
	return err;
}

#define assert_err(buf, len, want) do { \
	const char *e_ = read_all(buf, len); \
	cr_assert(strstr(e_, want), "got '%s', want '%s'", e_, want); } while (0)

Test(stream, caps_refuse_huge_declared_lengths_without_allocating)
{
	/* 5 bytes declaring a 4 GiB array, a 4 GiB map, a 4 GiB string. */
	assert_err("\xdd\xff\xff\xff\xff", 5, "in.det: header: not a usc-mots stream (not a map");
	assert_err("\xdf\xff\xff\xff\xff", 5, "map of 4294967295 pairs exceeds the cap");
	/* Inside a valid segment: a record whose patch declares 4 GiB. */
	mem m;
	make_stream(&m, "s", 0);
	size_t hl = m.len - 13;   /* the trailer {"end":true,"count":0} is 13 bytes */
	char *b = malloc(hl + 20);
	memcpy(b, m.buf, hl);
	memcpy(b + hl, "\x83\xa1" "f\x00\xa1k\x01\xa5patch\xc6\xff\xff\xff\xff", 18);
	assert_err(b, hl + 18, "in.det: record 1: binary of 4294967295 bytes exceeds the cap");
	memcpy(b + hl, "\x81\xa1" "f\xdd\x01\x00\x00\x01", 9);
	assert_err(b, hl + 9, "in.det: record 1: array of 16777217 items exceeds the cap of 16777216");
	/* Within the cap but not in the input: truncation, not allocation. */
	memcpy(b + hl, "\x81\xa1" "f\xdd\x00\xff\x00\x00", 9);
	assert_err(b, hl + 9, "in.det: record 1: truncated stream: input ends inside an object");
	free(b), free(m.buf);
}

Test(stream, nesting_is_capped)
{
	mem m;
	make_stream(&m, "s", 0);
	size_t hl = m.len - 13;
	char *b = malloc(hl + 200);
	memcpy(b, m.buf, hl);
	size_t n = hl;
	b[n++] = (char)0x81, b[n++] = (char)0xa1, b[n++] = 'x';
	for (int i = 0; i < 40; i++)
		b[n++] = (char)0x91;
	b[n++] = 0;
	assert_err(b, n, "record 1: nesting deeper than");
	free(b), free(m.buf);
}

Test(stream, truncation_is_an_error)
{
	mem m;
	make_stream(&m, "s", 3);
	assert_err(m.buf, m.len, "");
	/* No trailer. */
	assert_err(m.buf, m.len - 13, "in.det: trailer: truncated stream: no trailer after 3 records");
	/* Cut inside the last record. */
	assert_err(m.buf, m.len - 20, "in.det: record 3: truncated stream: input ends inside an object");
	/* A truncated segment followed by a whole one. */
	char *b = malloc(2 * m.len);
	memcpy(b, m.buf, m.len - 13);
	memcpy(b + m.len - 13, m.buf, m.len);
	assert_err(b, 2 * m.len - 13, "a new header after 3 records, but no trailer");
	/* Nothing at all. */
	assert_err("", 0, "in.det: header: empty input");
	free(b), free(m.buf);
}

Test(stream, trailer_count_must_match)
{
	mem m;
	make_stream(&m, "s", 3);
	m.buf[m.len - 1] = 2;   /* count 3 -> 2 */
	assert_err(m.buf, m.len, "in.det: trailer: count 2, but the segment holds 3 records");
	free(m.buf);
}

/* Packs a header with the given stream/kind/version and one trailer. */
static size_t bad_header(char *out, const char *stream, const char *kind, int version)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 3);
	pk_str(&pk, "stream"), pk_str(&pk, stream);
	pk_str(&pk, "kind"), pk_str(&pk, kind);
	pk_str(&pk, "version"), msgpack_pack_int(&pk, version);
	msgpack_pack_map(&pk, 2);
	pk_str(&pk, "end"), msgpack_pack_true(&pk);
	pk_str(&pk, "count"), msgpack_pack_int(&pk, 0);
	memcpy(out, sb.data, sb.size);
	size_t n = sb.size;
	msgpack_sbuffer_destroy(&sb);
	return n;
}

Test(stream, schema_and_version)
{
	char b[256];
	size_t n = bad_header(b, "usc-mots", "det", 1);
	assert_err(b, n, "");
	n = bad_header(b, "other", "det", 1);
	assert_err(b, n, "in.det: header: not a usc-mots stream (\"stream\" is not \"usc-mots\")");
	n = bad_header(b, "usc-mots", "graph", 1);
	assert_err(b, n, "in.det: header: unknown stream kind \"graph\"");
	n = bad_header(b, "usc-mots", "det", 2);
	assert_err(b, n, "in.det: header: stream version 2 is newer than this tool's (1)");
	/* Random bytes. */
	unsigned char rnd[512];
	unsigned s = 12345;
	for (size_t i = 0; i < sizeof rnd; i++)
		s = s * 1103515245 + 12345, rnd[i] = (unsigned char)(s >> 16);
	rnd[0] = 0x3c;
	assert_err(rnd, sizeof rnd, "in.det: header: not a usc-mots stream");
}

/* One segment of one header and the given records (msgpack maps, built by fn). */
typedef void (*rec_fn)(msgpack_packer *pk, int i);

static const char *one_segment(rec_fn fn, int nrec)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 6);
	pk_str(&pk, "stream"), pk_str(&pk, "usc-mots");
	pk_str(&pk, "kind"), pk_str(&pk, "det");
	pk_str(&pk, "version"), msgpack_pack_int(&pk, 1);
	pk_str(&pk, "width"), msgpack_pack_int(&pk, 6);
	pk_str(&pk, "height"), msgpack_pack_int(&pk, 4);
	pk_str(&pk, "patch"), msgpack_pack_array(&pk, 3);
	msgpack_pack_int(&pk, 2), msgpack_pack_int(&pk, 2), msgpack_pack_int(&pk, 1);
	for (int i = 0; i < nrec; i++)
		fn(&pk, i);
	msgpack_pack_map(&pk, 2);
	pk_str(&pk, "end"), msgpack_pack_true(&pk);
	pk_str(&pk, "count"), msgpack_pack_int(&pk, nrec);
	const char *e = read_all(sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);
	return e;
}

static void rec_nan(msgpack_packer *pk, int i)
{
	msgpack_pack_map(pk, 3);
	pk_str(pk, "f"), msgpack_pack_int(pk, 0);
	pk_str(pk, "k"), msgpack_pack_int(pk, i);
	pk_str(pk, "score"), msgpack_pack_float(pk, i == 1 ? NAN : 0.5f);
}

static void rec_order(msgpack_packer *pk, int i)
{
	msgpack_pack_map(pk, 2);
	pk_str(pk, "f"), msgpack_pack_int(pk, i == 2 ? 0 : i + 3);
	pk_str(pk, "k"), msgpack_pack_int(pk, i);
}

static void rec_dupkey(msgpack_packer *pk, int i)
{
	msgpack_pack_map(pk, 2);
	pk_str(pk, "f"), msgpack_pack_int(pk, 0);
	pk_str(pk, "k"), msgpack_pack_int(pk, i % 2);
}

static void rec_badrle(msgpack_packer *pk, int i)
{
	msgpack_pack_map(pk, 3);
	pk_str(pk, "f"), msgpack_pack_int(pk, 0);
	pk_str(pk, "k"), msgpack_pack_int(pk, i);
	pk_str(pk, "rle"), pk_str(pk, "561");   /* runs sum to 12, not 24 */
}

static void rec_types(msgpack_packer *pk, int i)
{
	msgpack_pack_map(pk, 3);
	pk_str(pk, "f"), msgpack_pack_int(pk, 0);
	pk_str(pk, "k"), msgpack_pack_int(pk, i);
	if (i == 0)
		pk_str(pk, "box"), msgpack_pack_array(pk, 3), msgpack_pack_int(pk, 1),
		msgpack_pack_int(pk, 1), msgpack_pack_int(pk, 1);
	else
		pk_str(pk, "cls"), pk_str(pk, "car");
}

static void rec_patch(msgpack_packer *pk, int i)
{
	msgpack_pack_map(pk, 3);
	pk_str(pk, "f"), msgpack_pack_int(pk, 0);
	pk_str(pk, "k"), msgpack_pack_int(pk, i);
	pk_str(pk, "patch"), msgpack_pack_bin(pk, 3), msgpack_pack_bin_body(pk, "abc", 3);
}

static void rec_nof(msgpack_packer *pk, int i)
{
	msgpack_pack_map(pk, 1);
	pk_str(pk, "k"), msgpack_pack_int(pk, i);
}

Test(stream, record_validation)
{
	cr_assert_str_eq(one_segment(rec_nan, 1), "");
	cr_assert_str_eq(one_segment(rec_nan, 3), "in.det: record 2: score is NaN");
	cr_assert_str_eq(one_segment(rec_order, 3),
			 "in.det: record 3: frame 0 after frame 4 (records must come in frame order)");
	cr_assert_str_eq(one_segment(rec_dupkey, 3),
			 "in.det: record 3: key k=0 after k=1 (keys must increase within a segment)");
	cr_assert_str_eq(one_segment(rec_badrle, 1),
			 "in.det: record 1: rle: RLE runs sum to 12, not 4x6 = 24");
	cr_assert_str_eq(one_segment(rec_types, 1), "in.det: record 1: \"box\" is not an array [x, y, w, h]");
	cr_assert_str_eq(one_segment(rec_types, 2), "in.det: record 1: \"box\" is not an array [x, y, w, h]");
	cr_assert_str_eq(one_segment(rec_patch, 1),
			 "in.det: record 1: \"patch\" has 3 bytes, the header's patch size needs 4");
	cr_assert_str_eq(one_segment(rec_nof, 1), "in.det: record 1: missing \"f\"");
}

/* Records with a z of two values (z_bad in record 2), a box, a score. */
static float z_bad = NAN;
static double num_bad = 0.5, box_bad = 1.0;

static void rec_num(msgpack_packer *pk, int i)
{
	const float z[2] = {0.5f, i == 1 ? z_bad : 1.0f};
	msgpack_pack_map(pk, 5);
	pk_str(pk, "f"), msgpack_pack_int(pk, 0);
	pk_str(pk, "k"), msgpack_pack_int(pk, i);
	pk_str(pk, "z"), msgpack_pack_bin(pk, 8), msgpack_pack_bin_body(pk, z, 8);
	pk_str(pk, "score"), msgpack_pack_double(pk, i == 1 ? num_bad : 0.5);
	pk_str(pk, "box"), msgpack_pack_array(pk, 4);
	for (int j = 0; j < 4; j++)
		msgpack_pack_double(pk, i == 1 && j == 2 ? box_bad : 1.0);
}

static const char *z_segment(float z, double num, double box)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	z_bad = z, num_bad = num, box_bad = box;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 4);
	pk_str(&pk, "stream"), pk_str(&pk, "usc-mots");
	pk_str(&pk, "kind"), pk_str(&pk, "det");
	pk_str(&pk, "version"), msgpack_pack_int(&pk, 1);
	pk_str(&pk, "zdim"), msgpack_pack_int(&pk, 2);
	for (int i = 0; i < 3; i++)
		rec_num(&pk, i);
	msgpack_pack_map(&pk, 2);
	pk_str(&pk, "end"), msgpack_pack_true(&pk);
	pk_str(&pk, "count"), msgpack_pack_int(&pk, 3);
	const char *e = read_all(sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);
	return e;
}

/* NaN and Inf are refused where they are read, with the record named,
 * and so are doubles that do not fit a float32. */
Test(stream, non_finite_numbers_are_refused)
{
	cr_assert_str_eq(z_segment(-3.0f, 0.5, 1), "");
	cr_assert_str_eq(z_segment(NAN, 0.5, 1), "in.det: record 2: \"z\" value 2 is NaN");
	cr_assert_str_eq(z_segment(-INFINITY, 0.5, 1), "in.det: record 2: \"z\" value 2 is infinite");
	cr_assert_str_eq(z_segment(INFINITY, 0.5, 1), "in.det: record 2: \"z\" value 2 is infinite");
	cr_assert_str_eq(z_segment(1, NAN, 1), "in.det: record 2: score is NaN");
	cr_assert_str_eq(z_segment(1, INFINITY, 1), "in.det: record 2: score is infinite");
	cr_assert_str_eq(z_segment(1, 1e300, 1), "in.det: record 2: score 1e+300 is beyond float32 range");
	cr_assert_str_eq(z_segment(1, 0.5, 1e39), "in.det: record 2: \"box\" holds a value that is not a finite number");
}

Test(stream, file_reader_handles_records_larger_than_its_chunk)
{
	/* 128x128x3 patches: each record is bigger than the reader's read size. */
	char path[] = "/tmp/test_stream.XXXXXX";
	int fd = mkstemp(path);
	FILE *fp = fdopen(fd, "wb");
	ms_writer *w = ms_writer_new(fp);
	ms_header h;
	ms_det d;
	size_t n = 128 * 128 * 3;
	uint8_t *p = malloc(n);
	ms_header_init(&h);
	ms_det_init(&d);
	h.patch[0] = h.patch[1] = 128, h.patch[2] = 3;
	ms_write_header(w, &h);
	for (int i = 0; i < 40; i++) {
		ms_det_clear(&d);
		d.f = i, d.k = i;
		memset(p, i, n);
		p[n - 1] = (uint8_t)(i + 1);
		ms_det_set_patch(&d, p, n);
		ms_write_det(w, &d);
	}
	ms_write_trailer(w);
	cr_assert(ms_writer_free(w) == 0);
	fclose(fp);

	ms_reader *r = ms_reader_open(path);
	cr_assert(r);
	cr_assert(ms_read_header(r, &h) == 1, "%s", ms_reader_error(r));
	for (int i = 0; i < 40; i++) {
		cr_assert(ms_read_det(r, &d) == 1, "%s", ms_reader_error(r));
		cr_assert_eq(d.patch_len, n);
		cr_assert(d.patch[0] == i && d.patch[n - 1] == i + 1);
	}
	cr_assert(ms_read_det(r, &d) == 0, "%s", ms_reader_error(r));
	cr_assert(ms_read_header(r, &h) == 0);
	ms_reader_close(r);
	remove(path);
	free(p);
	ms_header_free(&h);
	ms_det_free(&d);
}

Test(stream, raw_objects_for_generic_files)
{
	/* A model-like file: one map, read whole by ms_read_raw. */
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 1);
	pk_str(&pk, "kind"), pk_str(&pk, "model");
	ms_reader *r = ms_reader_mem(sb.data, sb.size, "m.mp");
	const uint8_t *b;
	size_t n;
	cr_assert(ms_read_raw(r, &b, &n) == 1);
	cr_assert_eq(n, sb.size);
	cr_assert(ms_read_raw(r, &b, &n) == 0);
	ms_reader_close(r);
	/* The typed reader says what it is. */
	ms_header h;
	ms_header_init(&h);
	r = ms_reader_mem(sb.data, sb.size, "m.mp");
	cr_assert(ms_read_header(r, &h) == -1);
	cr_assert(strstr(ms_reader_error(r), "m.mp: header: not a usc-mots stream (no \"stream\" key"),
		  "%s", ms_reader_error(r));
	ms_reader_close(r);
	msgpack_sbuffer_destroy(&sb);
}

Test(stream, det_copy_is_deep)
{
	ms_det a, b;
	ms_det_init(&a);
	ms_det_init(&b);
	det(&a, 3, 4);
	ms_extra_put(&a.extra, "x", (const uint8_t *)"\x01", 1);
	ms_det_copy(&b, &a);
	a.rle[0] = '9', a.patch[0] = 9, a.z[0] = 9, a.cl[0] = 9;
	cr_assert_str_eq(b.rle, "5616");
	cr_assert(b.patch[0] == 0 && b.z[0] == 1.5f && b.cl[0] == 3);
	cr_assert_eq(b.has, a.has);
	cr_assert_eq(b.extra.n, 1);
	ms_det_free(&a);
	ms_det_free(&b);
}
