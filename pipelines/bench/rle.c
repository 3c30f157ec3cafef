/* Benchmark and check helper for pipelines/bench-extract.sh (built by the
 * script against the project's library).
 *
 *   bench-rle iou FILE W RUNS    IoU of every pair of masks of a MOTS txt
 *                                file at most W frames apart (pycocotools
 *                                rleIou: boxes computed once, bbox
 *                                pre-check, then the runs); prints median
 *                                seconds, pairs, sum of IoUs
 *   bench-rle agree FILE...      decodes every mask to pixels, encodes the
 *                                pixels again and compares the strings;
 *                                prints masks and how many agree byte for
 *                                byte */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "mots_txt.h"
#include "progress.h"
#include "rle.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void load(const char *path, mots_file *mf, rle_t **r, rle_box **b)
{
	char err[600];
	if (mots_load(path, mf, err, sizeof err) != 0)
		die("%s", err);
	*r = xmalloc((mf->n + 1) * sizeof **r);
	*b = xmalloc((mf->n + 1) * sizeof **b);
	for (size_t i = 0; i < mf->n; i++) {
		if (rle_from_string(&(*r)[i], mf->obj[i].rle, mf->obj[i].h, mf->obj[i].w, err, sizeof err))
			die("%s:%u: %s", path, mf->obj[i].line, err);
		(*b)[i] = rle_bbox(&(*r)[i]);
	}
}

static int iou(const char *path, long win, int runs)
{
	mots_file mf;
	rle_t *r;
	rle_box *b;
	load(path, &mf, &r, &b);
	double *t = xmalloc(runs * sizeof *t), sum = 0;
	uint64_t pairs = 0;
	for (int k = 0; k < runs; k++) {
		double t0 = now_seconds();
		sum = 0, pairs = 0;
		for (size_t i = 0; i < mf.n; i++)
			for (size_t j = i + 1; j < mf.n && mf.obj[j].frame - mf.obj[i].frame <= win; j++) {
				sum += rle_iou_bb(&r[i], b[i], &r[j], b[j], 0);
				pairs++;
			}
		t[k] = now_seconds() - t0;
	}
	qsort(t, runs, sizeof *t, cmp_double);
	printf("%.6f %llu %.9f\n", t[runs / 2], (unsigned long long)pairs, sum);
	for (size_t i = 0; i < mf.n; i++)
		rle_free(&r[i]);
	free(r), free(b), free(t);
	mots_file_free(&mf);
	return 0;
}

static int agree(int n, char **paths)
{
	uint64_t masks = 0, same = 0;
	for (int f = 0; f < n; f++) {
		mots_file mf;
		rle_t *r;
		rle_box *b;
		load(paths[f], &mf, &r, &b);
		for (size_t i = 0; i < mf.n; i++) {
			size_t np = (size_t)r[i].h * r[i].w;
			uint8_t *px = xmalloc(np);
			rle_t e;
			rle_decode(&r[i], px);
			rle_encode(&e, px, r[i].h, r[i].w);
			char *s = rle_to_string(&e);
			masks++;
			if (strcmp(s, mf.obj[i].rle) == 0)
				same++;
			else
				fprintf(stderr, "%s:%u: re-encoded differently\n", paths[f], mf.obj[i].line);
			free(s), free(px);
			rle_free(&e);
			rle_free(&r[i]);
		}
		free(r), free(b);
		mots_file_free(&mf);
	}
	printf("%llu %llu\n", (unsigned long long)masks, (unsigned long long)same);
	return same == masks ? 0 : 1;
}

int main(int argc, char **argv)
{
	err_init(argv[0]);
	if (argc == 5 && !strcmp(argv[1], "iou"))
		return iou(argv[2], atol(argv[3]), atoi(argv[4]) > 0 ? atoi(argv[4]) : 1);
	if (argc >= 3 && !strcmp(argv[1], "agree"))
		return agree(argc - 2, argv + 2);
	die_usage("usage: bench-rle iou FILE W RUNS | agree FILE...");
}
