#include "mpscan.h"
#include "err.h"

#include <string.h>

static uint64_t be(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* A str or bin header: the type byte, then an n-byte big-endian length. */
static size_t sized_head(const uint8_t *p, size_t len, int n, int type, mp_item *it)
{
	size_t need = 1 + (size_t)n;
	if (len < need)
		return 0;
	it->type = type, it->len = be(p + 1, n), it->hdr = need;
	return need;
}

size_t mp_item_head(const uint8_t *p, size_t len, mp_item *it)
{
	if (len < 1)
		return 0;
	uint8_t b = p[0];
	size_t need = 1;
	memset(it, 0, sizeof *it);
	if (b <= 0x7f) { it->type = MP_UINT; it->v.u = b; return 1; }
	if (b >= 0xe0) { it->type = MP_INT; it->v.i = (int8_t)b; return 1; }
	if (b <= 0x8f) { it->type = MP_MAP; it->len = b & 0xf; return 1; }
	if (b <= 0x9f) { it->type = MP_ARRAY; it->len = b & 0xf; return 1; }
	if (b <= 0xbf) { it->type = MP_STR; it->len = b & 0x1f; it->hdr = 1; return 1; }
	switch (b) {
	case 0xc0: it->type = MP_NIL; return 1;
	case 0xc2: case 0xc3: it->type = MP_BOOL; it->v.b = b == 0xc3; return 1;
	case 0xc4: case 0xc5: case 0xc6:
		return sized_head(p, len, 1 << (b - 0xc4), MP_BIN, it);
	case 0xc7: case 0xc8: case 0xc9: {
		int n = 1 << (b - 0xc7);
		need = 2 + n;
		if (len < need) return 0;
		it->type = MP_EXT, it->len = be(p + 1, n), it->ext_type = (int8_t)p[1 + n];
		it->hdr = need;
		return need;
	}
	case 0xca: case 0xcb: {
		need = b == 0xca ? 5 : 9;
		if (len < need) return 0;
		uint64_t v = be(p + 1, (int)need - 1);
		if (b == 0xca) {
			uint32_t u = (uint32_t)v;
			float f;
			memcpy(&f, &u, 4);
			it->type = MP_FLOAT32, it->v.f = f;
		} else {
			double d;
			memcpy(&d, &v, 8);
			it->type = MP_FLOAT64, it->v.f = d;
		}
		return need;
	}
	case 0xcc: case 0xcd: case 0xce: case 0xcf: {
		int n = 1 << (b - 0xcc);
		need = 1 + n;
		if (len < need) return 0;
		it->type = MP_UINT, it->v.u = be(p + 1, n);
		return need;
	}
	case 0xd0: case 0xd1: case 0xd2: case 0xd3: {
		int n = 1 << (b - 0xd0);
		need = 1 + n;
		if (len < need) return 0;
		uint64_t u = be(p + 1, n);
		if (n < 8 && (u >> (8 * n - 1)))
			u |= ~(uint64_t)0 << (8 * n);   /* sign-extend */
		it->type = MP_INT, it->v.i = (int64_t)u;
		return need;
	}
	case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8:
		if (len < 2) return 0;
		it->type = MP_EXT, it->len = 1u << (b - 0xd4), it->ext_type = (int8_t)p[1];
		it->hdr = 2;
		return 2;
	case 0xd9: case 0xda: case 0xdb:
		return sized_head(p, len, 1 << (b - 0xd9), MP_STR, it);
	case 0xdc: case 0xdd: case 0xde: case 0xdf: {
		int n = b <= 0xdd ? (b == 0xdc ? 2 : 4) : (b == 0xde ? 2 : 4);
		need = 1 + n;
		if (len < need) return 0;
		it->type = b <= 0xdd ? MP_ARRAY : MP_MAP, it->len = be(p + 1, n);
		return need;
	}
	default:   /* 0xc1 is never used */
		it->type = MP_BAD;
		return 1;
	}
}

void mp_scan_init(mp_scan *s)
{
	memset(s, 0, sizeof *s);
}

int mp_scan_step(mp_scan *s, const uint8_t *buf, size_t len, size_t max_bytes,
		 uint64_t max_items, uint64_t total_items, char *err, size_t errn)
{
	while (!s->started || s->depth > 0) {
		mp_item it;
		size_t h = mp_item_head(buf + s->off, len - s->off, &it);
		if (h == 0) {
			if (s->off >= max_bytes)
				return errf(err, errn, "object larger than the cap of %zu bytes", max_bytes);
			return 0;
		}
		if (it.type == MP_BAD)
			return errf(err, errn, "byte 0x%02x at offset %zu is not MessagePack",
				    buf[s->off], s->off);
		uint64_t payload = 0, children = 0;
		if (it.type == MP_STR || it.type == MP_BIN || it.type == MP_EXT) {
			payload = it.len;
			if (payload > max_bytes || s->off + h + payload > max_bytes)
				return errf(err, errn, "%s of %llu bytes exceeds the cap of %zu bytes per object",
					    it.type == MP_STR ? "string" : it.type == MP_BIN ? "binary" : "extension",
					    (unsigned long long)payload, max_bytes);
		} else if (it.type == MP_ARRAY || it.type == MP_MAP) {
			if (it.len > max_items)
				return errf(err, errn, "%s of %llu %s exceeds the cap of %llu",
					    it.type == MP_ARRAY ? "array" : "map", (unsigned long long)it.len,
					    it.type == MP_ARRAY ? "items" : "pairs", (unsigned long long)max_items);
			children = it.type == MP_MAP ? 2 * it.len : it.len;
			/* Every element takes at least one byte. */
			if (s->off + h + children > max_bytes)
				return errf(err, errn, "%s of %llu items cannot fit the cap of %zu bytes per object",
					    it.type == MP_ARRAY ? "array" : "map",
					    (unsigned long long)it.len, max_bytes);
			s->items += children;
			if (total_items && s->items > total_items)
				return errf(err, errn, "object holds more than %llu elements",
					    (unsigned long long)total_items);
		}
		if (s->off + h + payload > len)
			return 0;   /* wait for the payload; the header is read again */
		if (children && s->depth >= MP_MAX_DEPTH)
			return errf(err, errn, "nesting deeper than %d levels", MP_MAX_DEPTH);
		s->off += h + payload;
		if (s->started)
			s->left[s->depth - 1]--;
		s->started = 1;
		if (children)
			s->left[s->depth++] = children;
		while (s->depth > 0 && s->left[s->depth - 1] == 0)
			s->depth--;
	}
	return 1;
}

size_t mp_skip(const uint8_t *buf, size_t len)
{
	mp_scan s;
	char e[8];
	mp_scan_init(&s);
	return mp_scan_step(&s, buf, len, len, UINT64_MAX, 0, e, sizeof e) == 1 ? s.off : 0;
}
