/* cgraph-build: adds the static cannot-link constraints to a det stream.
 * See cgraph-build(1). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "track/cgraph.h"
#include "err.h"
#include "opts.h"
#include "outfile.h"
#include "progress.h"
#include "rle.h"
#include "stream.h"

/* --metric: one criterion or several joined by commas (all must hold). */
static void parse_metric(const opts_opt *opt, const char *arg)
{
	unsigned m = 0;
	const char *p = arg;
	while (1) {
		size_t n = strcspn(p, ",");
		if (n == 8 && !strncmp(p, "mask-iou", n)) m |= CG_MASK_IOU;
		else if (n == 7 && !strncmp(p, "box-iou", n)) m |= CG_BOX_IOU;
		else if (n == 5 && !strncmp(p, "embed", n)) m |= CG_EMBED;
		else die_usage("--metric: '%s' is not a comma list of mask-iou, box-iou and embed",
			       arg);
		if (!p[n]) {
			*(unsigned *)opt->dst = m;
			return;
		}
		p += n + 1;
	}
}

int main(int argc, char **argv)
{
	err_init(argv[0]);
	cg_opts o;
	cg_opts_default(&o);
	const char *out = "-";
	int quiet = 0;
	opts_opt opt[] = {
		OPTS_INT("alpha-t", 0, "N", "temporal range in frames of the cannot-links (0: same frame only)",
			 &o.alpha_t, 0, 1000000),
		OPTS_NUM("iou-thr", 0, "X", "detections within alpha-t frames cannot link at IoU <= X",
			 &o.iou_thr, -1, 1),
		OPTS_CALL("metric", 0, "M[,M...]", "the temporal criterion: mask-iou, box-iou or embed; "
			  "several must all hold", parse_metric, &o.metric, .def = "mask-iou"),
		OPTS_NUM("embed-thr", 0, "X", "least latent distance that forbids a link (selects embed "
			 "unless --metric is given)", &o.embed_thr, 0, 1e30),
		OPTS_NUM("ml-iou", 0, "X", "must-link detections within alpha-t frames at mask IoU > X",
			 &o.ml_iou, 0.5, 1, .def = "none"),
		OPTS_STR("output", 'o', "FILE", "write the stream to FILE, atomically", &out,
			 .def = "standard output"),
		OPTS_FLAG("quiet", 'q', "no progress line", &quiet),
		OPTS_END,
	};
	opts_tool tool = {"cgraph-build", "Adds the static cannot-link constraints to a det stream.",
			  "[FILE]", opt};
	int first = opts_parse(&tool, argc, argv);
	if (opts_given(&tool, "embed-thr") && !opts_given(&tool, "metric"))
		o.metric = CG_EMBED;
	if (first < argc - 1)
		die_usage("one input at most");
	const char *in = first < argc ? argv[first] : "-";
	ms_reader *r = ms_reader_open(in);
	if (!r)
		die("%s: %s", in, strerror(errno));
	outfile *of = outfile_open(out);
	if (!of)
		die("%s: %s", out, strerror(errno));
	ms_writer *w = ms_writer_new(of->fp);
	cgraph *g = cg_new(&o);
	ms_header h;
	ms_det d;
	ms_header_init(&h);
	ms_det_init(&d);
	cg_keys keys = {0};
	char err[300];
	progress p;
	progress_start(&p, "records", 0, quiet);
	uint64_t done = 0;
	int rc;
	while ((rc = ms_read_header(r, &h)) == 1) {
		ms_header_set_tool(&h, argc, argv);
		if (ms_write_header(w, &h) != 0)
			die("%s: write failed", out);
		cg_reset(g);
		while ((rc = ms_read_det(r, &d)) == 1) {
			cg_node n = {.f = d.f, .k = d.k};
			rle_t m = {0};
			if (d.has & MS_RLE) {
				if (rle_from_string(&m, d.rle, (uint32_t)h.height, (uint32_t)h.width,
						    err, sizeof err) != 0)
					die("%s: record %llu: rle: %s", ms_reader_name(r),
					    (unsigned long long)ms_reader_record(r), err);
				n.rle = &m;
				n.bb = rle_bbox(&m);
			}
			if (d.has & MS_BOX) {
				memcpy(n.box, d.box, sizeof n.box);
			} else if (n.rle) {
				n.box[0] = (float)n.bb.x, n.box[1] = (float)n.bb.y;
				n.box[2] = (float)n.bb.w, n.box[3] = (float)n.bb.h;
			} else if (o.metric != CG_EMBED) {   /* an overlap needs a box */
				die("%s: record %llu: no box and no rle to compare", ms_reader_name(r),
				    (unsigned long long)ms_reader_record(r));
			}
			if (d.has & MS_Z)
				n.z = d.z, n.zdim = d.zdim;
			else if (o.metric & CG_EMBED)
				die("%s: record %llu: no z (run ae-embed first)", ms_reader_name(r),
				    (unsigned long long)ms_reader_record(r));
			if (cg_add(g, &n, &keys, err, sizeof err) != 0)
				die("%s: record %llu: %s", ms_reader_name(r),
				    (unsigned long long)ms_reader_record(r), err);
			d.ncl = 0;
			d.has |= MS_CL;
			for (size_t i = 0; i < keys.n; i++)
				ms_det_add_cl(&d, keys.k[i]);
			if (o.ml_iou < 1) {
				if (cg_must_links(g, &n, &keys, err, sizeof err) != 0)
					die("%s: record %llu: %s", ms_reader_name(r),
					    (unsigned long long)ms_reader_record(r), err);
				d.has |= MS_ML;
				for (size_t i = 0; i < keys.n; i++)
					ms_det_add_ml(&d, keys.k[i]);
			}
			rle_free(&m);

			if (ms_write_det(w, &d) != 0)
				die("%s: write failed", out);
			progress_update(&p, ++done, NULL);
		}
		if (rc < 0)
			break;
		if (ms_write_trailer(w) != 0)
			die("%s: write failed", out);
	}
	if (rc < 0)
		die("%s", ms_reader_error(r));
	progress_end(&p, done);
	if (ms_writer_free(w) != 0 || outfile_commit(of) != 0)
		die("%s: write failed", out);
	free(keys.k);
	cg_free(g);
	ms_det_free(&d);
	ms_header_free(&h);
	ms_reader_close(r);
	return 0;
}
