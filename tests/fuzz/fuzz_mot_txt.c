/* libFuzzer: MOT box txt lines. Whatever parses must be finite and sane,
 * and must read back the same after mot_write_line. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mot_txt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char line[512], err[300], out[512];
	mot_box b, c;
	if (size >= sizeof line)
		return 0;
	memcpy(line, data, size);
	line[size] = 0;
	if (strchr(line, '\n'))
		return 0;
	if (mot_parse_line(line, &b, err, sizeof err) != 0)
		return 0;
	if (!isfinite(b.x) || !isfinite(b.y) || !isfinite(b.w) || !isfinite(b.h) || b.w < 0 || b.h < 0)
		abort();
	FILE *fp = fmemopen(out, sizeof out, "w");
	if (!fp)
		return 0;
	mot_write_line(fp, b.frame, b.id, b.x, b.y, b.w, b.h, b.conf, 0);
	fclose(fp);
	out[strcspn(out, "\n")] = 0;
	if (mot_parse_line(out, &c, err, sizeof err) != 0 || c.frame != b.frame || c.id != b.id
	    || c.x != b.x || c.y != b.y || c.w != b.w || c.h != b.h)
		abort();
	return 0;
}
