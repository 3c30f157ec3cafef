/* mpscan.h: finding where one MessagePack object ends, without trusting it.
 *
 * The scanner walks item headers only (it never allocates) and checks every
 * declared length before it is believed: a container may hold at most
 * max_items elements, the whole object at most max_bytes bytes and
 * MP_MAX_DEPTH levels of nesting. It is resumable: when the bytes run out
 * it stops at an item boundary and continues once more bytes are there, so
 * a reader can pull input in chunks without rescanning. */
#ifndef USC_MPSCAN_H
#define USC_MPSCAN_H

#include <stddef.h>
#include <stdint.h>

#define MP_MAX_DEPTH 24   /* msgpack-c's unpacker stack holds 32 */

typedef struct mp_scan {
	size_t off;                      /* bytes of the object accepted so far */
	int depth;                       /* open containers */
	uint64_t left[MP_MAX_DEPTH];     /* items still due in each */
	uint64_t items;                  /* elements seen in the whole object */
	int started;
} mp_scan;

void mp_scan_init(mp_scan *s);
/* Advances over buf[0..len) (the object starts at buf[0]). Returns 1 when
 * the object is complete (its size is s->off), 0 when more bytes are
 * needed, -1 with a message in err when a declared length breaks a cap or
 * a byte is not MessagePack. total_items caps the elements of the whole
 * object (0: no cap beyond max_bytes). */
int mp_scan_step(mp_scan *s, const uint8_t *buf, size_t len, size_t max_bytes,
		 uint64_t max_items, uint64_t total_items, char *err, size_t errn);

/* Size of the complete object at buf[0..len), or 0 if it is not one. */
size_t mp_skip(const uint8_t *buf, size_t len);

/* Decodes the header of the item at p (which must be complete): its
 * MessagePack type family, its length (string/bin/ext bytes, array items,
 * map pairs) and where its payload starts. */
enum { MP_NIL, MP_BOOL, MP_UINT, MP_INT, MP_FLOAT32, MP_FLOAT64, MP_STR, MP_BIN,
       MP_ARRAY, MP_MAP, MP_EXT, MP_BAD };
typedef struct mp_item {
	int type;
	uint64_t len;        /* bytes (str, bin, ext) or elements (array, map pairs) */
	size_t hdr;          /* bytes before the payload */
	int8_t ext_type;
	union { uint64_t u; int64_t i; double f; int b; } v;
} mp_item;
/* Returns the header size, or 0 if fewer than the needed bytes are there. */
size_t mp_item_head(const uint8_t *p, size_t len, mp_item *it);

#endif
