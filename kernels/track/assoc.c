#include "track/assoc.h"

void assoc_opts_default(assoc_opts *o)
{
	o->min_size = 2;
	o->min_score = 0.1;
	o->window = 3;
	o->vote_all = 0;
}

int64_t assoc_vote(size_t m, const int64_t *ids)
{
	int64_t best = 0;
	size_t bestn = 0;
	for (size_t i = 0; i < m; i++) {
		if (ids[i] == 0)
			continue;
		size_t c = 0;
		for (size_t j = 0; j < m; j++)
			c += ids[j] == ids[i];
		if (c > bestn || (c == bestn && ids[i] > best))
			best = ids[i], bestn = c;
	}
	return best;
}

int assoc_cluster(const assoc_opts *o, size_t m, int64_t *ids, const float *scores, int64_t *next_id)
{
	size_t zeros = 0;
	double score = 0;
	int64_t maxid = 0;
	for (size_t i = 0; i < m; i++) {
		zeros += ids[i] == 0;
		score += scores ? scores[i] : 1.0;
		if (ids[i] > maxid)
			maxid = ids[i];
	}
	if (zeros == 0 || m < (size_t)o->min_size || score / o->window < o->min_score)
		return ASSOC_NONE;
	if (zeros == m) {
		int64_t id = (*next_id)++;
		for (size_t i = 0; i < m; i++)
			ids[i] = id;
		return ASSOC_BIRTH;
	}
	/* 0 is strictly the most frequent label when no id has as many members. */
	int64_t voted = assoc_vote(m, ids);
	size_t vn = 0;
	for (size_t i = 0; i < m; i++)
		vn += ids[i] == voted;
	if (zeros >= (size_t)o->min_size && zeros > vn) {
		for (size_t i = 0; i < m; i++)
			if (ids[i] == 0)
				ids[i] = maxid;
		return ASSOC_EXTEND;
	}
	if (o->vote_all) {
		for (size_t i = 0; i < m; i++)
			if (ids[i] == 0)
				ids[i] = voted;
	} else if (ids[0] == 0) {
		ids[0] = voted;
	}
	return ASSOC_VOTE;
}
