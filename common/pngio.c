/* PNG reading and writing with libpng's low-level API. The simplified API
 * would gamma-convert 8-bit data and cannot keep 16-bit gray exact, which
 * instance maps need. libpng reports errors by longjmp; the handlers below
 * copy its message so callers get "PATH: what". */
#include "pngio.h"
#include "err.h"
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

size_t png_max_bytes = (size_t)1 << 30;

typedef struct {
	char msg[200];
	const uint8_t *mem;   /* memory source, NULL for a FILE */
	size_t len, pos;
} pngctx;

static void on_error(png_structp p, png_const_charp msg)
{
	pngctx *c = png_get_error_ptr(p);
	snprintf(c->msg, sizeof c->msg, "%s", msg);
	png_longjmp(p, 1);
}

static void on_warning(png_structp p, png_const_charp msg)
{
	(void)p, (void)msg;   /* warnings (e.g. unknown chunks) are not failures */
}

static void mem_read(png_structp p, png_bytep out, size_t n)
{
	pngctx *c = png_get_io_ptr(p);
	if (n > c->len - c->pos)
		png_error(p, "file ends early");
	memcpy(out, c->mem + c->pos, n);
	c->pos += n;
}

void image_free(image *im)
{
	free(im->data);
	im->data = NULL;
	im->w = im->h = 0;
}

/* The work of png_load / png_load_mem once the source is set up. Everything
 * that survives a longjmp is volatile or lives outside this frame. */
static int load(FILE *fp, pngctx *c, const char *name, image *im, char *err, size_t errn)
{
	png_structp p = png_create_read_struct(PNG_LIBPNG_VER_STRING, c, on_error, on_warning);
	png_infop info = p ? png_create_info_struct(p) : NULL;
	uint8_t *volatile data = NULL;
	png_bytep *volatile rows = NULL;
	if (!info) {
		png_destroy_read_struct(&p, NULL, NULL);
		return errf(err, errn, "%s: out of memory", name);
	}
	if (setjmp(png_jmpbuf(p))) {
		free(data);
		free(rows);
		png_destroy_read_struct(&p, &info, NULL);
		return errf(err, errn, "%s: not a readable PNG: %s", name, c->msg);
	}
	png_set_user_limits(p, 1u << 16, 1u << 16);
	if (fp)
		png_init_io(p, fp);
	else
		png_set_read_fn(p, c, mem_read);
	png_read_info(p, info);

	png_uint_32 w, h;
	int bit, ct;
	png_get_IHDR(p, info, &w, &h, &bit, &ct, NULL, NULL, NULL);
	int gray = !(ct & PNG_COLOR_MASK_COLOR) && ct != PNG_COLOR_TYPE_PALETTE;
	int keep16 = bit == 16 && ct == PNG_COLOR_TYPE_GRAY;
	if (ct == PNG_COLOR_TYPE_PALETTE)
		png_set_palette_to_rgb(p);
	if (gray && bit < 8)
		png_set_expand_gray_1_2_4_to_8(p);
	if (ct == PNG_COLOR_TYPE_PALETTE && png_get_valid(p, info, PNG_INFO_tRNS))
		png_set_tRNS_to_alpha(p);
	if (ct == PNG_COLOR_TYPE_GRAY_ALPHA)
		png_set_gray_to_rgb(p);
	if (bit == 16 && !keep16)
		png_set_strip_16(p);
	if (keep16)
		png_set_swap(p);   /* host (little-endian) order for uint16_t */
	png_set_interlace_handling(p);
	png_read_update_info(p, info);

	int chans = png_get_channels(p, info);
	size_t rowbytes = png_get_rowbytes(p, info);
	int depth = keep16 ? 16 : 8;
	if (chans != 1 && chans != 3 && chans != 4)
		png_error(p, "unsupported channel layout");
	if (rowbytes != (size_t)w * chans * (depth / 8))
		png_error(p, "unexpected row size");
	if ((uint64_t)rowbytes * h > png_max_bytes)
		png_error(p, "image too large");
	data = malloc((size_t)h * rowbytes + 1);
	rows = malloc(h * sizeof *rows);
	if (!data || !rows)
		png_error(p, "out of memory");
	for (png_uint_32 y = 0; y < h; y++)
		rows[y] = data + (size_t)y * rowbytes;
	png_read_image(p, rows);
	png_read_end(p, NULL);
	png_destroy_read_struct(&p, &info, NULL);
	free(rows);
	im->w = w, im->h = h, im->c = chans, im->depth = depth, im->data = data;
	return 0;
}

/* Opens path for reading if it is a regular file: a FIFO or a device
 * named as an image would block or never end. NULL with errno set. */
static FILE *png_open_regular(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	FILE *fp = fdopen(fd, "rb");
	if (!fp)
		close(fd);
	return fp;
}

int png_load(const char *path, image *im, char *err, size_t errn)
{
	pngctx c = {{0}, NULL, 0, 0};
	uint8_t sig[8];
	FILE *fp = png_open_regular(path);
	im->data = NULL;
	if (!fp && errno == EINVAL)
		return errf(err, errn, "%s: not a regular file", path);
	if (!fp)
		return errf(err, errn, "%s: %s", path, strerror(errno));
	/* A clearer message than libpng's for the common mistake. */
	if (fread(sig, 1, 8, fp) != 8 || png_sig_cmp(sig, 0, 8)) {
		fclose(fp);
		return errf(err, errn, "%s: not a PNG file", path);
	}
	rewind(fp);
	int rc = load(fp, &c, path, im, err, errn);
	fclose(fp);
	return rc;
}

int png_load_mem(const void *buf, size_t len, const char *name, image *im, char *err, size_t errn)
{
	pngctx c = {{0}, buf, len, 0};
	im->data = NULL;
	if (len < 8 || png_sig_cmp(buf, 0, 8))
		return errf(err, errn, "%s: not a PNG file", name);
	return load(NULL, &c, name, im, err, errn);
}

static int save(FILE *fp, pngctx *c, const image *im)
{
	png_structp p = png_create_write_struct(PNG_LIBPNG_VER_STRING, c, on_error, on_warning);
	png_infop info = p ? png_create_info_struct(p) : NULL;
	png_bytep *volatile rows = NULL;
	if (!info) {
		png_destroy_write_struct(&p, NULL);
		snprintf(c->msg, sizeof c->msg, "out of memory");
		return -1;
	}
	if (setjmp(png_jmpbuf(p))) {
		free(rows);
		png_destroy_write_struct(&p, &info);
		return -1;
	}
	int ct = im->c == 1 ? PNG_COLOR_TYPE_GRAY : im->c == 3 ? PNG_COLOR_TYPE_RGB
		: PNG_COLOR_TYPE_RGB_ALPHA;
	png_init_io(p, fp);
	/* Frames are written often: one fixed filter instead of libpng's
	 * per-row search (3x slower). Instance maps are flat areas of one
	 * value, which deflate packs well unfiltered; photos gain from SUB. */
	png_set_compression_level(p, 3);
	png_set_filter(p, 0, im->depth == 16 ? PNG_FILTER_NONE : PNG_FILTER_SUB);
	png_set_IHDR(p, info, im->w, im->h, im->depth, ct, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(p, info);
	if (im->depth == 16)
		png_set_swap(p);
	size_t rowbytes = (size_t)im->w * im->c * (im->depth / 8);
	rows = malloc((im->h ? im->h : 1) * sizeof *rows);
	if (!rows)
		png_error(p, "out of memory");
	for (uint32_t y = 0; y < im->h; y++)
		rows[y] = (png_bytep)im->data + (size_t)y * rowbytes;
	png_write_image(p, rows);
	png_write_end(p, NULL);
	png_destroy_write_struct(&p, &info);
	free(rows);
	return 0;
}

int png_save(const char *path, const image *im, char *err, size_t errn)
{
	pngctx c = {{0}, NULL, 0, 0};
	if (!(im->c == 1 || im->c == 3 || im->c == 4) || !(im->depth == 8 || im->depth == 16)
	    || (im->depth == 16 && im->c != 1) || !im->w || !im->h)
		return errf(err, errn, "%s: cannot write a %ux%u image of %d channels at %d bits",
			    path, im->w, im->h, im->c, im->depth);
	outfile *o = outfile_open_fresh(path);
	if (!o)
		return errf(err, errn, "%s: %s", path, strerror(errno));
	if (save(o->fp, &c, im) != 0) {
		outfile_abort(o);
		return errf(err, errn, "%s: %s", path, c.msg);
	}
	if (outfile_commit(o) != 0)
		return errf(err, errn, "%s: %s", path, strerror(errno));
	return 0;
}
