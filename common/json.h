/* json.h: a small strict JSON (RFC 8259) reader and the few writing
 * helpers the COCO output needs.
 *
 * The whole text is parsed into a tree. Strict means: no comments, no
 * trailing commas, no NaN or Infinity, no leading zeros, numbers that are
 * finite as doubles, strings of valid UTF-8 with paired surrogate escapes
 * and no raw control characters, no duplicate keys in an object, nothing
 * but white space after the value. A UTF-8 byte order mark is skipped.
 * Depth, input size and node count are bounded (json_limits), so a hostile
 * file fails with a message instead of exhausting the stack or memory.
 * Errors read "NAME: line L, column C (byte B): what". */
#ifndef USC_JSON_H
#define USC_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum { JSON_NULL, JSON_FALSE, JSON_TRUE, JSON_NUM, JSON_STR, JSON_ARR, JSON_OBJ };

typedef struct json {
	uint8_t type;
	uint32_t line;          /* 1-based line where the value starts */
	size_t off;             /* byte offset where it starts */
	size_t n;               /* JSON_STR: bytes; JSON_ARR, JSON_OBJ: elements */
	union {
		double num;
		char *str;      /* NUL-terminated UTF-8 (a \u0000 escape is refused) */
		struct json *v; /* elements of an array, values of an object */
	} u;
	char **key;             /* JSON_OBJ: the n keys, in file order */
} json;

typedef struct json_limits {
	size_t max_bytes;       /* input size */
	size_t max_nodes;       /* values in the whole tree */
	int max_depth;          /* nesting of arrays and objects */
} json_limits;

#define JSON_MAX_BYTES  ((size_t)1 << 30)
#define JSON_MAX_NODES  ((size_t)48 << 20)
#define JSON_MAX_DEPTH  64

/* Parses buf[0..len) into *out (lim NULL: the defaults above). Returns 0,
 * or -1 with a message in err and *out empty (JSON_NULL). */
int json_parse(const char *buf, size_t len, const char *name, const json_limits *lim, json *out,
	       char *err, size_t errn);
/* Reads and parses a whole file ("-" is stdin). */
int json_load(const char *path, const json_limits *lim, json *out, char *err, size_t errn);
void json_free(json *v);

/* The value of key in an object, or NULL (also when v is not an object). */
const json *json_get(const json *v, const char *key);
/* 0 and the value when v is a number with an exact integer value in
 * [lo, hi]; -1 otherwise. */
int json_int(const json *v, int64_t lo, int64_t hi, int64_t *out);
/* "null", "boolean", "number", "string", "array", "object". */
const char *json_type_name(const json *v);

/* Writes s as a JSON string, quoted and escaped (numbers: numfmt.h). */
int json_write_str(FILE *fp, const char *s);

#endif
