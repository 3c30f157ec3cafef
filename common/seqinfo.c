#include "seqinfo.h"
#include "err.h"
#include "lines.h"
#include "mots_txt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int seqinfo_load(const char *path, seqinfo *si, char *err, size_t errn)
{
	static const struct { const char *key; long long max; } keys[] = {
		{ "imWidth", MOTS_MAX_SIDE }, { "imHeight", MOTS_MAX_SIDE }, { "seqLength", 1LL << 40 } };
	memset(si, 0, sizeof *si);
	FILE *fp = fopen(path, "r");
	if (!fp)
		return errf(err, errn, "%s: %s", path, strerror(errno));
	lines L;
	char *line;
	int rc;
	lines_init(&L, fp, path);
	while ((rc = lines_next(&L, &line, err, errn)) > 0) {
		char *eq = strchr(line, '=');
		if (!eq)
			continue;   /* section headers, comments */
		*eq = 0;
		char *k = line, *v = eq + 1, *end;
		k += strspn(k, " \t");
		k[strcspn(k, " \t")] = 0;
		for (int i = 0; i < 3; i++) {
			if (strcmp(k, keys[i].key))
				continue;
			errno = 0;
			long long x = strtoll(v, &end, 10);
			end += strspn(end, " \t\r");
			if (errno || end == v || *end || x < 1 || x > keys[i].max) {
				rc = errf(err, errn, "%s:%u: %s is not an integer 1..%lld", path, L.no, k, keys[i].max);
				break;
			}
			(&si->width)[i] = x;
		}
		if (rc < 0)
			break;
	}
	lines_free(&L);
	fclose(fp);
	return rc < 0 ? -1 : 0;
}

char *seqinfo_path_for(const char *txt)
{
	size_t n = strlen(txt);
	char *p = xmalloc(n + 16);
	memcpy(p, txt, n + 1);
	for (int up = 0; up < 2; up++) {   /* drop the file name, then its folder */
		char *s = strrchr(p, '/');
		if (s)
			*s = 0;
		else
			strcpy(p, up ? ".." : ".");
	}
	strcat(p, "/seqinfo.ini");
	return p;
}
