/* mots-eval: scores tracking results against ground truth with the
 * field's metrics (mots_tools, TrackEval, py-motmetrics). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "eval/eval_data.h"
#include "eval/eval_load.h"
#include "eval/eval_motmetrics.h"
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

/* Which result goes with which ground truth, in seqmap or name order. */
static pairing *pair_up(eval_set *gt, eval_set *res, const eval_seqmap *map, int *np)
{
	pairing *p;
	int n = 0;
	if (gt->single && res->single && (!map || map->n == 1)) {
		p = xcalloc(1, sizeof *p);
		p[0] = (pairing){ gt->seq[0].name, &gt->seq[0], &res->seq[0], -1, -1 };
		if (map)
			p[0].first = map->e[0].first, p[0].last = map->e[0].last;
		*np = 1;
		return p;
	}
	int want = map ? map->n : gt->n;
	p = xcalloc((size_t)want + 1, sizeof *p);
	for (int i = 0; i < want; i++) {
		const char *name = map ? map->e[i].name : gt->seq[i].name;
		eval_objs *g = gt->single && gt->n == 1 && want == 1 ? &gt->seq[0] : eval_set_find(gt, name);
		if (!g)
			die("%s: no ground truth for sequence %s", gt->seq[0].src, name);
		eval_objs *r = res->single && want == 1 ? &res->seq[0] : eval_set_find(res, name);
		if (!r) {
			warnf("no result for sequence %s: scored as empty", name);
			r = &empty_objs;
		}
		p[n++] = (pairing){ name, g, r, map ? map->e[i].first : -1, map ? map->e[i].last : -1 };
	}
	*np = n;
	return p;
}

/* Number of frames of a sequence for FAF: the seqmap's range, else from
 * frame 0 or 1 (whichever the data starts at or after) to the last one. */
static int64_t seq_frames(const pairing *p)
{
	if (p->last >= 0)
		return p->last - p->first + 1;
	int64_t lo = INT64_MAX, hi = -1;
	const eval_objs *s[2] = { p->gt, p->res };
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
				warnf("%s: %zu objects after frame %lld (the seqmap's last) ignored", s[k]->src,
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

static void score_mots(pairing *p, int np, const int *asked, int nasked, int json, FILE *out)
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
			r->name = xstrdup(p[i].name);
			mt_eval(&s, &r->mt);
			r->removed = te_preprocess(&s, &te);
			te_hota_eval(&te, &r->hota);
			te_clear_eval(&te, &r->clr);
			te_identity_eval(&te, &r->id);
			eval_seq_free(&te);
			eval_seq_free(&s);
		}
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

static void score_boxes(pairing *p, int np, int json, FILE *out)
{
	char err[512];
	box_seq_result *r = xcalloc((size_t)np, sizeof *r);
	for (int i = 0; i < np; i++) {
		eval_seq s;
		eval_seq_init(&s, p[i].name);
		if (eval_seq_from_boxes(&s, p[i].gt, p[i].res, err, sizeof err) != 0)
			die("%s", err);
		s.frames = seq_frames(&p[i]);
		r[i].name = xstrdup(p[i].name);
		mm_eval(&s, &r[i].mm);
		eval_seq_free(&s);
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

int main(int argc, char **argv)
{
	err_init(argv[0]);
	const char *gtp = NULL, *mapp = NULL;
	int boxes = 0, json = 0;
	classes k = {0};
	opts_opt opt[] = {
		OPTS_STR("gt", 'g', "GT", "the ground truth, a file or folder", &gtp, .required = 1, .spell_long = 1),
		OPTS_CALL("class", 'c', "N[,N...]", "score only these classes (repeatable; not with "
			  "--boxes)", parse_classes, &k, .def = "those of the ground truth", .spell_long = 1),
		OPTS_STR("seqmap", 's', "FILE", "the sequences to score and their last frames", &mapp, .spell_long = 1),
		OPTS_FLAG("boxes", 'b', "box mode (py-motmetrics)", &boxes, .spell_long = 1),
		OPTS_FLAG("json", 'j', "JSON instead of tables", &json, .spell_long = 1),
		OPTS_END,
	};
	opts_tool tool = {"mots-eval", "Scores tracking results against ground truth with the "
			  "field's metrics.", "RESULT", opt};
	int first = opts_parse(&tool, argc, argv);
	if (first + 1 != argc)
		die_usage("expected one RESULT (file or folder)");
	if (boxes && k.n)
		die_usage("--class applies to masks; box files are scored whole");
	int ncls = k.n, *cls = k.v;
	const char *resp = argv[first];

	char err[512];
	eval_seqmap map = { 0 };
	if (mapp && eval_seqmap_load(mapp, &map, err, sizeof err) != 0)
		die("%s", err);
	eval_set gt, res;
	int rc = boxes ? eval_load_boxes(gtp, 1, &gt, err, sizeof err) : eval_load_masks(gtp, &gt, err, sizeof err);
	if (rc != 0)
		die("%s", err);
	rc = boxes ? eval_load_boxes(resp, -1, &res, err, sizeof err) : eval_load_masks(resp, &res, err, sizeof err);
	if (rc != 0)
		die("%s", err);
	if (!gt.n)
		die("%s: no sequences", gtp);
	empty_objs.name = "", empty_objs.src = (char *)resp;

	int np;
	pairing *p = pair_up(&gt, &res, mapp ? &map : NULL, &np);
	clip(p, np);
	outfile *o = outfile_open("-");
	if (boxes)
		score_boxes(p, np, json, o->fp);
	else
		score_mots(p, np, cls, ncls, json, o->fp);
	if (outfile_commit(o) != 0)
		die("stdout: write failed");
	free(p);
	eval_set_free(&gt);
	eval_set_free(&res);
	eval_seqmap_free(&map);
	return 0;
}
