/* assoc.h: cluster-to-track association (usc-mots-method(7), ASSOCIATION).
 *
 * After the window is clustered, each cluster decides what its members'
 * track ids become. Track ids only ever go from 0 (unassigned) to a track;
 * an id once given is never changed here. */
#ifndef USC_ASSOC_H
#define USC_ASSOC_H

#include <stddef.h>
#include <stdint.h>

typedef struct assoc_opts {
	int min_size;        /* members a cluster needs to start or extend a track (2) */
	double min_score;    /* cluster score = sum of member scores / window (0.1) */
	int window;          /* the divisor of the cluster score: t_lag (3) */
	int vote_all;        /* majority vote labels every unlabelled member, not
	                        only the first (the synthetic code's rule) */
} assoc_opts;

void assoc_opts_default(assoc_opts *o);   /* 2, 0.1, 3, first member only */

enum {
	ASSOC_NONE,     /* too small, too weak, or nothing unlabelled: no change */
	ASSOC_BIRTH,    /* all unlabelled: a new track */
	ASSOC_EXTEND,   /* mostly unlabelled: they join the largest id present */
	ASSOC_VOTE,     /* the majority id is given to unlabelled members */
};

/* One cluster of m members, in window order (current frame first). ids
 * (in/out): their track ids, 0 = unassigned. scores: the detection scores,
 * or NULL when records carry none (each counts 1). next_id (in/out): the
 * next new track id. Returns ASSOC_*. The rules:
 *   - all unlabelled, m >= min_size, score >= min_score: all get a new id;
 *   - some unlabelled, m >= min_size, score >= min_score:
 *       at least min_size unlabelled and 0 strictly the most frequent label:
 *         all unlabelled get the largest id in the cluster;
 *       otherwise the majority of the non-zero ids (ties to the larger) goes
 *         to the first member if it is unlabelled (to every unlabelled
 *         member with vote_all);
 *   - otherwise nothing changes. */
int assoc_cluster(const assoc_opts *o, size_t m, int64_t *ids, const float *scores, int64_t *next_id);

/* The majority of the non-zero ids of m (ties to the larger id); 0 if none. */
int64_t assoc_vote(size_t m, const int64_t *ids);

#endif
