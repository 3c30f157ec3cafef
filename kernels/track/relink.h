/* relink.h: re-linking tracks across gaps longer than the window (not in
 * the paper, off by default: ckmeans --relink).
 *
 * The sliding window only links detections at most window - 1 frames
 * apart, so an object missed for window - 1 frames or more comes back as a
 * new track. This is the memory of the tracks that have left the window:
 * the last two boxes of every track seen lately. A new track whose first
 * box overlaps a lost track's last box, or that box moved on at the
 * track's last velocity, takes that track's id instead. Memory is bounded
 * by the tracks of those frames, not by the video. */
#ifndef USC_RELINK_H
#define USC_RELINK_H

#include <stddef.h>
#include <stdint.h>

typedef struct relinker relinker;

relinker *rl_new(void);
void rl_free(relinker *m);
void rl_reset(relinker *m);   /* a new sequence: forgets every track */

/* A detection of track id in frame f with box x, y, w, h. Detections of a
 * track may come in any order and more than once: only the latest two
 * frames are kept (the velocity is that of their box centres). */
void rl_see(relinker *m, int64_t id, int64_t f, const float box[4]);

/* Forgets the tracks last seen before frame f. */
void rl_forget(relinker *m, int64_t f);

/* The lost track to give to a new track whose first box is box, in frame
 * f: among the tracks last seen before frame lost_before and missed in at
 * most max_gap frames before f, the one that overlaps box most, if by
 * IoU >= thr (and > 0). A track overlaps by the larger IoU of its last box
 * and of that box moved on over the gap at the velocity of its last two
 * box centres (a two-box velocity can be noise, or the object stopped).
 * A track that has left the scene (rl_set_scene) is not offered.
 * Returns its id, or 0 for none. The chosen track is not offered again
 * until it is seen anew. */
int64_t rl_match(relinker *m, int64_t f, const float box[4], int64_t lost_before, int64_t max_gap,
		 double thr);

/* The exit rule (motion.h) for lost tracks: with exit >= 0 and the image
 * size known, a track whose last box centre lies inside the image inset
 * by exit pixels and whose box moved on over the gap at its velocity has
 * its centre outside that line has left the scene, and rl_match does not
 * offer it. exit < 0 (the default): no such rule. */
void rl_set_scene(relinker *m, double width, double height, double exit);

size_t rl_held(const relinker *m);   /* tracks remembered now */

#endif
