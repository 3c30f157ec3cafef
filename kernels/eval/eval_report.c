#include "eval/eval_report.h"
#include "err.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ---- aligned tables ---------------------------------------------------- */

typedef struct {
	int ncol, nrow;
	char **cell;      /* nrow x ncol, row 0 is the header */
} table;

static void tbl_init(table *t, int ncol, const char *const *head)
{
	t->ncol = ncol, t->nrow = 1;
	t->cell = xmalloc((size_t)ncol * sizeof *t->cell);
	for (int c = 0; c < ncol; c++)
		t->cell[c] = xstrdup(head[c]);
}

static char **tbl_row(table *t)
{
	t->cell = xrealloc(t->cell, (size_t)(t->nrow + 1) * t->ncol * sizeof *t->cell);
	return &t->cell[(size_t)t->nrow++ * t->ncol];
}

static char *pct(double v)
{
	char b[64];
	if (isnan(v))
		snprintf(b, sizeof b, "nan");
	else if (isinf(v))
		snprintf(b, sizeof b, "%sinf", v < 0 ? "-" : "");
	else
		snprintf(b, sizeof b, "%.2f", 100 * v);
	return xstrdup(b);
}

static char *cnt(int64_t v)
{
	char b[32];
	snprintf(b, sizeof b, "%lld", (long long)v);
	return xstrdup(b);
}

static char *fix(double v, int prec)
{
	char b[64];
	snprintf(b, sizeof b, "%.*f", prec, v);
	return xstrdup(b);
}

/* A column of a table after the sequence name: its head and the number it
 * shows, read at off in the row's first (in 0) or second (in 1) struct. */
typedef struct {
	const char *head;
	enum { COL_PCT, COL_CNT, COL_FIX2 } kind;   /* double x 100; int64_t; double, 2 decimals */
	int in;
	size_t off;
} column;

#define PCT(in, type, f, head) { head, COL_PCT, in, offsetof(type, f) }
#define CNT(in, type, f, head) { head, COL_CNT, in, offsetof(type, f) }

static void tbl_init_cols(table *t, const column *col, int ncol)
{
	const char *head[40] = { "sequence" };   /* the widest table has 17 columns */
	for (int c = 0; c < ncol; c++)
		head[c + 1] = col[c].head;
	tbl_init(t, ncol + 1, head);
}

static void tbl_row_cols(table *t, const char *name, const column *col, int ncol, const void *a,
			 const void *b)
{
	char **r = tbl_row(t);
	r[0] = xstrdup(name);
	for (int c = 0; c < ncol; c++) {
		const char *p = (const char *)(col[c].in ? b : a) + col[c].off;
		double v;
		int64_t n;
		memcpy(&v, p, sizeof v);
		if (col[c].kind == COL_CNT)
			memcpy(&n, p, sizeof n), r[c + 1] = cnt(n);
		else if (col[c].kind == COL_FIX2)
			r[c + 1] = isnan(v) ? xstrdup("nan") : fix(v, 2);
		else
			r[c + 1] = pct(v);
	}
}

/* First column left-aligned, the rest right-aligned; frees the cells. */
static void tbl_print(FILE *fp, table *t)
{
	int *w = xcalloc((size_t)t->ncol, sizeof *w);
	for (int r = 0; r < t->nrow; r++)
		for (int c = 0; c < t->ncol; c++) {
			int n = (int)strlen(t->cell[(size_t)r * t->ncol + c]);
			if (n > w[c])
				w[c] = n;
		}
	for (int r = 0; r < t->nrow; r++) {
		for (int c = 0; c < t->ncol; c++) {
			char *s = t->cell[(size_t)r * t->ncol + c];
			if (c == 0)
				fprintf(fp, "%-*s", w[c], s);
			else
				fprintf(fp, "  %*s", w[c], s);
			free(s);
		}
		fputc('\n', fp);
	}
	free(w);
	free(t->cell);
}

static const char *class_name(int cls)
{
	return cls == 1 ? "car" : cls == 2 ? "pedestrian" : "class";
}

/* The TrackEval parts of n results, gathered for te_*_combine. */
typedef struct {
	te_hota *h;
	te_clear *cl;
	te_identity *id;
} te_parts;

static void te_parts_init(te_parts *p, int n)
{
	p->h = xmalloc(((size_t)n + 1) * sizeof *p->h);
	p->cl = xmalloc(((size_t)n + 1) * sizeof *p->cl);
	p->id = xmalloc(((size_t)n + 1) * sizeof *p->id);
}

static void te_parts_set(te_parts *p, int i, const te_hota *h, const te_clear *cl, const te_identity *id)
{
	p->h[i] = *h, p->cl[i] = *cl, p->id[i] = *id;
}

/* Combines the n parts into out's TrackEval fields and frees them. */
static void te_parts_combine(te_parts *p, int n, mots_seq_result *out)
{
	te_hota_combine(p->h, n, &out->hota);
	te_clear_combine(p->cl, n, &out->clr);
	te_identity_combine(p->id, n, &out->id);
	free(p->h), free(p->cl), free(p->id);
}

void mots_combine(const mots_class_result *c, mots_seq_result *out)
{
	te_parts p;
	memset(out, 0, sizeof *out);
	te_parts_init(&p, c->n);
	for (int i = 0; i < c->n; i++) {
		mt_add(&out->mt, &c->seq[i].mt);
		te_parts_set(&p, i, &c->seq[i].hota, &c->seq[i].clr, &c->seq[i].id);
		out->removed += c->seq[i].removed;
	}
	te_parts_combine(&p, c->n, out);
}

static const column mots_tools_cols[] = {
	PCT(0, mt_scores, smotsa, "sMOTSA"), PCT(0, mt_scores, motsa, "MOTSA"),
	PCT(0, mt_scores, motsp, "MOTSP"), PCT(0, mt_scores, modsa, "MODSA"),
	PCT(0, mt_scores, recall, "Rcll"), PCT(0, mt_scores, precision, "Prcn"),
	CNT(1, mt_counts, tp, "TP"), CNT(1, mt_counts, fp, "FP"), CNT(1, mt_counts, fn, "FN"),
	CNT(1, mt_counts, ids, "IDS"), CNT(1, mt_counts, mt, "MT"), CNT(1, mt_counts, pt, "PT"),
	CNT(1, mt_counts, ml, "ML"), CNT(1, mt_counts, frag, "Frag"),
};
enum { N_MOTS_TOOLS = sizeof mots_tools_cols / sizeof *mots_tools_cols };

static void mots_tools_row(table *t, const char *name, const mt_counts *c)
{
	mt_scores s;
	mt_scores_of(c, &s);
	tbl_row_cols(t, name, mots_tools_cols, N_MOTS_TOOLS, &s, c);
}

/* HOTA means (te_summary), then Identity (te_id_scores). */
static const column trackeval_cols[] = {
	PCT(0, te_summary, hota, "HOTA"), PCT(0, te_summary, deta, "DetA"),
	PCT(0, te_summary, assa, "AssA"), PCT(0, te_summary, detre, "DetRe"),
	PCT(0, te_summary, detpr, "DetPr"), PCT(0, te_summary, assre, "AssRe"),
	PCT(0, te_summary, asspr, "AssPr"), PCT(0, te_summary, loca, "LocA"),
	PCT(1, te_id_scores, idf1, "IDF1"), PCT(1, te_id_scores, idp, "IDP"),
	PCT(1, te_id_scores, idr, "IDR"),
};
enum { N_TRACKEVAL = sizeof trackeval_cols / sizeof *trackeval_cols };

static void trackeval_row(table *t, const char *name, const mots_seq_result *m)
{
	te_summary s;
	te_id_scores id;
	te_hota_summary(&m->hota, &s);
	te_identity_scores_of(&m->id, &id);
	tbl_row_cols(t, name, trackeval_cols, N_TRACKEVAL, &s, &id);
}

void report_mots_table(FILE *fp, const mots_class_result *c, int ncls)
{
	for (int k = 0; k < ncls; k++) {
		const mots_class_result *cr = &c[k];
		mots_seq_result all;
		mots_combine(cr, &all);
		table t;
		fprintf(fp, "%sclass %d (%s): mots_tools CLEAR-MOTS, IoU > 0.5\n", k ? "\n" : "", cr->cls,
			class_name(cr->cls));
		tbl_init_cols(&t, mots_tools_cols, N_MOTS_TOOLS);
		for (int i = 0; i < cr->n; i++)
			mots_tools_row(&t, cr->seq[i].name, &cr->seq[i].mt);
		mots_tools_row(&t, "COMBINED", &all.mt);
		tbl_print(fp, &t);
		fprintf(fp, "\nclass %d (%s): TrackEval HOTA and Identity, IoU >= 0.5\n", cr->cls,
			class_name(cr->cls));
		tbl_init_cols(&t, trackeval_cols, N_TRACKEVAL);
		for (int i = 0; i < cr->n; i++)
			trackeval_row(&t, cr->seq[i].name, &cr->seq[i]);
		trackeval_row(&t, "COMBINED", &all);
		tbl_print(fp, &t);
	}
}

static const column box_cols[] = {
	PCT(0, mm_scores, idf1, "IDF1"), PCT(0, mm_scores, idp, "IDP"), PCT(0, mm_scores, idr, "IDR"),
	PCT(0, mm_scores, mota, "MOTA"), PCT(0, mm_scores, motp, "MOTP"),
	{ "FAF", COL_FIX2, 0, offsetof(mm_scores, faf) },   /* false alarms per frame, not a share */
	PCT(0, mm_scores, recall, "Rcll"), PCT(0, mm_scores, precision, "Prcn"),
	CNT(1, mm_counts, tracks, "GT"), CNT(1, mm_counts, mt, "MT"), CNT(1, mm_counts, pt, "PT"),
	CNT(1, mm_counts, ml, "ML"), CNT(1, mm_counts, fp, "FP"), CNT(1, mm_counts, misses, "FN"),
	CNT(1, mm_counts, switches, "IDS"), CNT(1, mm_counts, frag, "Frag"),
};
enum { N_BOX = sizeof box_cols / sizeof *box_cols };

static void box_row(table *t, const char *name, const mm_counts *c)
{
	mm_scores s;
	mm_scores_of(c, &s);
	tbl_row_cols(t, name, box_cols, N_BOX, &s, c);
}

/* TrackEval's HOTA and Identity of the box results (MotChallenge2DBox). */
static void box_te_combine(const box_seq_result *s, int n, mots_seq_result *all)
{
	te_parts p;
	memset(all, 0, sizeof *all);
	te_parts_init(&p, n);
	for (int i = 0; i < n; i++) {
		te_parts_set(&p, i, &s[i].hota, &s[i].clr, &s[i].id);
		all->removed += s[i].removed;
	}
	te_parts_combine(&p, n, all);
}

static void report_box_trackeval_table(FILE *fp, const box_seq_result *s, int n)
{
	mots_seq_result m, all;
	table t;
	fprintf(fp, "\nTrackEval HOTA and Identity (MOTChallenge boxes), IoU >= 0.5\n");
	tbl_init_cols(&t, trackeval_cols, N_TRACKEVAL);
	for (int i = 0; i < n; i++) {
		memset(&m, 0, sizeof m);
		m.hota = s[i].hota, m.id = s[i].id;
		trackeval_row(&t, s[i].name, &m);
	}
	box_te_combine(s, n, &all);
	trackeval_row(&t, "COMBINED", &all);
	tbl_print(fp, &t);
}

void report_box_table(FILE *fp, const box_seq_result *s, int n)
{
	mm_counts all = { 0 };
	table t;
	fprintf(fp, "py-motmetrics box metrics, IoU >= 0.5 (MOTP = mean IoU)\n");
	tbl_init_cols(&t, box_cols, N_BOX);
	for (int i = 0; i < n; i++) {
		box_row(&t, s[i].name, &s[i].mm);
		mm_add(&all, &s[i].mm);
	}
	box_row(&t, "COMBINED", &all);
	tbl_print(fp, &t);
	report_box_trackeval_table(fp, s, n);
}

/* ---- JSON --------------------------------------------------------------- */

static void jstr(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(fp, "\\%c", c);
		else if (c < 0x20)
			fprintf(fp, "\\u%04x", c);
		else
			fputc(c, fp);
	}
	fputc('"', fp);
}

static void jnum(FILE *fp, const char *key, double v, int last)
{
	fprintf(fp, "\"%s\": ", key);
	if (isfinite(v))
		fprintf(fp, "%.17g", v);
	else
		fputs("null", fp);
	fputs(last ? "" : ", ", fp);
}

static void jint(FILE *fp, const char *key, int64_t v, int last)
{
	fprintf(fp, "\"%s\": %lld%s", key, (long long)v, last ? "" : ", ");
}

/* The fields of a "trackeval" object, the HOTA of every alpha last. */
static void json_trackeval(FILE *fp, const mots_seq_result *m)
{
	te_summary h;
	te_clear_scores cs;
	te_id_scores id;
	te_hota_summary(&m->hota, &h);
	te_clear_scores_of(&m->clr, &cs);
	te_identity_scores_of(&m->id, &id);
	jnum(fp, "HOTA", h.hota, 0), jnum(fp, "DetA", h.deta, 0), jnum(fp, "AssA", h.assa, 0);
	jnum(fp, "DetRe", h.detre, 0), jnum(fp, "DetPr", h.detpr, 0), jnum(fp, "AssRe", h.assre, 0);
	jnum(fp, "AssPr", h.asspr, 0), jnum(fp, "LocA", h.loca, 0), jnum(fp, "HOTA(0)", h.hota0, 0);
	jnum(fp, "LocA(0)", h.loca0, 0);
	jnum(fp, "IDF1", id.idf1, 0), jnum(fp, "IDP", id.idp, 0), jnum(fp, "IDR", id.idr, 0);
	jint(fp, "IDTP", m->id.idtp, 0), jint(fp, "IDFP", m->id.idfp, 0), jint(fp, "IDFN", m->id.idfn, 0);
	jnum(fp, "MOTA", cs.mota, 0), jnum(fp, "MOTP", cs.motp, 0), jnum(fp, "sMOTA", cs.smota, 0);
	jint(fp, "CLR_TP", m->clr.tp, 0), jint(fp, "CLR_FP", m->clr.fp, 0);
	jint(fp, "CLR_FN", m->clr.fn, 0), jint(fp, "IDSW", m->clr.idsw, 0);
	jint(fp, "MT", m->clr.mt, 0), jint(fp, "PT", m->clr.pt, 0), jint(fp, "ML", m->clr.ml, 0);
	jint(fp, "Frag", m->clr.frag, 0), jint(fp, "removed", m->removed, 0);
	fprintf(fp, "\"HOTA_alpha\": [");
	for (int a = 0; a < TE_NA; a++)
		fprintf(fp, "%.17g%s", m->hota.hota[a], a + 1 < TE_NA ? ", " : "");
	fprintf(fp, "]");
}

/* The TrackEval part of a box entry (as "trackeval" in the mask entries). */
static void json_box_trackeval(FILE *fp, const mots_seq_result *m)
{
	fprintf(fp, "\n   \"trackeval\": {");
	json_trackeval(fp, m);
	fprintf(fp, "}");
}

static void json_mots_entry(FILE *fp, const char *name, const mots_seq_result *m)
{
	mt_scores s;
	mt_scores_of(&m->mt, &s);
	const mt_counts *c = &m->mt;
	fprintf(fp, "{\"name\": ");
	jstr(fp, name);
	fprintf(fp, ",\n     \"mots_tools\": {");
	jnum(fp, "sMOTSA", s.smotsa, 0), jnum(fp, "MOTSA", s.motsa, 0), jnum(fp, "MOTSP", s.motsp, 0);
	jnum(fp, "MODSA", s.modsa, 0), jnum(fp, "recall", s.recall, 0);
	jnum(fp, "precision", s.precision, 0), jnum(fp, "soft_TP", c->soft_tp, 0);
	jint(fp, "TP", c->tp, 0), jint(fp, "FP", c->fp, 0), jint(fp, "FN", c->fn, 0);
	jint(fp, "IDS", c->ids, 0), jint(fp, "MT", c->mt, 0), jint(fp, "PT", c->pt, 0);
	jint(fp, "ML", c->ml, 0), jint(fp, "Frag", c->frag, 0), jint(fp, "gt_tracks", c->tracks, 0);
	jint(fp, "n_gt", c->n_gt, 0), jint(fp, "n_tr", c->n_tr, 0), jint(fp, "ignored", c->n_ign, 1);
	fprintf(fp, "},\n     \"trackeval\": {");
	json_trackeval(fp, m);
	fprintf(fp, "}}");
}

void report_mots_json(FILE *fp, const mots_class_result *c, int ncls)
{
	fprintf(fp, "{\"mode\": \"mots\", \"classes\": [");
	for (int k = 0; k < ncls; k++) {
		const mots_class_result *cr = &c[k];
		mots_seq_result all;
		mots_combine(cr, &all);
		fprintf(fp, "%s\n {\"class\": %d, \"sequences\": [", k ? "," : "", cr->cls);
		for (int i = 0; i < cr->n; i++) {
			fprintf(fp, "%s\n    ", i ? "," : "");
			json_mots_entry(fp, cr->seq[i].name, &cr->seq[i]);
		}
		fprintf(fp, "],\n  \"combined\": ");
		json_mots_entry(fp, "COMBINED", &all);
		fprintf(fp, "}");
	}
	fprintf(fp, "]}\n");
}

/* The TrackEval part of a box entry (as "trackeval" in the mask entries). */
static void json_box_entry(FILE *fp, const char *name, const mm_counts *c, const mots_seq_result *te)
{
	mm_scores s;
	mm_scores_of(c, &s);
	fprintf(fp, "{\"name\": ");
	jstr(fp, name);
	fprintf(fp, ", ");
	jnum(fp, "IDF1", s.idf1, 0), jnum(fp, "IDP", s.idp, 0), jnum(fp, "IDR", s.idr, 0);
	jnum(fp, "MOTA", s.mota, 0), jnum(fp, "MOTP", s.motp, 0), jnum(fp, "FAF", s.faf, 0);
	jnum(fp, "recall", s.recall, 0), jnum(fp, "precision", s.precision, 0);
	jint(fp, "GT", c->tracks, 0), jint(fp, "MT", c->mt, 0), jint(fp, "PT", c->pt, 0);
	jint(fp, "ML", c->ml, 0), jint(fp, "FP", c->fp, 0), jint(fp, "FN", c->misses, 0);
	jint(fp, "IDS", c->switches, 0), jint(fp, "Frag", c->frag, 0);
	jint(fp, "matches", c->matches, 0), jint(fp, "objects", c->objects, 0);
	jint(fp, "predictions", c->predictions, 0), jint(fp, "frames", c->frames, 0);
	jint(fp, "IDTP", c->idtp, 0), jint(fp, "IDFP", c->idfp, 0), jint(fp, "IDFN", c->idfn, 0);
	json_box_trackeval(fp, te);
	fprintf(fp, "}");
}

void report_box_json(FILE *fp, const box_seq_result *s, int n)
{
	mm_counts all = { 0 };
	mots_seq_result m, te_all;
	fprintf(fp, "{\"mode\": \"boxes\", \"sequences\": [");
	for (int i = 0; i < n; i++) {
		fprintf(fp, "%s\n  ", i ? "," : "");
		memset(&m, 0, sizeof m);
		m.hota = s[i].hota, m.clr = s[i].clr, m.id = s[i].id, m.removed = s[i].removed;
		json_box_entry(fp, s[i].name, &s[i].mm, &m);
		mm_add(&all, &s[i].mm);
	}
	box_te_combine(s, n, &te_all);
	fprintf(fp, "],\n \"combined\": ");
	json_box_entry(fp, "COMBINED", &all, &te_all);
	fprintf(fp, "}\n");
}
