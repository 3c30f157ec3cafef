#include "box.h"

#include <math.h>

box box_of(const float b[4])
{
	return (box){b[0], b[1], b[2], b[3]};
}

double box_iou(box a, box b)
{
	double ax1 = a.x + a.w, ay1 = a.y + a.h, bx1 = b.x + b.w, by1 = b.y + b.h;
	double ix = fmax(fmin(ax1, bx1) - fmax(a.x, b.x), 0);
	double iy = fmax(fmin(ay1, by1) - fmax(a.y, b.y), 0);
	double iv = ix * iy;
	if (iv == 0)
		return 0;
	double av = fmax(ax1 - a.x, 0) * fmax(ay1 - a.y, 0);
	double bv = fmax(bx1 - b.x, 0) * fmax(by1 - b.y, 0);
	return iv / (av + bv - iv);
}

double box_inter(box a, box b)
{
	double ix = fmax(fmin(a.x + a.w, b.x + b.w) - fmax(a.x, b.x), 0);
	double iy = fmax(fmin(a.y + a.h, b.y + b.h) - fmax(a.y, b.y), 0);
	return ix * iy;
}

double box_iomin(box a, box b)
{
	double m = fmin(fmax(a.w, 0) * fmax(a.h, 0), fmax(b.w, 0) * fmax(b.h, 0));
	return m > 0 ? box_inter(a, b) / m : 0;
}

int box_near(box a, box b, double m)
{
	return a.x - m < b.x + b.w && b.x - m < a.x + a.w &&
	       a.y - m < b.y + b.h && b.y - m < a.y + a.h;
}

void box_centre(box b, double c[2])
{
	c[0] = b.x + b.w / 2;
	c[1] = b.y + b.h / 2;
}

int box_centre_inside(box b, double width, double height, double inset)
{
	double c[2];
	box_centre(b, c);
	return c[0] >= inset && c[0] <= width - inset && c[1] >= inset && c[1] <= height - inset;
}

int box_exits(box from, box to, double width, double height, double inset)
{
	if (inset < 0 || width <= 0 || height <= 0)
		return 0;
	return box_centre_inside(from, width, height, inset) &&
	       !box_centre_inside(to, width, height, inset);
}

/* x moved the least into [lo, hi] (lo > hi: hi, the visible part wins) */
static double clampd(double x, double lo, double hi)
{
	return x > hi ? hi : x < lo ? lo : x;
}

box box_fit(box pred, box vis)
{
	double w = fmax(pred.w, vis.w), h = fmax(pred.h, vis.h);
	return (box){clampd(pred.x, vis.x + vis.w - w, vis.x), clampd(pred.y, vis.y + vis.h - h, vis.y), w, h};
}

void box_velocity(box now, int64_t fnow, box then, int64_t fthen, double v[2])
{
	double a[2], b[2], dt = (double)(fnow - fthen);
	box_centre(now, a);
	box_centre(then, b);
	v[0] = (a[0] - b[0]) / dt;
	v[1] = (a[1] - b[1]) / dt;
}

box box_predict(box b, const double v[2], double dt)
{
	float p[4] = {(float)(b.x + v[0] * dt), (float)(b.y + v[1] * dt), (float)b.w, (float)b.h};
	return box_of(p);
}
