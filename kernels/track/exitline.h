/* exitline.h: where objects stop being seen, for the exit rule of the
 * motion gate (motion.h): a line parallel to the image border, inset by
 * a distance measured without labels on a model's training detections
 * (ae-train stores it in the model, ae-embed passes it on in the stream
 * header, ckmeans uses it unless --exit-margin is given). */
#ifndef USC_EXITLINE_H
#define USC_EXITLINE_H

#include <stddef.h>
#include <stdint.h>

#include "stream.h"

#define EXIT_HEADER_KEY "exit_inset"
/* The share of box centres allowed nearer the border than the line:
 * objects vanish once their centre crosses it, so box centres past it are
 * rare (a box's centre is not quite the object's). */
#define EXIT_QUANTILE 0.0001

/* The EXIT_QUANTILE quantile of the distances from the centres of the n
 * boxes (x, y, w, h) to the nearest border of their images (imsize: the
 * width and height of each box's image), a centre outside counting 0.
 * Left out: boxes that overlap or touch another box of their frame
 * (within 1 pixel, the occlusion guard's test: a partly hidden object's
 * visible box, a sliver, can sit anywhere in its whole box), and boxes
 * whose image size is not positive. Records of one frame are adjacent
 * (frame and seg, its segment, equal); -1 when no box is left. */
double exitline_measure(const float *box, const float *imsize, const int64_t *frame,
			const uint32_t *seg, size_t n);

/* The header's "exit_inset": 1 and *inset when it is a finite number
 * >= 0, 0 when absent or nil, -1 with a message when it is anything
 * else. */
int exitline_header_get(const ms_header *h, double *inset, char *err, size_t errn);
/* Sets the header's "exit_inset" to inset, or to nil when inset is not a
 * finite number >= 0 (so that a stale one is not passed on). */
void exitline_header_put(ms_header *h, double inset);

#endif
