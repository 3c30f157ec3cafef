#include "json.h"
#include "err.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_NUMBER 4096   /* characters in one number literal */

typedef struct jp {
	const char *s;
	size_t len, pos, nodes;
	uint32_t line;
	const json_limits *lim;
	const char *name;
	char *err;
	size_t errn;
} jp;

/* Records the first error with its place; the caller unwinds. */
static int json_fail(jp *p, size_t at, const char *what)
{
	uint32_t line = 1;
	size_t col = 1;
	for (size_t i = 0; i < at && i < p->len; i++) {
		if (p->s[i] == '\n')
			line++, col = 1;
		else
			col++;
	}
	return errf(p->err, p->errn, "%s: line %u, column %zu (byte %zu): %s", p->name, line, col, at,
		    what);
}

static void json_skip_ws(jp *p)
{
	while (p->pos < p->len) {
		char c = p->s[p->pos];
		if (c == '\n')
			p->line++;
		else if (c != ' ' && c != '\t' && c != '\r')
			return;
		p->pos++;
	}
}

static int json_hex4(const char *s, uint32_t *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		*v = *v << 4 | (uint32_t)d;
	}
	return 0;
}

static size_t json_put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6), o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12), o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18), o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f)), o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid:
 * no overlong forms, no surrogates, nothing above U+10FFFF. */
static size_t json_utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t k;
	uint32_t cp, min;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		k = 2, cp = c & 0x1f, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		k = 3, cp = c & 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		k = 4, cp = c & 0x07, min = 0x10000;
	else
		return 0;
	if (n < k)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return k;
}

/* A string literal at p->pos (the opening quote): decoded into a malloc'd
 * NUL-terminated buffer (never longer than the literal). */
static int json_string(jp *p, char **out, size_t *outn)
{
	size_t start = p->pos++, n = 0;
	/* find the end first, so the buffer is sized once */
	size_t e = p->pos;
	while (e < p->len && p->s[e] != '"')
		e += p->s[e] == '\\' ? 2 : 1;
	if (e >= p->len)
		return json_fail(p, start, "unterminated string");
	char *o = xmalloc(e - p->pos + 1);
	while (p->s[p->pos] != '"') {
		unsigned char c = (unsigned char)p->s[p->pos];
		if (c < 0x20) {
			free(o);
			return json_fail(p, p->pos, "control character in a string (escape it)");
		}
		if (c != '\\') {
			size_t k = json_utf8_len((const unsigned char *)p->s + p->pos, e - p->pos);
			if (!k) {
				free(o);
				return json_fail(p, p->pos, "invalid UTF-8 in a string");
			}
			memcpy(o + n, p->s + p->pos, k);
			n += k, p->pos += k;
			continue;
		}
		size_t at = p->pos;
		char x = p->s[p->pos + 1];
		const char *map = strchr("\"\"\\\\//b\bf\fn\nr\rt\t", x);
		if (x && map && (map - "\"\"\\\\//b\bf\fn\nr\rt\t") % 2 == 0) {
			o[n++] = map[1];
			p->pos += 2;
			continue;
		}
		if (x != 'u') {
			free(o);
			return json_fail(p, at, "invalid escape in a string");
		}
		uint32_t cp, lo;
		if (at + 6 > e || json_hex4(p->s + at + 2, &cp) != 0) {
			free(o);
			return json_fail(p, at, "\\u escape needs four hex digits");
		}
		p->pos += 6;
		if (cp >= 0xdc00 && cp <= 0xdfff) {
			free(o);
			return json_fail(p, at, "\\u escape: low surrogate without a high surrogate");
		}
		if (cp >= 0xd800 && cp <= 0xdbff) {
			if (p->pos + 6 > e || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u' ||
			    json_hex4(p->s + p->pos + 2, &lo) != 0 || lo < 0xdc00 || lo > 0xdfff) {
				free(o);
				return json_fail(p, at, "\\u escape: high surrogate without a low surrogate");
			}
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			p->pos += 6;
		}
		if (cp == 0) {
			free(o);
			return json_fail(p, at, "\\u0000 in a string is not supported");
		}
		n += json_put_utf8(o + n, cp);
	}
	p->pos++;
	o[n] = 0;
	*out = o, *outn = n;
	return 0;
}

static int json_number(jp *p, double *v)
{
	size_t a = p->pos, i = a;
	const char *s = p->s;
#define D(i) ((i) < p->len && s[i] >= '0' && s[i] <= '9')
	if (i < p->len && s[i] == '-')
		i++;
	if (!D(i))
		return json_fail(p, a, "invalid number");
	if (s[i] == '0') {
		i++;
		if (D(i))
			return json_fail(p, a, "number with a leading zero");
	} else {
		while (D(i))
			i++;
	}
	if (i < p->len && s[i] == '.') {
		if (!D(i + 1))
			return json_fail(p, a, "invalid number (no digit after the point)");
		for (i++; D(i); i++)
			;
	}
	if (i < p->len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < p->len && (s[i] == '+' || s[i] == '-'))
			i++;
		if (!D(i))
			return json_fail(p, a, "invalid number (no digit in the exponent)");
		while (D(i))
			i++;
	}
#undef D
	if (i - a > JSON_MAX_NUMBER)
		return json_fail(p, a, "number literal too long");
	char buf[JSON_MAX_NUMBER + 1];
	memcpy(buf, s + a, i - a);
	buf[i - a] = 0;
	*v = strtod(buf, NULL);
	if (!isfinite(*v))
		return json_fail(p, a, "number out of range (not finite as a double)");
	p->pos = i;
	return 0;
}

static int json_key_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int json_value(jp *p, json *v, int depth);

/* Elements of an array or members of an object, after the opening bracket. */
static int json_container(jp *p, json *v, int depth)
{
	int obj = v->type == JSON_OBJ;
	size_t cap = 0;
	char close = obj ? '}' : ']';
	if (depth > p->lim->max_depth)
		return json_fail(p, v->off, "nesting too deep");
	p->pos++;
	json_skip_ws(p);
	if (p->pos < p->len && p->s[p->pos] == close) {
		p->pos++;
		return 0;
	}
	for (;;) {
		if (v->n == cap) {
			cap = cap ? 2 * cap : 4;
			v->u.v = xrealloc(v->u.v, cap * sizeof *v->u.v);
			if (obj)
				v->key = xrealloc(v->key, cap * sizeof *v->key);
		}
		json_skip_ws(p);
		if (obj) {
			size_t kn;
			if (p->pos >= p->len || p->s[p->pos] != '"')
				return json_fail(p, p->pos, p->pos < p->len && p->s[p->pos] == '}' ?
						 "trailing comma in an object" : "expected a string key");
			if (json_string(p, &v->key[v->n], &kn) != 0)
				return -1;
			json_skip_ws(p);
			if (p->pos >= p->len || p->s[p->pos] != ':') {
				free(v->key[v->n]);
				return json_fail(p, p->pos, "expected ':' after a key");
			}
			p->pos++;
		}
		json *e = &v->u.v[v->n];
		memset(e, 0, sizeof *e);
		v->n++;   /* counted now so that json_free releases a half-built element */
		if (json_value(p, e, depth + 1) != 0)
			return -1;
		json_skip_ws(p);
		if (p->pos >= p->len)
			return json_fail(p, p->pos, obj ? "unterminated object" : "unterminated array");
		char c = p->s[p->pos];
		if (c == close) {
			p->pos++;
			break;
		}
		if (c != ',')
			return json_fail(p, p->pos, obj ? "expected ',' or '}'" : "expected ',' or ']'");
		p->pos++;
		if (!obj) {
			json_skip_ws(p);
			if (p->pos < p->len && p->s[p->pos] == ']')
				return json_fail(p, p->pos, "trailing comma in an array");
		}
	}
	if (obj && v->n > 1) {
		/* duplicate keys make "the value of key" ambiguous: refused */
		char **k = xmalloc(v->n * sizeof *k);
		memcpy(k, v->key, v->n * sizeof *k);
		qsort(k, v->n, sizeof *k, json_key_cmp);
		for (size_t i = 1; i < v->n; i++)
			if (!strcmp(k[i], k[i - 1])) {
				char m[160];
				snprintf(m, sizeof m, "duplicate key \"%.100s\" in an object", k[i]);
				free(k);
				return json_fail(p, v->off, m);
			}
		free(k);
	}
	return 0;
}

static int json_value(jp *p, json *v, int depth)
{
	json_skip_ws(p);
	memset(v, 0, sizeof *v);
	v->off = p->pos, v->line = p->line;
	if (++p->nodes > p->lim->max_nodes)
		return json_fail(p, p->pos, "too many values");
	if (p->pos >= p->len)
		return json_fail(p, p->pos, "unexpected end of input");
	const char *s = p->s + p->pos;
	size_t left = p->len - p->pos;
	if (left >= 3 && (!memcmp(s, "NaN", 3) || !memcmp(s, "Inf", 3) || !memcmp(s, "-In", 3)))
		return json_fail(p, p->pos, "NaN and Infinity are not JSON numbers");
	switch (*s) {
	case '{': v->type = JSON_OBJ; return json_container(p, v, depth);
	case '[': v->type = JSON_ARR; return json_container(p, v, depth);
	case '"': v->type = JSON_STR; return json_string(p, &v->u.str, &v->n);
	case 't':
		if (left >= 4 && !memcmp(s, "true", 4)) {
			v->type = JSON_TRUE, p->pos += 4;
			return 0;
		}
		break;
	case 'f':
		if (left >= 5 && !memcmp(s, "false", 5)) {
			v->type = JSON_FALSE, p->pos += 5;
			return 0;
		}
		break;
	case 'n':
		if (left >= 4 && !memcmp(s, "null", 4)) {
			v->type = JSON_NULL, p->pos += 4;
			return 0;
		}
		break;
	default:
		if (*s == '-' || (*s >= '0' && *s <= '9')) {
			v->type = JSON_NUM;
			return json_number(p, &v->u.num);
		}
	}
	return json_fail(p, p->pos, "unexpected character (not a JSON value)");
}

int json_parse(const char *buf, size_t len, const char *name, const json_limits *lim, json *out,
	       char *err, size_t errn)
{
	static const json_limits def = { JSON_MAX_BYTES, JSON_MAX_NODES, JSON_MAX_DEPTH };
	jp p = { buf, len, 0, 0, 1, lim ? lim : &def, name, err, errn };
	memset(out, 0, sizeof *out);
	if (len > p.lim->max_bytes)
		return errf(err, errn, "%s: %zu bytes, more than the %zu a JSON input may have", name, len,
			    p.lim->max_bytes);
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		p.pos = 3;
	if (json_value(&p, out, 1) != 0) {
		json_free(out);
		return -1;
	}
	json_skip_ws(&p);
	if (p.pos < len) {
		json_free(out);
		return json_fail(&p, p.pos, "more after the JSON value");
	}
	return 0;
}

int json_load(const char *path, const json_limits *lim, json *out, char *err, size_t errn)
{
	size_t max = lim ? lim->max_bytes : JSON_MAX_BYTES, n = 0, cap = 1 << 16;
	FILE *fp = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	memset(out, 0, sizeof *out);
	if (!fp)
		return errf(err, errn, "%s: %s", path, strerror(errno));
	char *buf = xmalloc(cap);
	for (;;) {
		if (n == cap)
			buf = xrealloc(buf, cap *= 2);
		size_t got = fread(buf + n, 1, cap - n, fp);
		n += got;
		if (n > max)
			break;   /* json_parse says why */
		if (got == 0)
			break;
	}
	int bad = ferror(fp);
	if (fp != stdin)
		fclose(fp);
	if (bad) {
		free(buf);
		return errf(err, errn, "%s: read error", path);
	}
	int rc = json_parse(buf, n, path, lim, out, err, errn);
	free(buf);
	return rc;
}

void json_free(json *v)
{
	if (v->type == JSON_STR)
		free(v->u.str);
	if (v->type == JSON_ARR || v->type == JSON_OBJ) {
		for (size_t i = 0; i < v->n; i++) {
			json_free(&v->u.v[i]);
			if (v->type == JSON_OBJ)
				free(v->key[i]);
		}
		free(v->u.v);
		free(v->key);
	}
	memset(v, 0, sizeof *v);
}

const json *json_get(const json *v, const char *key)
{
	if (!v || v->type != JSON_OBJ)
		return NULL;
	for (size_t i = 0; i < v->n; i++)
		if (!strcmp(v->key[i], key))
			return &v->u.v[i];
	return NULL;
}

int json_int(const json *v, int64_t lo, int64_t hi, int64_t *out)
{
	if (!v || v->type != JSON_NUM)
		return -1;
	double d = v->u.num;
	/* beyond 2^53 a double no longer names one integer */
	if (d != floor(d) || fabs(d) > 9007199254740992.0 || d < (double)lo || d > (double)hi)
		return -1;
	*out = (int64_t)d;
	return 0;
}

const char *json_type_name(const json *v)
{
	static const char *n[] = { "null", "boolean", "boolean", "number", "string", "array", "object" };
	return v ? n[v->type] : "missing";
}

int json_write_str(FILE *fp, const char *s)
{
	if (putc('"', fp) == EOF)
		return -1;
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		int r;
		if (*c == '"' || *c == '\\')
			r = fprintf(fp, "\\%c", *c);
		else if (*c < 0x20)
			r = fprintf(fp, "\\u%04x", *c);
		else
			r = putc(*c, fp) == EOF ? -1 : 1;
		if (r < 0)
			return -1;
	}
	return putc('"', fp) == EOF ? -1 : 0;
}
