/* ae-train: trains the deep heterogeneous autoencoder on det streams.
 * See ae-train(1). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dhae/dhae.h"
#include "dhae/dhae_calib.h"
#include "dhae/dhae_train.h"
#include "err.h"
#include "dhae/modelfile.h"
#include "nn/nn.h"
#include "progress.h"

static const char usage[] =
	"usage: ae-train -o MODEL [--arch synth|real] [--inputs both|box|mask] [--filters N,N,...] [--latent N]\n"
	"                [--weights uncertainty|fixed] [--optimizer adadelta|adam] [--lr X]\n"
	"                [--epochs N] [--batch N] [--val-split X] [--patience N] [--dropout X]\n"
	"                [--seed N] [--resume] [--log FILE] [--device auto|cpu|cuda] [--threads N]\n"
	"                [--calib-rule mnn99|crossing] [--no-calib] [--dist-hist FILE]\n"
	"                [-q] [-v] [FILE...]";

enum { O_ARCH = 256, O_FILTERS, O_LATENT, O_WEIGHTS, O_OPT, O_LR, O_EPOCHS, O_BATCH, O_VAL,
       O_PATIENCE, O_DROPOUT, O_SEED, O_RESUME, O_LOG, O_DEVICE, O_THREADS, O_INPUTS, O_CALIB_RULE,
       O_NO_CALIB, O_DIST_HIST };

static int parse_filters(const char *s, int *f)
{
	int n = 0;
	const char *p = s;
	while (*p) {
		char *end;
		long v = strtol(p, &end, 10);
		if (end == p || v < 1 || v > 4096 || n == DHAE_MAX_CONV)
			die_usage("--filters: '%s' is not a list of 1 to %d counts in 1..4096", s, DHAE_MAX_CONV);
		f[n++] = (int)v;
		p = end;
		if (*p == ',')
			p++;
		else if (*p)
			die_usage("--filters: '%s' is not a comma-separated list", s);
	}
	if (!n)
		die_usage("--filters: empty list");
	return n;
}

static char *join_args(int argc, char **argv)
{
	size_t len = 1;
	for (int i = 1; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *s = xmalloc(len), *p = s;
	*p = 0;
	for (int i = 1; i < argc; i++)
		p += sprintf(p, "%s%s", i > 1 ? " " : "", argv[i]);
	return s;
}

/* The latent-distance threshold of the best weights on the training
 * detections, written into the model (dhae_calib.h). */
static void calibrate(dhae *m, model *mf, const dhae_data *d, int rule, const char *hist,
		      const dhae_train_opts *o)
{
	char err[400];
	if (model_load(mf, m, 0, err, sizeof err) < 0)
		die("%s: %s", o->out, err);
	FILE *csv = NULL;
	if (hist && !(csv = fopen(hist, "w")))
		die("%s: %s", hist, strerror(errno));
	calib_fit_t fit;
	dhae_calib_run(m, mf, d, rule, csv, &fit);
	if (csv && fclose(csv) != 0)
		die("%s: write failed", hist);
	if (model_write(o->out, mf, err, sizeof err) < 0)
		die("%s", err);
	char why[600];
	calib_describe(&fit, why, sizeof why);
	if (mf->calib.embed_thr > 0) {
		if (o->verbose)
			fprintf(stderr, "%s: embed-thr %.4g (rule %s) on the training detections: %s\n", progname,
				mf->calib.embed_thr, mf->calib.rule, why);
	} else if (!o->quiet) {
		warnf("no embed-thr from the training detections (rule %s: %s; %s): cgraph-build will "
		      "measure it on the stream", mf->calib.rule, mf->calib.status, why);
	}
}

int main(int argc, char **argv)
{
	err_init(argv[0]);
	nn_cpu_tune(argc, argv);
	int arch = DHAE_SYNTH, latent = 0, nf = 0, filters[DHAE_MAX_CONV];
	int weights = DHAE_UNCERTAIN, optk = DHAE_ADADELTA, threads = 0;
	double lr = -1, dropout = -1;
	dhae_train_opts o = { .epochs = 0, .batch = 0, .val_split = 0.1, .seed = 1 };
	nn_device dev = NN_DEV_AUTO;
	int arch_set = 0, inputs = DHAE_BOTH, inputs_set = 0;
	int calib_rule = CALIB_MNN99, no_calib = 0;
	const char *dist_hist = NULL;
	static const struct option lo[] = {
		{ "arch", required_argument, 0, O_ARCH },
		{ "inputs", required_argument, 0, O_INPUTS },
		{ "filters", required_argument, 0, O_FILTERS },
		{ "latent", required_argument, 0, O_LATENT },
		{ "weights", required_argument, 0, O_WEIGHTS },
		{ "optimizer", required_argument, 0, O_OPT },
		{ "lr", required_argument, 0, O_LR },
		{ "epochs", required_argument, 0, O_EPOCHS },
		{ "batch", required_argument, 0, O_BATCH },
		{ "val-split", required_argument, 0, O_VAL },
		{ "patience", required_argument, 0, O_PATIENCE },
		{ "dropout", required_argument, 0, O_DROPOUT },
		{ "seed", required_argument, 0, O_SEED },
		{ "resume", no_argument, 0, O_RESUME },
		{ "log", required_argument, 0, O_LOG },
		{ "device", required_argument, 0, O_DEVICE },
		{ "threads", required_argument, 0, O_THREADS },
		{ "calib-rule", required_argument, 0, O_CALIB_RULE },
		{ "no-calib", no_argument, 0, O_NO_CALIB },
		{ "dist-hist", required_argument, 0, O_DIST_HIST },
		{ "output", required_argument, 0, 'o' },
		{ "quiet", no_argument, 0, 'q' },
		{ "verbose", no_argument, 0, 'v' },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	int c;
	while ((c = getopt_long(argc, argv, "o:qvh", lo, NULL)) != -1) {
		switch (c) {
		case O_ARCH:
			if (!strcmp(optarg, "synth")) arch = DHAE_SYNTH;
			else if (!strcmp(optarg, "real")) arch = DHAE_REAL;
			else die_usage("--arch: '%s' is not synth or real", optarg);
			arch_set = 1;
			break;
		case O_INPUTS:
			if (dhae_parse_inputs(optarg, &inputs) < 0)
				die_usage("--inputs: '%s' is not both, box or mask", optarg);
			inputs_set = 1;
			break;
		case O_FILTERS: nf = parse_filters(optarg, filters); break;
		case O_LATENT: latent = (int)cli_int("--latent", optarg, 1, 65536); break;
		case O_WEIGHTS:
			if (!strcmp(optarg, "uncertainty")) weights = DHAE_UNCERTAIN;
			else if (!strcmp(optarg, "fixed")) weights = DHAE_FIXED;
			else die_usage("--weights: '%s' is not uncertainty or fixed", optarg);
			break;
		case O_OPT:
			if (!strcmp(optarg, "adadelta")) optk = DHAE_ADADELTA;
			else if (!strcmp(optarg, "adam")) optk = DHAE_ADAM;
			else die_usage("--optimizer: '%s' is not adadelta or adam", optarg);
			break;
		case O_LR: lr = cli_num("--lr", optarg, 1e-12, 1e6); break;
		case O_EPOCHS: o.epochs = (int)cli_int("--epochs", optarg, 1, 1000000); break;
		case O_BATCH: o.batch = (int)cli_int("--batch", optarg, 1, 1 << 20); break;
		case O_VAL: o.val_split = cli_num("--val-split", optarg, 0, 0.9); break;
		case O_PATIENCE: o.patience = (int)cli_int("--patience", optarg, 0, 1000000); break;
		case O_DROPOUT: dropout = cli_num("--dropout", optarg, 0, 0.95); break;
		case O_SEED: o.seed = (uint64_t)cli_int("--seed", optarg, 0, INT64_MAX); break;
		case O_RESUME: o.resume = 1; break;
		case O_LOG: o.log = optarg; break;
		case O_DEVICE:
			if (nn_parse_device(optarg, &dev) < 0)
				die_usage("--device: '%s' is not auto, cpu or cuda", optarg);
			break;
		case O_THREADS: threads = (int)cli_int("--threads", optarg, 1, 64); break;
		case O_CALIB_RULE:
			if ((calib_rule = calib_parse_rule(optarg)) < 0)
				die_usage("--calib-rule: '%s' is not mnn99 or crossing", optarg);
			break;
		case O_NO_CALIB: no_calib = 1; break;
		case O_DIST_HIST: dist_hist = optarg; break;
		case 'o': o.out = optarg; break;
		case 'q': o.quiet = 1; break;
		case 'v': o.verbose = 1; break;
		case 'h': puts(usage); return 0;
		default: die_usage("%s", usage);
		}
	}
	if (!o.out)
		die_usage("-o MODEL is required\n%s", usage);
	if (!strcmp(o.out, "-"))
		die_usage("-o: the model is rewritten after every epoch; give a file name");

	/* with --resume, the inputs (what to read of the data) come from the model */
	model mf;
	model_init(&mf);
	char err[400];
	if (o.resume) {
		if (model_read(o.out, &mf, err, sizeof err) < 0)
			die("--resume: %s", err);
		if (!mf.has_resume)
			die("--resume: %s holds no training state", o.out);
		if (arch_set || inputs_set || nf || latent || dropout >= 0)
			warnf("--resume: the architecture comes from %s; options ignored", o.out);
		inputs = mf.cfg.inputs;
	} else if (inputs == DHAE_BOX && (nf || dropout >= 0)) {
		warnf("--inputs box: no convolutions; --filters and --dropout ignored");
	}
	int hm = inputs != DHAE_BOX, hb = inputs != DHAE_MASK;

	/* the data: every record of every input, in order */
	dhae_data d = { .inputs = inputs };
	const char *stdin_only[] = { "-" };
	const char **inputs_v = optind < argc ? (const char **)argv + optind : stdin_only;
	int ninputs = optind < argc ? argc - optind : 1;
	const char *needs = hm && hb ? "a patch and a box" : hm ? "a patch" : "a box";
	for (int i = 0; i < ninputs; i++)
		if (dhae_data_read(&d, inputs_v[i], err, sizeof err) < 0)
			die("%s", err);
	if (d.n == 0)
		die("%s: no detections with %s", ninputs == 1 ? inputs_v[0] : "input", needs);
	if (d.skipped && !o.quiet)
		warnf("%zu records without %s ignored", d.skipped, needs);
	if (hm && d.ph != d.pw)
		die("patches of %dx%d: the network wants square patches", d.ph, d.pw);

	if (o.resume) {
		if (hm && (mf.cfg.size != d.ph || mf.cfg.chans != d.pc))
			die("--resume: %s was trained on %dx%dx%d patches, the input has %dx%dx%d", o.out,
			    mf.cfg.size, mf.cfg.size, mf.cfg.chans, d.ph, d.pw, d.pc);
		o.seed = mf.seed;
		if (!o.batch)
			o.batch = mf.batch;
		o.val_split = mf.val_split;
		optk = mf.opt.kind;
	} else {
		dhae_cfg_default(&mf.cfg, arch, d.pc);
		if (hm) {
			mf.cfg.size = d.ph;
			mf.cfg.chans = d.pc;
			mf.cfg.logvar0[1] = (float)log(1.0 / ((double)d.ph * d.ph));
		}   /* box only: s_b starts from the architecture's patch side */
		if (nf) {
			mf.cfg.nf = nf;
			memcpy(mf.cfg.filters, filters, sizeof filters);
		}
		if (latent)
			mf.cfg.latent = latent;
		if (dropout >= 0)
			mf.cfg.dropout = (float)dropout;
		mf.cfg.weights = weights;
		dhae_cfg_inputs(&mf.cfg, inputs);
		if (hb)
			dhae_data_box_max(&d, &mf.wmax, &mf.hmax);
	}
	if (dhae_cfg_check(&mf.cfg, err, sizeof err) < 0)
		die_usage("%s", err);
	if (!o.epochs)
		o.epochs = mf.cfg.arch == DHAE_REAL ? 500 : 1000;
	if (!o.batch)
		o.batch = mf.cfg.arch == DHAE_REAL ? 512 : 1024;

	dhae_opt opt;
	if (o.resume) {
		opt = mf.opt;
	} else {
		dhae_opt_default(&opt, optk);
		if (lr > 0)
			opt.lr = (float)lr;
	}
	nn_backend *be = nn_open(dev, threads, err, sizeof err);
	if (!be)
		die("%s", err);
	int batch = o.batch < (int)d.n ? o.batch : (int)d.n;
	o.batch = batch;
	dhae *m = dhae_new(be, &mf.cfg, &opt, batch, o.seed);
	if (o.verbose) {
		if (hm)
			fprintf(stderr, "%s: %zu detections (%dx%dx%d)", progname, d.n, d.ph, d.pw, d.pc);
		else
			fprintf(stderr, "%s: %zu detections", progname, d.n);
		fprintf(stderr, ", %s arch%s%s, %zu parameters, %.2f MFLOP per training sample, device %s",
		        mf.cfg.arch == DHAE_REAL ? "real" : "synth", hm && hb ? "" : ", inputs ",
		        hm && hb ? "" : dhae_inputs_name(inputs), dhae_nparams(m), dhae_flops_train(&mf.cfg) / 1e6,
		        be->name);
		if (!be->on_device)
			fprintf(stderr, " (%d threads, OPENBLAS_CORETYPE=%s, sgemm %.0f GFLOP/s)", be->threads,
			        getenv("OPENBLAS_CORETYPE") ? getenv("OPENBLAS_CORETYPE") : "unset",
			        nn_cpu_sgemm_gflops(be, 0.2));
		fputc('\n', stderr);
	}
	char *args = join_args(argc, argv);
	o.tool = "ae-train", o.args = args;
	dhae_train_result res;
	mf.calib.has = 0;   /* a resumed model's calibration belongs to its old weights */
	dhae_train_run(m, &mf, &d, &o, &res);
	if (!no_calib)
		calibrate(m, &mf, &d, calib_rule, dist_hist, &o);
	if (!o.quiet)
		fprintf(stderr, "%s: %d epoch(s)%s, best %d (val loss %.6g), %.0f samples/s, %.1f GFLOP/s\n",
		        progname, res.epochs_run, res.stopped_early ? " (stopped early)" : "", res.best_epoch,
		        res.best_val, res.samples_per_s, res.samples_per_s * dhae_flops_train(&mf.cfg) / 1e9);
	free(args);
	dhae_free(m);
	be->close(be);
	model_free(&mf);
	dhae_data_free(&d);
	return 0;
}
