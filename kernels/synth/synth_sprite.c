#include "synth/synth_sprite.h"

#include <math.h>
#include <string.h>

void sprite_template(int shape, uint8_t *t)
{
	const int n = SPRITE_SIDE, c = 10;   /* centre (n-1)/2; radius n/2 = 10.5 */
	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++) {
			int di = i - c, dj = j - c, on;
			switch (shape) {
			case 0:   /* circle: di^2 + dj^2 <= 10.5^2 = 110.25 */
				on = di * di + dj * dj <= 110;
				break;
			case 1:   /* rectangle: the whole square */
				on = 1;
				break;
			case 2:   /* triangle, apex up: (21-i)/(j+1) <= 2 left, (21-i)/(21-j) <= 2 right */
				on = j <= 9 ? n - i <= 2 * (j + 1) : n - i <= 2 * (n - j);
				break;
			default:  /* diamond: |di| + |dj| <= 10.5 */
				on = (di < 0 ? -di : di) + (dj < 0 ? -dj : dj) <= 10;
				break;
			}
			t[i * n + j] = on ? 255 : 0;
		}
}

void sprite_colour(int i, uint8_t rgb[3])
{
	int k = i + 1;
	rgb[0] = (uint8_t)(k / 4 * 255);
	rgb[1] = (uint8_t)(k % 4 / 2 * 255);
	rgb[2] = (uint8_t)(k % 2 * 255);
}

enum { COEF_BITS = 11, COEF_ONE = 1 << COEF_BITS, RMAX = 64 };

/* OpenCV's coefficient table: src coordinate (d+0.5)*scale-0.5 in float,
 * floor, fraction, weights cvRound((1-f)*2048) and cvRound(f*2048). */
static void coefs(int dsize, int ssize, int clamp, int *ofs, short *a)
{
	double scale = 1.0 / ((double)dsize / ssize);
	for (int d = 0; d < dsize; d++) {
		float f = (float)((d + 0.5) * scale - 0.5);
		int s = (int)floorf(f);
		f -= (float)s;
		/* Columns are clamped here, with the fraction dropped; rows keep
		 * their fraction and clamp only the row index (as OpenCV does). */
		if (clamp && s < 0)
			f = 0, s = 0;
		if (clamp && s >= ssize - 1)
			f = 0, s = ssize - 1;
		ofs[d] = s;
		a[2 * d] = (short)lrintf((1.f - f) * COEF_ONE);
		a[2 * d + 1] = (short)lrintf(f * COEF_ONE);
	}
}

static int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

static uint8_t sat_u8(int v) { return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v); }

static int16_t sat_s16(int v) { return (int16_t)(v < -32768 ? -32768 : v > 32767 ? 32767 : v); }

void resize_linear_u8(const uint8_t *src, int sh, int sw, uint8_t *dst, int dh, int dw)
{
	if (sh == dh && sw == dw) {
		memcpy(dst, src, (size_t)sh * sw);
		return;
	}
	int xofs[RMAX], yofs[RMAX];
	short alpha[2 * RMAX], beta[2 * RMAX];
	int rows[2][RMAX];
	coefs(dw, sw, 1, xofs, alpha);
	coefs(dh, sh, 0, yofs, beta);
	for (int dy = 0; dy < dh; dy++) {
		/* Horizontal pass on the two source rows: exact integers. */
		for (int k = 0; k < 2; k++) {
			const uint8_t *s = src + (size_t)clampi(yofs[dy] + k, 0, sh - 1) * sw;
			for (int dx = 0; dx < dw; dx++) {
				int sx = xofs[dx];
				rows[k][dx] = sx + 1 < sw ? s[sx] * alpha[2 * dx] + s[sx + 1] * alpha[2 * dx + 1]
							  : s[sx] * COEF_ONE;
			}
		}
		int b0 = beta[2 * dy], b1 = beta[2 * dy + 1];
		uint8_t *d = dst + (size_t)dy * dw;
		/* Vertical pass rounded as OpenCV's SIMD code does it (not as its
		 * scalar fallback, (S0*b0 + S1*b1 + 2^21) >> 22): 16-bit high
		 * products of (S >> 4) and the weight, summed, then (x + 2) >> 2.
		 * This matches OpenCV 4.6 bit for bit, every column. */
		for (int dx = 0; dx < dw; dx++) {
			int p0 = (sat_s16(rows[0][dx] >> 4) * b0) >> 16;
			int p1 = (sat_s16(rows[1][dx] >> 4) * b1) >> 16;
			d[dx] = sat_u8((sat_s16(p0 + p1) + 2) >> 2);
		}
	}
}
