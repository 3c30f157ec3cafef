/* PNG frames and instance maps: exact round trips, rejection of non-PNGs. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frames.h"
#include "pngio.h"

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/test_png.XXXXXX");
	cr_assert(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	cr_assert(system(cmd) == 0);
}

TestSuite(png, .init = setup, .fini = teardown);

static void roundtrip(uint32_t w, uint32_t h, int c, int depth)
{
	char path[128], err[256];
	size_t n = (size_t)w * h * c * (depth / 8);
	image im = {w, h, c, depth, malloc(n)}, back;
	for (size_t i = 0; i < n; i++)
		((uint8_t *)im.data)[i] = (uint8_t)(i * 131 + (i >> 7) * 17);
	snprintf(path, sizeof path, "%s/a.png", dir);
	cr_assert(png_save(path, &im, err, sizeof err) == 0, "%s", err);
	cr_assert(png_load(path, &back, err, sizeof err) == 0, "%s", err);
	cr_assert_eq(back.w, w);
	cr_assert_eq(back.h, h);
	cr_assert_eq(back.c, c);
	cr_assert_eq(back.depth, depth);
	cr_assert(memcmp(back.data, im.data, n) == 0);
	image_free(&im);
	image_free(&back);
}

Test(png, gray8) { roundtrip(37, 23, 1, 8); }
Test(png, rgb8) { roundtrip(64, 3, 3, 8); }
Test(png, rgba8) { roundtrip(5, 9, 4, 8); }

Test(png, instance16_values_exact)
{
	/* Instance ids up to 65535 must survive unchanged in host order. */
	uint32_t w = 300, h = 7;
	image im = {w, h, 1, 16, malloc((size_t)w * h * 2)}, back;
	uint16_t *v = im.data;
	char path[128], err[256];
	for (uint32_t i = 0; i < w * h; i++)
		v[i] = (uint16_t)(i % 5 == 0 ? 0 : i % 7 == 0 ? 10000 + i % 3 : 1000 + i % 260 + (i & 1) * 1000);
	v[1] = 65535, v[2] = 256, v[3] = 1;
	snprintf(path, sizeof path, "%s/ids.png", dir);
	cr_assert(png_save(path, &im, err, sizeof err) == 0, "%s", err);
	cr_assert(png_load(path, &back, err, sizeof err) == 0, "%s", err);
	cr_assert_eq(back.depth, 16);
	cr_assert_eq(back.c, 1);
	cr_assert(memcmp(back.data, im.data, (size_t)w * h * 2) == 0);
	cr_assert_eq(((uint16_t *)back.data)[1], 65535);
	cr_assert_eq(((uint16_t *)back.data)[2], 256);
	image_free(&im);
	image_free(&back);
}

Test(png, not_a_png)
{
	char path[128], err[256];
	image im;
	snprintf(path, sizeof path, "%s/x.png", dir);
	FILE *fp = fopen(path, "w");
	fputs("0 1 1 375 1242 fjV>\n", fp);
	fclose(fp);
	cr_assert(png_load(path, &im, err, sizeof err) == -1);
	cr_assert(strstr(err, "x.png: not a PNG"), "%s", err);
	cr_assert(im.data == NULL);
}

Test(png, missing_file)
{
	char err[256];
	image im;
	cr_assert(png_load("/nonexistent/a.png", &im, err, sizeof err) == -1);
	cr_assert(strstr(err, "/nonexistent/a.png: No such file"), "%s", err);
}

Test(png, truncated_file_is_an_error)
{
	char path[128], err[256];
	image im = {40, 40, 3, 8, calloc(4800, 1)}, back;
	snprintf(path, sizeof path, "%s/t.png", dir);
	cr_assert(png_save(path, &im, err, sizeof err) == 0, "%s", err);
	FILE *fp = fopen(path, "rb");
	uint8_t buf[4096];
	size_t n = fread(buf, 1, sizeof buf, fp);
	fclose(fp);
	cr_assert(png_load_mem(buf, n - 20, "t.png", &back, err, sizeof err) == -1);
	cr_assert(strncmp(err, "t.png: ", 7) == 0, "%s", err);
	cr_assert(png_load_mem(buf, n, "t.png", &back, err, sizeof err) == 0, "%s", err);
	image_free(&back);
	image_free(&im);
}

Test(png, huge_declared_size_does_not_allocate)
{
	/* A valid signature and IHDR declaring 60000 x 60000 RGBA, then nothing:
	 * refused by the size cap before any pixel buffer exists. */
	static const uint8_t ihdr[] = {
		0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a,
		0, 0, 0, 13, 'I', 'H', 'D', 'R', 0, 0, 0xea, 0x60, 0, 0, 0xea, 0x60,
		8, 6, 0, 0, 0, 0x00, 0x00, 0x00, 0x00};
	char err[256];
	image im;
	size_t old = png_max_bytes;
	png_max_bytes = 1 << 20;
	cr_assert(png_load_mem(ihdr, sizeof ihdr, "big.png", &im, err, sizeof err) == -1);
	png_max_bytes = old;
	cr_assert(strncmp(err, "big.png: ", 9) == 0, "%s", err);
}

/* A FIFO named as a frame is refused at once instead of blocking. */
Test(png, fifo_is_refused, .timeout = 10)
{
	char dir[] = "/tmp/test_png_XXXXXX", path[64], err[256];
	image im;
	cr_assert(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/000001.png", dir);
	cr_assert_eq(mkfifo(path, 0600), 0);
	cr_assert_eq(png_load(path, &im, err, sizeof err), -1);
	cr_assert(strstr(err, "not a regular file"), "%s", err);
	unlink(path);
	rmdir(dir);
}

/* A folder without frame files lists none. */
Test(frames, empty_folder)
{
	char dir[] = "/tmp/test_png_XXXXXX", err[256];
	frame_list fl;
	cr_assert(mkdtemp(dir));
	cr_assert_eq(frame_list_dir(dir, &fl, err, sizeof err), 0, "%s", err);
	cr_assert_eq(fl.n, 0);
	frame_list_free(&fl);
	rmdir(dir);
}
