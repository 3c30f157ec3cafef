/* cgraph-build: adds the static cannot-link constraints to a det stream.
 * See cgraph-build(1). */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "track/cgraph.h"
#include "cli.h"
#include "err.h"
#include "outfile.h"
#include "progress.h"
#include "rle.h"
#include "stream.h"

static const char usage[] =
	"usage: cgraph-build [-q] [--alpha-t N] [--iou-thr X] [--metric M[,M...]] [--embed-thr X]\n"
	"                    [--ml-iou X]\n"
	"                    [-o FILE] [FILE]   (M: mask-iou, box-iou, embed)";

/* --metric: one criterion or several joined by commas (all must hold). */
static unsigned parse_metric(const char *arg)
{
	unsigned m = 0;
	const char *p = arg;
	while (1) {
		size_t n = strcspn(p, ",");
		if (n == 8 && !strncmp(p, "mask-iou", n)) m |= CG_MASK_IOU;
		else if (n == 7 && !strncmp(p, "box-iou", n)) m |= CG_BOX_IOU;
		else if (n == 5 && !strncmp(p, "embed", n)) m |= CG_EMBED;
		else die_usage("--metric: '%s' is not a comma list of mask-iou, box-iou and embed\n%s",
			       arg, usage);
		if (!p[n])
			return m;
		p += n + 1;
	}
}

int main(int argc, char **argv)
{
	err_init(argv[0]);
	cg_opts o;
	cg_opts_default(&o);
	const char *out = "-";
	int quiet = 0, metric_set = 0;
	static const struct option lo[] = {
		{"alpha-t", required_argument, 0, 'a'},
		{"iou-thr", required_argument, 0, 'i'},
		{"ml-iou", required_argument, 0, 'L'},
		{"embed-thr", required_argument, 0, 'e'},
		{"metric", required_argument, 0, 'm'},
		{"output", required_argument, 0, 'o'},
		{"quiet", no_argument, 0, 'q'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "o:qh", lo, NULL)) != -1) {
		switch (c) {
		case 'a': o.alpha_t = (int)cli_int("--alpha-t", optarg, 0, 1000000); break;
		case 'i': o.iou_thr = cli_num("--iou-thr", optarg, -1, 1); break;
		case 'L': o.ml_iou = cli_num("--ml-iou", optarg, 0.5, 1); break;
		case 'e':
			o.embed_thr = cli_num("--embed-thr", optarg, 0, 1e30);
			if (!metric_set)
				o.metric = CG_EMBED;
			break;
		case 'm':
			metric_set = 1;
			o.metric = parse_metric(optarg);
			break;
		case 'o': out = optarg; break;
		case 'q': quiet = 1; break;
		case 'h': puts(usage); return 0;
		default: die_usage("%s", usage);
		}
	}
	if (optind < argc - 1)
		die_usage("one input at most\n%s", usage);
	const char *in = optind < argc ? argv[optind] : "-";
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
