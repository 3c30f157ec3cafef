#include "mpjson.h"
#include "mpscan.h"
#include "numfmt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void json_str(FILE *o, const uint8_t *s, size_t n)
{
	putc('"', o);
	for (size_t i = 0; i < n; i++) {
		uint8_t c = s[i];
		if (c == '"' || c == '\\')
			putc('\\', o), putc(c, o);
		else if (c == '\n')
			fputs("\\n", o);
		else if (c == '\t')
			fputs("\\t", o);
		else if (c < 0x20 || c == 0x7f)
			fprintf(o, "\\u%04x", c);
		else
			putc(c, o);
	}
	putc('"', o);
}

/* null for what JSON cannot hold, else the shortest decimal that reads
 * back as the same float / double. */
static void json_num(FILE *o, double v, int single)
{
	char b[40];
	fputs(isfinite(v) ? numfmt_shortest(b, v, single) : "null", o);
}

static float f32le(const uint8_t *p)
{
	float f;
	memcpy(&f, p, 4);   /* unaligned, little-endian hosts */
	return f;
}

/* The comma before every item of a list but the first. */
static void sep(FILE *o, uint64_t i)
{
	if (i)
		putc(',', o);
}

static void json_bin(FILE *o, const uint8_t *b, uint64_t n, int as_f32, int patch, int full)
{
	as_f32 = as_f32 && n % 4 == 0;
	if (full) {
		putc('[', o);
		for (uint64_t i = 0; i < (as_f32 ? n / 4 : n); i++) {
			sep(o, i);
			if (as_f32)
				json_num(o, f32le(b + 4 * i), 1);
			else
				fprintf(o, "%u", b[i]);
		}
		putc(']', o);
	} else if (as_f32 || patch) {
		uint64_t m = as_f32 ? n / 4 : n;
		double lo = INFINITY, hi = -INFINITY, s = 0;
		for (uint64_t i = 0; i < m; i++) {
			double v = as_f32 ? f32le(b + 4 * i) : b[i];
			lo = v < lo ? v : lo, hi = v > hi ? v : hi, s += v;
		}
		fprintf(o, as_f32 ? "{\"f32\":%llu" : "{\"bytes\":%llu", (unsigned long long)m);
		if (m) {
			fputs(",\"min\":", o), json_num(o, lo, as_f32);
			fputs(",\"max\":", o), json_num(o, hi, as_f32);
			fputs(",\"mean\":", o), json_num(o, s / m, 0);
		}
		putc('}', o);
	} else {
		fprintf(o, "{\"bytes\":%llu,\"hex\":\"", (unsigned long long)n);
		for (uint64_t i = 0; i < n && i < 16; i++)
			fprintf(o, "%02x", b[i]);
		fputs(n > 16 ? "...\"}" : "\"}", o);
	}
}

static int key_eq(const uint8_t *k, uint64_t kn, const char *s)
{
	return kn == strlen(s) && memcmp(k, s, kn) == 0;
}

/* Writes the object at p; returns its size. key/kn: the map key it is the
 * value of (NULL if none), which decides how binaries are summarised. */
static size_t value(FILE *o, const uint8_t *p, size_t len, const uint8_t *key, uint64_t kn, int full)
{
	mp_item it;
	size_t h = mp_item_head(p, len, &it), off = h;
	switch (it.type) {
	case MP_NIL: fputs("null", o); break;
	case MP_BOOL: fputs(it.v.b ? "true" : "false", o); break;
	case MP_UINT: fprintf(o, "%llu", (unsigned long long)it.v.u); break;
	case MP_INT: fprintf(o, "%lld", (long long)it.v.i); break;
	case MP_FLOAT32: json_num(o, it.v.f, 1); break;
	case MP_FLOAT64: json_num(o, it.v.f, 0); break;
	case MP_STR: json_str(o, p + h, it.len); off += it.len; break;
	case MP_BIN: {
		int f32 = key && (key_eq(key, kn, "z") || key_eq(key, kn, "data"));
		int patch = key && key_eq(key, kn, "patch");
		json_bin(o, p + h, it.len, f32, patch, full);
		off += it.len;
		break;
	}
	case MP_EXT:
		fprintf(o, "{\"ext\":%d,\"bytes\":%llu}", it.ext_type, (unsigned long long)it.len);
		off += it.len;
		break;
	case MP_ARRAY:
		putc('[', o);
		for (uint64_t i = 0; i < it.len; i++) {
			sep(o, i);
			off += value(o, p + off, len - off, key, kn, full);
		}
		putc(']', o);
		break;
	case MP_MAP:
		putc('{', o);
		for (uint64_t i = 0; i < it.len; i++) {
			sep(o, i);
			mp_item k;
			size_t kh = mp_item_head(p + off, len - off, &k);
			const uint8_t *ks = NULL;
			uint64_t ksn = 0;
			if (k.type == MP_STR) {
				ks = p + off + kh, ksn = k.len;
				json_str(o, ks, ksn);
				off += kh + k.len;
			} else {
				/* A non-string key: its JSON text, quoted. */
				char *t = NULL;
				size_t tn = 0;
				FILE *m = open_memstream(&t, &tn);
				off += value(m, p + off, len - off, NULL, 0, full);
				fclose(m);
				json_str(o, (const uint8_t *)t, tn);
				free(t);
			}
			putc(':', o);
			off += value(o, p + off, len - off, ks, ksn, full);
		}
		putc('}', o);
		break;
	default:
		fputs("null", o);
	}
	return off;
}

/* Finds key in the map at p: the offset of its value, or 0. */
static size_t find_key(const uint8_t *p, size_t len, const char *key)
{
	mp_item it;
	size_t off = mp_item_head(p, len, &it);
	if (it.type != MP_MAP)
		return 0;
	for (uint64_t i = 0; i < it.len; i++) {
		mp_item k;
		size_t kh = mp_item_head(p + off, len - off, &k);
		size_t kn = mp_skip(p + off, len - off);
		if (!kn)
			return 0;
		if (k.type == MP_STR && key_eq(p + off + kh, k.len, key))
			return off + kn;
		off += kn;
		size_t vn = mp_skip(p + off, len - off);
		if (!vn)
			return 0;
		off += vn;
	}
	return 0;
}

int mp_map_has_key(const uint8_t *p, size_t len, const char *key)
{
	return find_key(p, len, key) != 0;
}

void mp_json_line(FILE *out, const uint8_t *p, size_t len, char *const *fields, int nfields, int full)
{
	mp_item it;
	mp_item_head(p, len, &it);
	if (nfields > 0 && it.type == MP_MAP) {
		int first = 1;
		putc('{', out);
		for (int i = 0; i < nfields; i++) {
			size_t at = find_key(p, len, fields[i]);
			if (!at)
				continue;
			if (!first)
				putc(',', out);
			first = 0;
			json_str(out, (const uint8_t *)fields[i], strlen(fields[i]));
			putc(':', out);
			value(out, p + at, len - at, (const uint8_t *)fields[i], strlen(fields[i]), full);
		}
		putc('}', out);
	} else {
		value(out, p, len, NULL, 0, full);
	}
	putc('\n', out);
}
