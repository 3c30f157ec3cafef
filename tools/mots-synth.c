/* mots-synth: MNIST-MOT and Sprites-MOT sequences (usc-mots-method(7),
 * SYNTHETIC DATA), as a MOTChallenge-style folder: img1/ frames, gt/gt.txt
 * (the original's box ground truth), gt/gt_tight.txt, gt/gt_mots.txt,
 * seqinfo.ini. */
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "mots_txt.h"
#include "opts.h"
#include "outfile.h"
#include "pngio.h"
#include "progress.h"
#include "rle.h"
#include "synth/synth.h"
#include "synth/synth_stats.h"

#define DIGITS_FILE "mnist-digits.idx3-ubyte"
#define MOTS_CLASS 2   /* pedestrian: the class MOTSChallenge evaluates */

/* --seed: any unsigned 64-bit number, in any base strtoull reads. */
static void parse_seed(const opts_opt *opt, const char *arg)
{
	char *end;
	errno = 0;
	*(unsigned long long *)opt->dst = strtoull(arg, &end, 0);
	if (errno || end == arg || *end || *arg == '-')
		die_usage("--seed: '%s' is not a non-negative integer", arg);
}

static int readable(const char *p) { return access(p, R_OK) == 0; }

/* --digits, $USC_MOTS_DATA, ./data, then beside the executable:
 * ../data (a build tree) and ../share/usc-mots (an installation). */
static char *find_digits(const char *given)
{
	static char buf[PATH_MAX + 64];
	if (given)
		return (char *)given;
	const char *env = getenv("USC_MOTS_DATA");
	if (env && *env) {
		snprintf(buf, sizeof buf, "%s/%s", env, DIGITS_FILE);
		if (readable(buf))
			return buf;
	}
	snprintf(buf, sizeof buf, "data/%s", DIGITS_FILE);
	if (readable(buf))
		return buf;
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = 0;
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = 0;
			static const char *rel[] = { "../data", "../share/usc-mots" };
			for (int i = 0; i < 2; i++) {
				snprintf(buf, sizeof buf, "%s/%s/%s", exe, rel[i], DIGITS_FILE);
				if (readable(buf))
					return buf;
			}
		}
	}
	die("no MNIST digits (%s): run 'make data' in the usc-mots tree, or give "
	    "--digits FILE or USC_MOTS_DATA=DIR", DIGITS_FILE);
}

static char *join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *p = xmalloc(n);
	snprintf(p, n, "%s/%s", a, b);
	return p;
}

/* Files of the folder being built; messages name them under the folder the
 * user asked for (od->path), not the temporary one. */
static FILE *open_in(const outfile *od, const char *name)
{
	char *p = join(od->tmp, name);
	FILE *fp = fopen(p, "w");
	if (!fp)
		die("%s/%s: %s", od->path, name, strerror(errno));
	free(p);
	return fp;
}

static void close_checked(FILE *fp, const outfile *od, const char *name)
{
	if (ferror(fp) | fclose(fp))
		die("%s/%s: write failed: %s", od->path, name, strerror(errno));
}

/* The sequence name: the last component of DIR. */
static char *seq_name(const char *dir)
{
	char *d = xstrdup(dir);
	size_t n = strlen(d);
	while (n > 1 && d[n - 1] == '/')
		d[--n] = 0;
	char *s = strrchr(d, '/');
	char *name = xstrdup(s && s[1] ? s + 1 : d);
	free(d);
	return name;
}

int main(int argc, char **argv)
{
	err_init(argv[0]);
	/* Keep freed heap: zlib allocates and frees its state once per frame,
	 * and giving it back to the kernel each time doubled the run time. */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	const char *dataset = NULL, *out = NULL, *digits_path = NULL;
	long frames = 10000, size = -1, objects = -1;
	unsigned long long seed = 1;
	int train = 0, quiet = 0, stats = 0, force = 0;
	opts_opt opt[] = {
		OPTS_STR("dataset", 0, "mnist|sprites", "which generator", &dataset, .required = 1),
		OPTS_STR("output", 'o', "DIR", "the sequence folder to write", &out, .required = 1),
		OPTS_INT("frames", 0, "N", "frames to make", &frames, 1, 100000000),
		OPTS_CALL("seed", 0, "S", "seed of every random choice", parse_seed, &seed, .def = "1"),
		OPTS_INT("size", 0, "N", "frame side in pixels", &size, 32, 4096,
			 .def = "128; 256 with --train"),
		OPTS_INT("objects", 0, "N", "slots, the most objects in a frame", &objects, 1,
			 SYNTH_OBJECTS_MAX, .def = "3; 5 with --train"),
		OPTS_FLAG("train", 0, "the autoencoder's training setting: 256x256, 5 slots", &train),
		OPTS_STR("digits", 0, "FILE", "the MNIST digit pool (IDX3 ubyte)", &digits_path,
			 .def = "data/" DIGITS_FILE " or $USC_MOTS_DATA"),
		OPTS_FLAG("stats", 0, "print the video's statistics on stdout after writing", &stats),
		OPTS_FLAG("force", 0, "replace an existing output folder that mots-synth did not make",
			  &force),
		OPTS_FLAG("quiet", 'q', "no progress line", &quiet),
		OPTS_END,
	};
	opts_tool tool = {"mots-synth", "Makes an MNIST-MOT or Sprites-MOT sequence folder.", "", opt};
	int first = opts_parse(&tool, argc, argv);
	if (first < argc)
		die_usage("unexpected argument '%s'", argv[first]);
	synth_kind kind;
	if (!strcmp(dataset, "mnist"))
		kind = SYNTH_MNIST;
	else if (!strcmp(dataset, "sprites") || !strcmp(dataset, "sprite"))
		kind = SYNTH_SPRITES;
	else
		die_usage("--dataset: '%s' is neither mnist nor sprites", dataset);
	/* The autoencoder's training setting (usc-mots-method(7), SYNTHETIC DATA): 256x256, 5 slots. */
	if (size < 0)
		size = train ? 256 : 128;
	if (objects < 0)
		objects = train ? 5 : 3;

	char err[512];
	synth_digits digits = { NULL, 0 };
	if (kind == SYNTH_MNIST && synth_digits_load(find_digits(digits_path), &digits, err, sizeof err))
		die("%s", err);
	synth_config cfg;
	synth_config_default(&cfg, kind, (int)size, (int)objects);
	synth s;
	if (synth_init(&s, &cfg, &digits, seed, err, sizeof err))
		die("%s", err);

	outfile *od = outdir_open(out, force, err, sizeof err);
	if (!od)
		die("%s", err);
	const char *dir = od->tmp;
	char *img_dir = join(dir, "img1"), *gt_dir = join(dir, "gt");
	if (mkdir(img_dir, 0777) || mkdir(gt_dir, 0777))
		die("%s: %s", od->path, strerror(errno));
	FILE *gt = open_in(od, "gt/gt.txt"), *tight = open_in(od, "gt/gt_tight.txt"),
	     *mots = open_in(od, "gt/gt_mots.txt");

	uint32_t H = (uint32_t)cfg.height, W = (uint32_t)cfg.width;
	uint32_t *cnts = xmalloc(((size_t)2 * H * W + 2) * sizeof *cnts);
	image im = { W, H, cfg.channels, 8, s.img };
	size_t plen = strlen(img_dir) + 32;
	char *png = xmalloc(plen);
	synth_stats st;
	synth_stats_init(&st);
	progress pr;
	progress_start(&pr, "frames", (uint64_t)frames, quiet);
	for (long f = 1; f <= frames; f++) {
		int n = synth_next(&s);
		snprintf(png, plen, "%s/%06ld.png", img_dir, f);
		char shown[sizeof err + 4096];
		if (png_save(png, &im, err, sizeof err))
			die("%s", outdir_shown(od, err, shown, sizeof shown));
		for (int k = 0; k < n; k++) {
			const synth_vis *v = &s.vis[k];
			/* The original's box (1-based full patch, unclipped) in the
			 * MOT17 ground-truth layout, so MOTChallenge loaders read it:
			 * considered 1, class 1 (pedestrian), the visible fraction. */
			double vis = v->visible < 0 ? 0 : v->visible > 1 ? 1 : v->visible;
			fprintf(gt, "%ld,%lld,%.3f,%.3f,%.3f,%.3f,1,1,%.3f\n", f, (long long)v->id,
				(double)v->left + 1, (double)v->top + 1, (double)v->w, (double)v->h, vis);
			if (!v->area)
				continue;   /* hidden behind the objects in front */
			fprintf(tight, "%ld,%lld,%.3f,%.3f,%.3f,%.3f,1,-1,-1,-1\n", f, (long long)v->id,
				(double)v->tx + 1, (double)v->ty + 1, (double)v->tw, (double)v->th);
			rle_t r = { H, W, synth_mask_counts(&s, k, cnts), cnts };
			char *str = rle_to_string(&r);
			if (mots_write_line(mots, f, v->id, MOTS_CLASS, H, W, str))
				die("%s/gt/gt_mots.txt: write failed: %s", od->path, strerror(errno));
			free(str);
		}
		if (stats)
			synth_stats_add(&st, &s);
		progress_update(&pr, (uint64_t)f, NULL);
	}
	progress_end(&pr, (uint64_t)frames);
	close_checked(gt, od, "gt/gt.txt");
	close_checked(tight, od, "gt/gt_tight.txt");
	close_checked(mots, od, "gt/gt_mots.txt");

	char *name = seq_name(out);
	FILE *ini = open_in(od, "seqinfo.ini");
	fprintf(ini, "[Sequence]\nname=%s\nimDir=img1\nframeRate=30\nseqLength=%ld\n"
		"imWidth=%u\nimHeight=%u\nimExt=.png\n", name, frames, W, H);
	close_checked(ini, od, "seqinfo.ini");
	if (outfile_commit(od))
		die("%s: %s", out, strerror(errno));
	if (stats)
		synth_stats_print(&st, &s, stdout);
	if (fflush(stdout) || ferror(stdout))
		die("stdout: write failed");
	synth_stats_free(&st);
	free(name), free(png), free(cnts), free(img_dir), free(gt_dir);
	synth_free(&s);
	synth_digits_free(&digits);
	return 0;
}
