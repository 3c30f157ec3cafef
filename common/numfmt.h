/* numfmt.h: numbers as people write them and programs read them back. */
#ifndef USC_NUMFMT_H
#define USC_NUMFMT_H

/* v in buf: an integer plainly ("10", never "1e+01" or "-0"), anything
 * else in the shortest "%g" form that reads back as the same double, or
 * with single set, as the same float (a float32 score prints "0.9", not
 * "0.89999997615814209"). v must be finite. Returns buf. */
const char *numfmt_shortest(char buf[40], double v, int single);

#endif
