/* pngio.h: PNG frames and instance maps (libpng, low-level API).
 *
 * 8-bit images are gray (c = 1), RGB (c = 3) or RGBA (c = 4), read without
 * any gamma conversion; 16-bit single-channel images are instance maps
 * (class*1000 + id, 0 background) kept as uint16 in host order. */
#ifndef USC_PNGIO_H
#define USC_PNGIO_H

#include <stddef.h>
#include <stdint.h>

typedef struct image {
	uint32_t w, h;
	int c;             /* channels: 1, 3 or 4 */
	int depth;         /* 8 (data is uint8_t) or 16 (uint16_t, c == 1) */
	void *data;        /* row-major, channels last, malloc'd */
} image;

void image_free(image *im);
/* Reads any PNG: palette and gray+alpha become RGB / RGBA / gray 8-bit,
 * 16-bit colour is reduced to 8 bits, 16-bit gray stays 16-bit. Returns 0,
 * or -1 with "PATH: what" in err. */
int png_load(const char *path, image *im, char *err, size_t errn);
/* Same, from memory (tests and fuzzing); name is used in messages. */
int png_load_mem(const void *buf, size_t len, const char *name, image *im, char *err, size_t errn);
/* Writes im atomically (temporary file, then rename). Returns 0 or -1.
 * Meant for frames in a folder being built: it does not look for stale
 * temporaries (outfile_open_fresh). */
int png_save(const char *path, const image *im, char *err, size_t errn);

/* Largest decoded image png_load accepts, in bytes (default 1 GiB): a
 * header declaring a huge image fails before anything is allocated. */
extern size_t png_max_bytes;

#endif
