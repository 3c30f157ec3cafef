#include "seqname.h"
#include "err.h"

#include <stdio.h>
#include <string.h>

/* The name as it can be shown on a terminal: control bytes and quotes
 * escaped, cut after 60 bytes. */
static void quote(char *buf, size_t n, const char *s, size_t len)
{
	size_t k = 0, shown = len > 60 ? 60 : len;
	for (size_t i = 0; i < shown && k + 5 < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
			k += (size_t)snprintf(buf + k, n - k, "\\x%02x", c);
		else
			buf[k++] = (char)c;
	}
	if (shown < len && k + 4 < n)
		k += (size_t)snprintf(buf + k, n - k, "...");
	buf[k < n ? k : n - 1] = 0;
}

/* The first rule the name breaks, or NULL. */
static const char *broken_rule(const char *s, size_t len)
{
	if (len == 0)
		return "is empty";
	if (len > SEQNAME_MAX)
		return "is longer than 255 bytes";
	if (memchr(s, 0, len))
		return "holds a NUL byte";
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return "holds a control character";
	if (memchr(s, '/', len))
		return "holds '/'";
	if (s[0] == '-')
		return "starts with '-'";
	if (s[0] == '.')
		return "starts with '.'";
	for (size_t i = 0; i + 1 < len; i++)
		if (s[i] == '.' && s[i + 1] == '.')
			return "holds \"..\"";
	return NULL;
}

int seqname_check(const char *name, size_t len, char *err, size_t errn)
{
	const char *rule = broken_rule(name, len);
	if (!rule)
		return 0;
	char q[400];
	quote(q, sizeof q, name, len);
	return errf(err, errn, "sequence name \"%s\" %s (a sequence name becomes a file name)", q, rule);
}
