#include "eval/eval_csv.h"
#include "err.h"
#include "outfile.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void csv_pyfloat(char *buf, size_t n, double v)
{
	if (isnan(v)) {
		snprintf(buf, n, "nan");
		return;
	}
	if (isinf(v)) {
		snprintf(buf, n, "%sinf", v < 0 ? "-" : "");
		return;
	}
	/* Shortest digits that read back as v, then Python's layout: fixed
	 * for exponents -4..15, else d.ddde+XX. */
	char t[48];
	for (int p = 0; p < 17; p++) {
		snprintf(t, sizeof t, "%.*e", p, v);
		if (strtod(t, NULL) == v)
			break;
	}
	const char *s = t;
	int neg = *s == '-';
	s += neg;
	char dig[24];
	int nd = 0;
	for (; *s && *s != 'e'; s++)
		if (*s != '.')
			dig[nd++] = *s;
	while (nd > 1 && dig[nd - 1] == '0')
		nd--;
	dig[nd] = 0;
	int ex = atoi(s + 1);
	size_t l = (size_t)snprintf(buf, n, "%s", neg ? "-" : "");
	if (ex >= -4 && ex < 16) {
		if (ex < 0)
			l += (size_t)snprintf(buf + l, n > l ? n - l : 0, "0.%.*s%s", -ex - 1, "0000", dig);
		else {
			for (int i = 0; i <= ex && l + 1 < n; i++)
				buf[l++] = i < nd ? dig[i] : '0';
			buf[l] = 0;
			l += (size_t)snprintf(buf + l, n > l ? n - l : 0, ".%s", ex + 1 < nd ? dig + ex + 1 : "0");
		}
	} else {
		l += (size_t)snprintf(buf + l, n > l ? n - l : 0, "%c%s%s", dig[0], nd > 1 ? "." : "", dig + 1);
		snprintf(buf + l, n > l ? n - l : 0, "e%c%02d", ex < 0 ? '-' : '+', ex < 0 ? -ex : ex);
	}
}

double csv_np_mean19(const double *v)
{
	/* numpy's pairwise_sum for 8 <= n <= 128: eight running sums, a
	 * fixed tree, then the tail in order. */
	double r[8];
	for (int j = 0; j < 8; j++)
		r[j] = v[j] + v[8 + j];
	double s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
	for (int i = 16; i < TE_NA; i++)
		s += v[i];
	return s / TE_NA;
}

/* ---- one row of fields ---- */

typedef struct csv_field {
	char name[32];
	double v;
	int isint;   /* a Python int (printed without ".0") */
} csv_field;

typedef struct csv_row {
	csv_field f[320];
	int n;
} csv_row;

static void csv_put(csv_row *r, const char *name, double v, int isint)
{
	csv_field *f = &r->f[r->n++];
	snprintf(f->name, sizeof f->name, "%s", name);
	f->v = v, f->isint = isint;
}

static void csv_array(csv_row *r, const char *name, const double *a)
{
	char b[32];
	for (int i = 0; i < TE_NA; i++) {
		snprintf(b, sizeof b, "%s___%d", name, (int)(100 * te_alpha(i)));
		csv_put(r, b, a[i], 0);
	}
	snprintf(b, sizeof b, "%s___AUC", name);
	csv_put(r, b, csv_np_mean19(a), 0);
}

/* early: the sequence had no result or no ground truth, where TrackEval
 * returns before its final fields and leaves Python ints behind. */
static void csv_hota(csv_row *r, const te_hota *h, int early)
{
	double owta[TE_NA];
	for (int a = 0; a < TE_NA; a++)
		owta[a] = sqrt(h->detre[a] * h->assa[a]);
	csv_put(r, "HOTA(0)", early ? 0 : h->hota[0], early);
	csv_put(r, "LocA(0)", early ? 1 : h->loca[0], 0);
	csv_put(r, "HOTALocA(0)", early ? 0 : h->hota[0] * h->loca[0], early);
	csv_array(r, "HOTA", h->hota), csv_array(r, "DetA", h->deta), csv_array(r, "AssA", h->assa);
	csv_array(r, "DetRe", h->detre), csv_array(r, "DetPr", h->detpr);
	csv_array(r, "AssRe", h->assre), csv_array(r, "AssPr", h->asspr);
	csv_array(r, "LocA", h->loca), csv_array(r, "OWTA", owta);
	csv_array(r, "HOTA_TP", h->tp), csv_array(r, "HOTA_FN", h->fn), csv_array(r, "HOTA_FP", h->fp);
}

static double csv_max1(double v)
{
	return v > 1 ? v : 1;
}

/* CLEAR's fields; frag_int / motp_int: whether Frag and MOTP_sum are
 * still Python ints (no sequence went through the full computation, or
 * none had a match). */
static void csv_clear(csv_row *r, const te_clear *c, int64_t frames, int early, int frag_int,
		      int motp_int)
{
	static const char *fl[] = { "MOTA", "MOTP", "MODA", "CLR_Re", "CLR_Pr", "MTR", "PTR", "MLR",
				    "sMOTA", "CLR_F1", "FP_per_frame", "MOTAL" };
	double tp = (double)c->tp, fn = (double)c->fn, fp = (double)c->fp, sw = (double)c->idsw;
	double ids = (double)(c->mt + c->ml + c->pt), ms = c->motp_sum;
	double v[12] = {
		(double)(c->tp - c->fp - c->idsw) / csv_max1(tp + fn), ms / csv_max1(tp),
		(double)(c->tp - c->fp) / csv_max1(tp + fn), tp / csv_max1(tp + fn), tp / csv_max1(tp + fp),
		c->mt / csv_max1(ids), c->pt / csv_max1(ids), c->ml / csv_max1(ids),
		(ms - fp - sw) / csv_max1(tp + fn), tp / csv_max1(tp + 0.5 * fn + 0.5 * fp),
		fp / csv_max1((double)frames),
		(tp - fp - (c->idsw > 0 ? log10(sw) : sw)) / csv_max1(tp + fn),
	};
	for (int i = 0; i < 12; i++)
		csv_put(r, fl[i], early ? (i == 7) : v[i], early && i != 7);
	csv_put(r, "MOTP_sum", ms, motp_int);
	csv_put(r, "CLR_TP", tp, 1), csv_put(r, "CLR_FN", fn, 1), csv_put(r, "CLR_FP", fp, 1);
	csv_put(r, "IDSW", sw, 1), csv_put(r, "MT", (double)c->mt, 1), csv_put(r, "PT", (double)c->pt, 1);
	csv_put(r, "ML", (double)c->ml, 1), csv_put(r, "Frag", (double)c->frag, frag_int);
	csv_put(r, "CLR_Frames", (double)frames, 1);
}

static void csv_identity(csv_row *r, const te_identity *id, int early)
{
	te_id_scores s;
	te_identity_scores_of(id, &s);
	csv_put(r, "IDF1", early ? 0 : s.idf1, early), csv_put(r, "IDR", early ? 0 : s.idr, early);
	csv_put(r, "IDP", early ? 0 : s.idp, early);
	csv_put(r, "IDTP", (double)id->idtp, 1), csv_put(r, "IDFN", (double)id->idfn, 1);
	csv_put(r, "IDFP", (double)id->idfp, 1);
}

static void csv_count(csv_row *r, const te_count *n)
{
	csv_put(r, "Dets", (double)n->dets, 1), csv_put(r, "GT_Dets", (double)n->gt_dets, 1);
	csv_put(r, "IDs", (double)n->ids, 1), csv_put(r, "GT_IDs", (double)n->gt_ids, 1);
}

static int csv_early(const te_count *n)
{
	return n->dets == 0 || n->gt_dets == 0;
}

static void csv_seq_row(csv_row *r, const csv_seq *s)
{
	int e = csv_early(s->cnt);
	r->n = 0;
	csv_hota(r, s->hota, e);
	csv_clear(r, s->clr, e ? 0 : s->cnt->frames, e, e, e || s->clr->tp == 0);
	csv_identity(r, s->id, e);
	csv_count(r, s->cnt);
}

typedef struct csv_all {
	te_hota hota;
	te_clear clr;
	te_identity id;
	te_count cnt;
	int frag_int, motp_int;
} csv_all;

static void csv_combine(const csv_seq *v, int n, csv_all *a)
{
	te_hota *h = xmalloc(((size_t)n + 1) * sizeof *h);
	te_clear *c = xmalloc(((size_t)n + 1) * sizeof *c);
	te_identity *id = xmalloc(((size_t)n + 1) * sizeof *id);
	memset(a, 0, sizeof *a);
	a->frag_int = a->motp_int = 1;
	for (int i = 0; i < n; i++) {
		int e = csv_early(v[i].cnt);
		h[i] = *v[i].hota, c[i] = *v[i].clr, id[i] = *v[i].id;
		a->cnt.dets += v[i].cnt->dets, a->cnt.gt_dets += v[i].cnt->gt_dets;
		a->cnt.ids += v[i].cnt->ids, a->cnt.gt_ids += v[i].cnt->gt_ids;
		a->cnt.frames += e ? 0 : v[i].cnt->frames;
		a->frag_int &= e;
		a->motp_int &= e || v[i].clr->tp == 0;
	}
	te_hota_combine(h, n, &a->hota);
	te_clear_combine(c, n, &a->clr);
	te_identity_combine(id, n, &a->id);
	free(h), free(c), free(id);
}

static void csv_all_row(csv_row *r, const csv_all *a)
{
	r->n = 0;
	csv_hota(r, &a->hota, 0);
	csv_clear(r, &a->clr, a->cnt.frames, 0, a->frag_int, a->motp_int);
	csv_identity(r, &a->id, 0);
	csv_count(r, &a->cnt);
}

/* ---- writing ---- */

/* A csv field, quoted as Python's csv.QUOTE_MINIMAL does. */
static void csv_text(FILE *fp, const char *s, char delim)
{
	if (!strchr(s, delim) && !strchr(s, '"') && !strchr(s, '\r') && !strchr(s, '\n')) {
		fputs(s, fp);
		return;
	}
	fputc('"', fp);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', fp);
		fputc(*s, fp);
	}
	fputc('"', fp);
}

static void csv_value(FILE *fp, const csv_field *f)
{
	char b[64];
	if (f->isint)
		snprintf(b, sizeof b, "%lld", (long long)f->v);
	else
		csv_pyfloat(b, sizeof b, f->v);
	fputs(b, fp);
}

static void csv_line(FILE *fp, const char *seq, const csv_row *r)
{
	csv_text(fp, seq, ',');
	for (int i = 0; i < r->n; i++) {
		fputc(',', fp);
		csv_value(fp, &r->f[i]);
	}
	fputs("\r\n", fp);
}

static int csv_cmp(const void *a, const void *b)
{
	return strcmp((*(const csv_seq *const *)a)->name, (*(const csv_seq *const *)b)->name);
}

/* Opens DIR/CLS+SUFFIX; the path is the caller's to free once it succeeds. */
static int csv_open(const char *dir, const char *cls, const char *suffix, outfile **o, char **path,
		    char *err, size_t errn)
{
	size_t n = strlen(dir) + strlen(cls) + strlen(suffix) + 2;
	*path = xmalloc(n);
	snprintf(*path, n, "%s/%s%s", dir, cls, suffix);
	*o = outfile_open(*path);
	if (*o)
		return 0;
	int rc = errf(err, errn, "%s: %s", *path, strerror(errno));
	free(*path);
	return rc;
}

static int csv_close(outfile *o, char *path, char *err, size_t errn)
{
	int rc = outfile_commit(o) != 0 ? errf(err, errn, "%s: %s", path, strerror(errno)) : 0;
	free(path);
	return rc;
}

static int csv_detailed(const char *dir, const char *cls, const csv_seq *v, int n,
			const csv_all *a, char *err, size_t errn)
{
	outfile *o;
	char *path;
	if (csv_open(dir, cls, "_detailed.csv", &o, &path, err, errn) != 0)
		return -1;
	csv_row *r = xmalloc(sizeof *r);
	csv_all_row(r, a);
	fputs("seq", o->fp);
	for (int i = 0; i < r->n; i++)
		fprintf(o->fp, ",%s", r->f[i].name);
	fputs("\r\n", o->fp);
	const csv_seq **by = xmalloc(((size_t)n + 1) * sizeof *by);
	for (int i = 0; i < n; i++)
		by[i] = &v[i];
	qsort(by, (size_t)n, sizeof *by, csv_cmp);
	for (int i = 0; i < n; i++) {
		csv_seq_row(r, by[i]);
		csv_line(o->fp, by[i]->name, r);
	}
	csv_all_row(r, a);
	csv_line(o->fp, "COMBINED", r);
	free(by), free(r);
	return csv_close(o, path, err, errn);
}

/* TrackEval's summary: "%.5g" of 100 x the value (of the mean over the
 * alphas for per-alpha fields), integers as they are. */
static int csv_summary(const char *dir, const char *cls, const csv_all *a, char *err, size_t errn)
{
	static const char *names[] = {
		"HOTA", "DetA", "AssA", "DetRe", "DetPr", "AssRe", "AssPr", "LocA", "OWTA", "HOTA(0)",
		"LocA(0)", "HOTALocA(0)", "MOTA", "MOTP", "MODA", "CLR_Re", "CLR_Pr", "MTR", "PTR", "MLR",
		"CLR_TP", "CLR_FN", "CLR_FP", "IDSW", "MT", "PT", "ML", "Frag", "sMOTA", "IDF1", "IDR",
		"IDP", "IDTP", "IDFN", "IDFP", "Dets", "GT_Dets", "IDs", "GT_IDs" };
	enum { N = sizeof names / sizeof *names };
	outfile *o;
	char *path;
	if (csv_open(dir, cls, "_summary.txt", &o, &path, err, errn) != 0)
		return -1;
	csv_row *r = xmalloc(sizeof *r);
	csv_all_row(r, a);
	for (int k = 0; k < N; k++)
		fprintf(o->fp, "%s%s", k ? " " : "", names[k]);
	fputs("\r\n", o->fp);
	for (int k = 0; k < N; k++) {
		char key[32];
		int arr = k < 9;   /* HOTA .. OWTA: per-alpha fields */
		snprintf(key, sizeof key, arr ? "%s___AUC" : "%s", names[k]);
		const csv_field *f = NULL;
		for (int i = 0; i < r->n && !f; i++)
			f = strcmp(r->f[i].name, key) == 0 ? &r->f[i] : NULL;
		fputs(k ? " " : "", o->fp);
		if (f->isint || (k >= 20 && k <= 27) || k >= 32)
			fprintf(o->fp, "%lld", (long long)f->v);
		else
			fprintf(o->fp, "%.5g", 100 * f->v);
	}
	fputs("\r\n", o->fp);
	free(r);
	return csv_close(o, path, err, errn);
}

int csv_write_class(const char *dir, const char *cls, const csv_seq *v, int n, char *err,
		    size_t errn)
{
	csv_all a;
	csv_combine(v, n, &a);
	if (csv_summary(dir, cls, &a, err, errn) != 0)
		return -1;
	return csv_detailed(dir, cls, v, n, &a, err, errn);
}
