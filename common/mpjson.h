/* mpjson.h: any MessagePack object as one line of JSON, for inspection.
 *
 * Maps become objects (non-string keys are written as strings), arrays
 * arrays, nil null, NaN and infinities null. Binary values are summarised
 * unless full is set: under the key "patch" as {"bytes":N,"min","max",
 * "mean"} of the uint8 values; under "z" or "data" (float32 little-endian,
 * as streams and model files store them) as {"f32":N,"min","max","mean"};
 * anything else as {"bytes":N,"hex":first 16 bytes}. With full set, a
 * binary value is written as an array of its numbers (float32 under "z" and
 * "data", bytes otherwise). Extension types become {"ext":T,"bytes":N}. */
#ifndef USC_MPJSON_H
#define USC_MPJSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Writes the complete object p[0..len) and a newline. If nfields > 0 and
 * the object is a map, only those keys are written, in the order given. */
void mp_json_line(FILE *out, const uint8_t *p, size_t len, char *const *fields, int nfields, int full);

/* Whether a complete map object has the string key key. */
int mp_map_has_key(const uint8_t *p, size_t len, const char *key);

#endif
