/* mots-eval: scores tracking results against ground truth with the
 * field's metrics (mots_tools, TrackEval, py-motmetrics). */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "err.h"
#include "eval/eval_csv.h"
#include "eval/eval_data.h"
#include "eval/eval_load.h"
#include "eval/eval_motmetrics.h"
#include "eval/eval_mot2d.h"
#include "eval/eval_motstools.h"
#include "eval/eval_report.h"
#include "eval/eval_trackeval.h"
#include "opts.h"
#include "outfile.h"

typedef struct {
	const char *name;
	eval_objs *gt, *res;
	int64_t first, last;   /* seqmap range, -1 if none */
} pairing;

static eval_objs empty_objs;
static int quiet;

/* A warning or a note on stderr, unless -q. */
static void mots_eval_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void mots_eval_note(const char *fmt, ...)
{
	char b[1024];
	va_list ap;
	if (quiet)
		return;
	va_start(ap, fmt);
	vsnprintf(b, sizeof b, fmt, ap);
	va_end(ap);
	warnf("%s", b);
}

/* Where a result of sequence name would be, for messages: SSSS.txt in a
 * folder of txt files, SSSS/ in a folder of PNG folders. */
static void mots_eval_expected(const eval_set *res, const char *resp, const char *name, char *b,
			       size_t n)
{
	int png = res->n && !res->single && strstr(res->seq[0].src, ".txt") == NULL;
	if (res->single)
		snprintf(b, n, "%s", resp);
	else
		snprintf(b, n, "%s/%s%s", resp, name, png ? "/" : ".txt");
}

/* The seqmap's sequences, in its order: each needs ground truth, and a
 * result unless missing ones are scored as empty. */
static pairing *pair_seqmap(eval_set *gt, eval_set *res, const eval_seqmap *map, const char *resp,
			    int missing_empty, int *np)
{
	pairing *p = xcalloc((size_t)map->n + 1, sizeof *p);
	for (int i = 0; i < map->n; i++) {
		const char *name = map->e[i].name;
		eval_objs *g = gt->single && gt->n == 1 && map->n == 1 ? &gt->seq[0] : eval_set_find(gt, name);
		if (!g)
			die("%s: no ground truth for sequence %s", gt->seq[0].src, name);
		eval_objs *r = res->single && map->n == 1 ? &res->seq[0] : eval_set_find(res, name);
		if (!r) {
			char where[1024];
			mots_eval_expected(res, resp, name, where, sizeof where);
			if (!missing_empty)
				die("%s: no result for sequence %s of the seqmap (--missing-empty scores it "
				    "as empty)", where, name);
			mots_eval_note("%s: no result for sequence %s: scored as empty", where, name);
			r = &empty_objs;
		}
		p[i] = (pairing){ name, g, r, map->e[i].first, map->e[i].last };
	}
	*np = map->n;
	return p;
}

/* Without a seqmap: the results present, each paired with the ground
 * truth of its name (two single files pair whatever their names). */
static pairing *pair_present(eval_set *gt, eval_set *res, const char *gtp, int *np)
{
	pairing *p = xcalloc((size_t)res->n + 1, sizeof *p);
	if (gt->single && res->single) {
		p[0] = (pairing){ gt->seq[0].name, &gt->seq[0], &res->seq[0], -1, -1 };
		*np = 1;
		return p;
	}
	for (int i = 0; i < res->n; i++) {
		eval_objs *r = &res->seq[i], *g = eval_set_find(gt, r->name);
		if (!g && res->single)
			die("%s: no sequence called %s among the %d of the ground truth %s: name the "
			    "result's sequence with --seq NAME", r->src, r->name, gt->n, gtp);
		if (!g)
			die("%s: no ground-truth sequence called %s", r->src, r->name);
		p[i] = (pairing){ g->name, g, r, -1, -1 };
	}
	*np = res->n;
	if (*np < gt->n) {
		char list[1024];
		size_t l = 0;
		for (int i = 0; i < *np && l < sizeof list; i++)
			l += (size_t)snprintf(list + l, sizeof list - l, " %s", p[i].name);
		if (l >= sizeof list)
			strcpy(list + sizeof list - 5, " ...");
		mots_eval_note("scored %d of %d ground-truth sequences:%s", *np, gt->n, list);
	}
	return p;
}

/* Number of frames of a sequence (FAF, CLR_Frames): the seqmap's range,
 * else from frame 0 or 1 (whichever the data starts at or after) to the
 * last one. */
static int64_t seq_frames(const pairing *p, const eval_objs *gt, const eval_objs *res)
{
	if (p->last >= 0)
		return p->last - p->first + 1;
	int64_t lo = INT64_MAX, hi = -1;
	const eval_objs *s[2] = { gt, res };
	for (int k = 0; k < 2; k++)
		if (s[k]->n) {
			if (s[k]->o[0].frame < lo)
				lo = s[k]->o[0].frame;
			if (s[k]->o[s[k]->n - 1].frame > hi)
				hi = s[k]->o[s[k]->n - 1].frame;
		}
	if (hi < 0)
		return 0;
	return hi - (lo == 0 ? 0 : 1) + 1;
}

static void clip(pairing *p, int np)
{
	for (int i = 0; i < np; i++) {
		if (p[i].last < 0)
			continue;
		eval_objs *s[2] = { p[i].gt, p[i].res };
		for (int k = 0; k < 2; k++) {
			size_t d = s[k] == &empty_objs ? 0 : eval_objs_clip(s[k], p[i].last);
			if (d)
				mots_eval_note("%s: %zu objects after frame %lld (the seqmap's last) ignored", s[k]->src,
				      d, (long long)p[i].last);
		}
	}
}

/* Classes to score: the ones asked for, else those of the ground truth
 * (of the results when the ground truth has none), ignore class excluded. */
static int *pick_classes(const pairing *p, int np, const int *asked, int nasked, int *n)
{
	int *v = xmalloc(sizeof *v * 64), k = 0;
	if (nasked) {
		memcpy(v, asked, (size_t)nasked * sizeof *v);
		*n = nasked;
		return v;
	}
	for (int side = 0; side < 2 && !k; side++)
		for (int i = 0; i < np; i++) {
			const eval_objs *e = side ? p[i].res : p[i].gt;
			for (size_t j = 0; j < e->n; j++) {
				int c = e->o[j].cls, seen = c == 10;
				for (int q = 0; q < k && !seen; q++)
					seen = v[q] == c;
				if (!seen && k < 64)
					v[k++] = c;
			}
		}
	for (int a = 1; a < k; a++)   /* ascending */
		for (int b = a; b > 0 && v[b] < v[b - 1]; b--) {
			int t = v[b];
			v[b] = v[b - 1], v[b - 1] = t;
		}
	*n = k;
	return v;
}

/* TrackEval's class name, for the --csv files. */
static const char *csv_class_name(int cls, char *b, size_t n)
{
	snprintf(b, n, "%s", cls == 1 ? "car" : cls == 2 ? "pedestrian" : "");
	if (!*b)
		snprintf(b, n, "class%d", cls);
	return b;
}

/* DIR/CLASS_summary.txt and DIR/CLASS_detailed.csv of one class. */
static void write_csv(const char *dir, const char *cls, const char *const *names,
		      const te_hota *const *h, const te_clear *const *c, const te_identity *const *id,
		      const te_count *const *cnt, int n)
{
	char err[1024];
	csv_seq *v = xcalloc((size_t)n + 1, sizeof *v);
	for (int i = 0; i < n; i++)
		v[i] = (csv_seq){ names[i], h[i], c[i], id[i], cnt[i] };
	if (csv_write_class(dir, cls, v, n, err, sizeof err) != 0)
		die("%s", err);
	free(v);
}

/* The per-sequence arrays write_csv wants, from either kind of result. */
typedef struct csv_cols {
	const char **names;
	const te_hota **h;
	const te_clear **c;
	const te_identity **id;
	const te_count **cnt;
} csv_cols;

static void csv_cols_alloc(csv_cols *k, int n)
{
	k->names = xcalloc((size_t)n + 1, sizeof *k->names);
	k->h = xcalloc((size_t)n + 1, sizeof *k->h);
	k->c = xcalloc((size_t)n + 1, sizeof *k->c);
	k->id = xcalloc((size_t)n + 1, sizeof *k->id);
	k->cnt = xcalloc((size_t)n + 1, sizeof *k->cnt);
}

static void csv_cols_free(csv_cols *k)
{
	free(k->names), free(k->h), free(k->c), free(k->id), free(k->cnt);
}

static void score_mots(pairing *p, int np, const int *asked, int nasked, int json, const char *csv,
		       FILE *out)
{
	char err[512];
	int ncls;
	int *cls = pick_classes(p, np, asked, nasked, &ncls);
	if (!ncls)
		die("no objects to score in the ground truth or the results");
	mots_class_result *cr = xcalloc((size_t)ncls, sizeof *cr);
	for (int k = 0; k < ncls; k++) {
		cr[k].cls = cls[k];
		cr[k].n = np;
		cr[k].seq = xcalloc((size_t)np, sizeof *cr[k].seq);
		for (int i = 0; i < np; i++) {
			mots_seq_result *r = &cr[k].seq[i];
			eval_seq s, te;
			eval_seq_init(&s, p[i].name);
			if (eval_seq_from_masks(&s, p[i].gt, p[i].res, cls[k], err, sizeof err) != 0)
				die("%s", err);
			s.frames = seq_frames(&p[i], p[i].gt, p[i].res);
			r->name = xstrdup(p[i].name);
			mt_eval(&s, &r->mt);
			r->removed = te_preprocess(&s, &te);
			te_hota_eval(&te, &r->hota);
			te_clear_eval(&te, &r->clr);
			te_identity_eval(&te, &r->id);
			te_count_eval(&te, &r->cnt);
			eval_seq_free(&te);
			eval_seq_free(&s);
		}
	}
	for (int k = 0; csv && k < ncls; k++) {
		csv_cols c;
		char name[32];
		csv_cols_alloc(&c, np);
		for (int i = 0; i < np; i++) {
			mots_seq_result *r = &cr[k].seq[i];
			c.names[i] = r->name, c.h[i] = &r->hota, c.c[i] = &r->clr, c.id[i] = &r->id;
			c.cnt[i] = &r->cnt;
		}
		write_csv(csv, csv_class_name(cls[k], name, sizeof name), c.names, c.h, c.c, c.id,
			  c.cnt, np);
		csv_cols_free(&c);
	}
	if (json)
		report_mots_json(out, cr, ncls);
	else
		report_mots_table(out, cr, ncls);
	for (int k = 0; k < ncls; k++) {
		for (int i = 0; i < np; i++)
			free(cr[k].seq[i].name);
		free(cr[k].seq);
	}
	free(cr);
	free(cls);
}

/* The boxes with a confidence >= min_conf (py-motmetrics' loading rule),
 * sharing e's objects: free only ->o. */
static eval_objs conf_view(const eval_objs *e, double min_conf)
{
	eval_objs v = *e;
	v.o = xmalloc((e->n + 1) * sizeof *v.o);
	v.n = v.cap = 0;
	for (size_t i = 0; i < e->n; i++)
		if (e->o[i].conf >= min_conf)
			v.o[v.n++] = e->o[i];
	return v;
}

/* py-motmetrics on the confidence-filtered boxes, then TrackEval on all
 * of them with MotChallenge2DBox's preprocessing. */
static void score_box_seq(const pairing *p, int classes, box_seq_result *r)
{
	char err[512];
	eval_seq s;
	eval_objs g = conf_view(p->gt, 1), t = conf_view(p->res, -1);
	eval_seq_init(&s, p->name);
	if (eval_seq_from_boxes(&s, &g, &t, err, sizeof err) != 0)
		die("%s", err);
	s.frames = seq_frames(p, &g, &t);
	r->name = xstrdup(p->name);
	mm_eval(&s, &r->mm);
	eval_seq_free(&s);
	free(g.o), free(t.o);

	if (mot2d_check(p->gt, p->res, classes, err, sizeof err) != 0)
		die("%s", err);
	eval_seq_init(&s, p->name);
	if (mot2d_seq(&s, p->gt, p->res, classes, &r->removed, err, sizeof err) != 0)
		die("%s", err);
	s.frames = seq_frames(p, p->gt, p->res);
	te_hota_eval(&s, &r->hota);
	te_clear_eval(&s, &r->clr);
	te_identity_eval(&s, &r->id);
	te_count_eval(&s, &r->cnt);
	eval_seq_free(&s);
}

static void score_boxes(pairing *p, int np, int json, const char *csv, FILE *out)
{
	box_seq_result *r = xcalloc((size_t)np, sizeof *r);
	int classes = 0;
	for (int i = 0; i < np; i++)
		classes |= mot2d_has_classes(p[i].gt);
	for (int i = 0; i < np; i++)
		score_box_seq(&p[i], classes, &r[i]);
	if (csv) {
		csv_cols c;
		csv_cols_alloc(&c, np);
		for (int i = 0; i < np; i++) {
			c.names[i] = r[i].name, c.h[i] = &r[i].hota, c.c[i] = &r[i].clr;
			c.id[i] = &r[i].id, c.cnt[i] = &r[i].cnt;
		}
		write_csv(csv, "pedestrian", c.names, c.h, c.c, c.id, c.cnt, np);
		csv_cols_free(&c);
	}
	if (json)
		report_box_json(out, r, np);
	else
		report_box_table(out, r, np);
	for (int i = 0; i < np; i++)
		free(r[i].name);
	free(r);
}

/* The classes asked for with --class (repeatable). */
typedef struct classes {
	int n, v[64];
} classes;

static void parse_classes(const opts_opt *opt, const char *s)
{
	classes *k = opt->dst;
	char *end;
	do {
		long c = strtol(s, &end, 10);
		if (end == s || c < 0 || c > INT_MAX || (*end && *end != ','))
			die_usage("--class: expected class numbers such as 1 or 1,2, not '%s'", s);
		if (c == 10)
			die_usage("--class: 10 is the ignore class");
		if (k->n == 64)
			die_usage("--class: too many classes");
		k->v[k->n++] = (int)c;
		s = end + 1;
	} while (*end);
}

/* --csv DIR: created when missing (its parent must exist). */
static void csv_dir(const char *dir)
{
	struct stat st;
	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return;
	if (mkdir(dir, 0777) != 0)
		die("%s: %s", dir, strerror(errno));
}

int main(int argc, char **argv)
{
	err_init(argv[0]);
	const char *gtp = NULL, *mapp = NULL, *seq = NULL, *csv = NULL;
	int boxes = 0, json = 0, missing_empty = 0;
	classes k = {0};
	opts_opt opt[] = {
		OPTS_STR("gt", 'g', "GT", "the ground truth, a file or folder", &gtp, .required = 1, .spell_long = 1),
		OPTS_CALL("class", 'c', "N[,N...]", "score only these classes (repeatable; not with "
			  "--boxes)", parse_classes, &k, .def = "those of the ground truth", .spell_long = 1),
		OPTS_STR("seqmap", 's', "FILE", "the sequences to score and their last frames", &mapp, .spell_long = 1),
		OPTS_FLAG("missing-empty", 'e', "score a seqmap's sequence without a result as empty",
			  &missing_empty, .needs = "seqmap", .spell_long = 1),
		OPTS_STR("seq", 'S', "NAME", "the sequence of a single RESULT file (such as -)", &seq,
			 .def = "the file's name", .spell_long = 1),
		OPTS_FLAG("boxes", 'b', "box mode (py-motmetrics and TrackEval)", &boxes, .spell_long = 1),
		OPTS_FLAG("json", 'j', "JSON instead of tables", &json, .spell_long = 1),
		OPTS_STR("csv", 'C', "DIR", "also TrackEval's CLASS_summary.txt and CLASS_detailed.csv "
			 "in DIR", &csv, .def = "", .spell_long = 1),
		OPTS_FLAG("quiet", 'q', "no warnings or notes (errors still print)", &quiet),
		OPTS_END,
	};
	opts_tool tool = {"mots-eval", "Scores tracking results against ground truth with the "
			  "field's metrics.", "RESULT", opt};
	int first = opts_parse(&tool, argc, argv);
	if (first + 1 != argc)
		die_usage("expected one RESULT (file or folder)");
	if (boxes && k.n)
		die_usage("--class applies to masks; box files are scored whole");
	if (seq && !*seq)
		die_usage("--seq: expected a sequence name");
	int ncls = k.n, *cls = k.v;
	const char *resp = argv[first];

	char err[512];
	eval_seqmap map = { 0 };
	if (mapp && eval_seqmap_load(mapp, &map, err, sizeof err) != 0)
		die("%s", err);
	eval_set gt, res;
	int rc = boxes ? eval_load_boxes(gtp, -INFINITY, &gt, err, sizeof err) : eval_load_masks(gtp, &gt, err, sizeof err);
	if (rc != 0)
		die("%s", err);
	rc = boxes ? eval_load_boxes(resp, -INFINITY, &res, err, sizeof err) : eval_load_masks(resp, &res, err, sizeof err);
	if (rc != 0)
		die("%s", err);
	if (!gt.n)
		die("%s: no sequences", gtp);
	if (seq && !res.single)
		die_usage("--seq names the sequence of a single result file, not of the folder %s", resp);
	if (seq) {
		free(res.seq[0].name);
		res.seq[0].name = xstrdup(seq);
	}
	empty_objs.name = "", empty_objs.src = (char *)resp;
	if (csv)
		csv_dir(csv);

	int np;
	pairing *p = mapp ? pair_seqmap(&gt, &res, &map, resp, missing_empty, &np) : pair_present(&gt, &res, gtp, &np);
	clip(p, np);
	outfile *o = outfile_open("-");
	if (boxes)
		score_boxes(p, np, json, csv, o->fp);
	else
		score_mots(p, np, cls, ncls, json, csv, o->fp);
	if (outfile_commit(o) != 0)
		die("stdout: write failed");
	free(p);
	eval_set_free(&gt);
	eval_set_free(&res);
	eval_seqmap_free(&map);
	return 0;
}
