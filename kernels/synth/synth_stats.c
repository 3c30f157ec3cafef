#include "synth/synth_stats.h"
#include "box.h"
#include "err.h"

#include <stdlib.h>
#include <string.h>

void synth_stats_init(synth_stats *st)
{
	memset(st, 0, sizeof *st);
	st->minw = st->minh = 1 << 30;
	st->len_min = st->gap_min = INT64_MAX;
}

void synth_stats_free(synth_stats *st)
{
	free(st->len);
	st->len = NULL;
}

static box vis_box(const synth_vis *v)
{
	return (box){v->left, v->top, v->w, v->h};
}

void synth_stats_add(synth_stats *st, const synth *s)
{
	int n = s->nvis, H = s->cfg.height, W = s->cfg.width;
	st->frames++;
	st->per_frame[n]++;
	if (!n)
		st->empty++;
	else if (!st->first_visible)
		st->first_visible = st->frames;
	for (int k = 0; k < n; k++) {
		const synth_vis *v = &s->vis[k];
		st->boxes++;
		if (v->w < st->minw) st->minw = v->w;
		if (v->w > st->maxw) st->maxw = v->w;
		if (v->h < st->minh) st->minh = v->h;
		if (v->h > st->maxh) st->maxh = v->h;
		st->sumw += v->w, st->sumh += v->h;
		if (v->left < 0 || v->top < 0 || v->left + v->w > W || v->top + v->h > H)
			st->beyond++;
		if (v->visible < 0.99) st->occluded++;
		if (v->visible < 0.5) st->half_hidden++;
		if (v->visible <= 0.05) st->hidden95++;
		if (!v->area) st->no_mask++;
		for (int j = k + 1; j < n; j++) {
			double iou = box_iou(vis_box(v), vis_box(&s->vis[j]));
			st->pairs++;
			st->pairs_overlap += iou > 0;
			st->pairs_iou50 += iou >= 0.5;
		}
		if (v->id > st->cap) {
			int64_t c = st->cap ? st->cap : 1024;
			while (c < v->id)
				c *= 2;
			st->len = xrealloc(st->len, (size_t)c * sizeof *st->len);
			memset(st->len + st->cap, 0, (size_t)(c - st->cap) * sizeof *st->len);
			st->cap = c;
		}
		if (!st->len[v->id - 1]++) {
			st->tracks++;
			/* A new object in this slot: the gap since the last one. */
			int64_t last = st->last_frame[v->slot];
			if (last) {
				int64_t g = st->frames - last - 1;
				st->gaps++, st->gap_sum += g;
				if (g < st->gap_min) st->gap_min = g;
			}
		}
		st->last_frame[v->slot] = st->frames;
	}
}

void synth_stats_print(synth_stats *st, const synth *s, FILE *fp)
{
	/* Complete tracks: every id seen, except those still alive at the end. */
	for (int64_t i = 0; i < st->cap && i < s->next_id; i++) {
		int64_t l = st->len[i], alive = 0;
		if (!l)
			continue;
		for (int o = 0; o < s->cfg.objects; o++)
			if (s->obj[o].c == s->cfg.interval + 1 && s->obj[o].id == i + 1)
				alive = 1;
		if (alive)
			continue;
		st->complete++;
		st->len_hist[l < SYNTH_STATS_LEN ? l : SYNTH_STATS_LEN - 1]++;
		st->len_sum += l;
		if (l < st->len_min) st->len_min = l;
		if (l > st->len_max) st->len_max = l;
	}
	double nb = st->boxes ? (double)st->boxes : 1, nf = st->frames ? (double)st->frames : 1;
	fprintf(fp, "frames %lld\n", (long long)st->frames);
	fprintf(fp, "boxes %lld\n", (long long)st->boxes);
	fprintf(fp, "tracks %lld\n", (long long)st->tracks);
	fprintf(fp, "ids_born %lld\n", (long long)s->next_id);
	fprintf(fp, "first_visible_frame %lld\n", (long long)st->first_visible);
	fprintf(fp, "empty_frames %lld\n", (long long)st->empty);
	fprintf(fp, "objects_per_frame %.3f\n", st->boxes / nf);
	for (int k = 0; k <= s->cfg.objects; k++)
		fprintf(fp, "frames_with_%d %lld %.1f%%\n", k, (long long)st->per_frame[k],
			100.0 * st->per_frame[k] / nf);
	if (st->complete) {
		fprintf(fp, "complete_tracks %lld\n", (long long)st->complete);
		fprintf(fp, "track_length_min %lld\n", (long long)st->len_min);
		fprintf(fp, "track_length_max %lld\n", (long long)st->len_max);
		fprintf(fp, "track_length_mean %.2f\n", (double)st->len_sum / st->complete);
		for (int64_t l = st->len_min; l <= st->len_max && l < SYNTH_STATS_LEN; l++)
			fprintf(fp, "track_length_%lld %.1f%%\n", (long long)l,
				100.0 * st->len_hist[l] / st->complete);
	}
	if (st->gaps) {
		fprintf(fp, "gap_min %lld\n", (long long)st->gap_min);
		fprintf(fp, "gap_mean %.2f\n", (double)st->gap_sum / st->gaps);
	}
	fprintf(fp, "pairs %lld\n", (long long)st->pairs);
	fprintf(fp, "pairs_overlap %lld %.1f%%\n", (long long)st->pairs_overlap,
		st->pairs ? 100.0 * st->pairs_overlap / st->pairs : 0.0);
	fprintf(fp, "pairs_iou50 %lld\n", (long long)st->pairs_iou50);
	fprintf(fp, "boxes_beyond_frame %lld %.1f%%\n", (long long)st->beyond, 100.0 * st->beyond / nb);
	if (st->boxes) {
		fprintf(fp, "box_width %d..%d mean %.2f\n", st->minw, st->maxw, st->sumw / nb);
		fprintf(fp, "box_height %d..%d mean %.2f\n", st->minh, st->maxh, st->sumh / nb);
	}
	fprintf(fp, "occluded_boxes %lld %.1f%%\n", (long long)st->occluded, 100.0 * st->occluded / nb);
	fprintf(fp, "boxes_under_half_visible %lld %.1f%%\n", (long long)st->half_hidden,
		100.0 * st->half_hidden / nb);
	fprintf(fp, "boxes_95pct_hidden %lld\n", (long long)st->hidden95);
	fprintf(fp, "boxes_without_mask %lld\n", (long long)st->no_mask);
}
