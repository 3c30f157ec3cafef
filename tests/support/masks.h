/* masks.h: test support, small masks built by hand. */
#ifndef USC_TEST_MASKS_H
#define USC_TEST_MASKS_H

/* The COCO string of the h x w mask with the pixels of rows y0..y1-1,
 * columns x0..x1-1 set (malloc'd). */
char *masks_rect(int h, int w, int x0, int y0, int x1, int y1);

#endif
