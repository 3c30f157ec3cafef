/* frames.h: folders of per-frame PNG files (frames, instance maps).
 *
 * A frame's file is named by its number: "000042.png" (6 digits, KITTI and
 * MOTChallenge style) is looked for first, then 4, 5 and 7 to 12 digits
 * and the bare number ("42.png"): every name frame_list_dir() lists. */
#ifndef USC_FRAMES_H
#define USC_FRAMES_H

#include <stddef.h>
#include <stdint.h>

/* Writes the path of frame f's PNG in dir to out; returns 0 if such a file
 * exists, -1 if not (out then holds the 6-digit name, for messages). */
int frame_png_path(const char *dir, int64_t frame, char *out, size_t n);

/* The PNG files of dir whose names are a frame number ("000042.png"),
 * sorted by frame. Returns 0, or -1 with "DIR: what" in err (a missing
 * folder, two files for one frame). */
typedef struct frame_list {
	int64_t *frame;
	char **path;
	size_t n;
} frame_list;
int frame_list_dir(const char *dir, frame_list *fl, char *err, size_t errn);
void frame_list_free(frame_list *fl);

#endif
