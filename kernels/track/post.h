/* post.h: the post-processing of a tracked sequence before it is written
 * (usc-mots-method(7), POST-PROCESSING): short tracks dropped, pixels that
 * several masks claim given to one. */
#ifndef USC_POST_H
#define USC_POST_H

#include <stddef.h>
#include <stdint.h>

/* What the outputs need of a record. */
typedef struct post_rec {
	int64_t f, id, k;
	int cls, has_score;
	float score;
	float box[4];
	char *rle;          /* NULL when the record has no mask (malloc'd, owned) */
	uint64_t n;         /* record number, for messages and ties */
} post_rec;

/* Drops every record of a track with fewer than min records (min <= 1:
 * none), freeing their rle; the others keep their order. Returns how many
 * are left. */
size_t post_drop_short_tracks(post_rec *v, size_t n, long long min);

/* The n records, in frame order, of hh x ww images: within each frame, a
 * pixel claimed by several masks stays with the mask of the highest score
 * (records without a score count as 0), ties going to the earlier record
 * (n); the others lose it. Masks left empty are dropped (their records
 * with them; records without a mask stay). Returns 0 with *n the records
 * left, or -1 with "record N: what" in err (an rle that does not parse). */
int post_remove_overlaps(post_rec *v, size_t *n, uint32_t hh, uint32_t ww, char *err, size_t errn);

#endif
