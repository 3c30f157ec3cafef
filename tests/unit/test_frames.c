/* Folders of per-frame PNG files (frames.h). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frames.h"

static void touch(const char *dir, const char *name)
{
	char p[512];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	cr_assert_not_null(f);
	fclose(f);
}

Test(frames, every_name_the_listing_accepts_is_found_by_number)
{
	char dir[] = "/tmp/usc-frames-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	const char *names[] = {"000001.png", "0002.png", "0000003.png", "000000000004.png", "5.png"};
	for (size_t i = 0; i < 5; i++)
		touch(dir, names[i]);
	frame_list fl;
	char err[256], path[512];
	cr_assert_eq(frame_list_dir(dir, &fl, err, sizeof err), 0, "%s", err);
	cr_assert_eq(fl.n, 5);
	for (size_t i = 0; i < fl.n; i++) {
		cr_assert_eq(fl.frame[i], (int64_t)i + 1);
		cr_assert_eq(frame_png_path(dir, fl.frame[i], path, sizeof path), 0, "frame %zu", i + 1);
		cr_assert_str_eq(path, fl.path[i]);
	}
	cr_assert_eq(frame_png_path(dir, 6, path, sizeof path), -1);
	cr_assert(strstr(path, "/000006.png"), "a missing frame is named with 6 digits: %s", path);
	for (size_t i = 0; i < fl.n; i++)
		unlink(fl.path[i]);
	frame_list_free(&fl);
	rmdir(dir);
}
