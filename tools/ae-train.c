/* ae-train: trains the deep heterogeneous autoencoder on det streams.
 * See ae-train(1). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dhae/dhae.h"
#include "dhae/dhae_calib.h"
#include "track/exitline.h"
#include "dhae/dhae_train.h"
#include "err.h"
#include "dhae/modelfile.h"
#include "nn/nn.h"
#include "opts.h"
#include "outfile.h"
#include "progress.h"

/* --filters N,N,...: the encoder's convolution filters. */
typedef struct filter_list {
	int n, f[DHAE_MAX_CONV];
} filter_list;

static void parse_filters(const opts_opt *opt, const char *s)
{
	filter_list *l = opt->dst;
	int n = 0;
	const char *p = s;
	while (*p) {
		char *end;
		long v = strtol(p, &end, 10);
		if (end == p || v < 1 || v > 4096 || n == DHAE_MAX_CONV)
			die_usage("--filters: '%s' is not a list of 1 to %d counts in 1..4096", s, DHAE_MAX_CONV);
		l->f[n++] = (int)v;
		p = end;
		if (*p == ',')
			p++;
		else if (*p)
			die_usage("--filters: '%s' is not a comma-separated list", s);
	}
	if (!n)
		die_usage("--filters: empty list");
	l->n = n;
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
	int arch = DHAE_SYNTH, latent = 0;
	filter_list fl = {0};
	int weights = DHAE_UNCERTAIN, optk = DHAE_ADADELTA, threads = 0;
	double lr = -1, dropout = -1;
	dhae_train_opts o = { .epochs = 0, .batch = 0, .val_split = 0.1, .seed = 1 };
	nn_device dev = NN_DEV_AUTO;
	int inputs = DHAE_BOTH;
	int calib_rule = CALIB_MNN99, no_calib = 0;
	const char *dist_hist = NULL;
	static const int rules[] = { CALIB_MNN99, CALIB_CROSSING };
	static const int archs[] = { DHAE_SYNTH, DHAE_REAL };
	static const int inputs_vals[] = { DHAE_BOTH, DHAE_BOX, DHAE_MASK };
	static const int weights_v[] = { DHAE_UNCERTAIN, DHAE_FIXED };
	static const int optimizers[] = { DHAE_ADADELTA, DHAE_ADAM };
	static const int devices[] = { NN_DEV_AUTO, NN_DEV_CPU, NN_DEV_CUDA };
	opts_opt table[] = {
		OPTS_STR("output", 'o', "MODEL", "the model file, rewritten after every epoch", &o.out,
			 .required = 1),
		OPTS_CHOICE("arch", 0, "synth|real", "architecture", &arch, archs),
		OPTS_CHOICE("inputs", 0, "both|box|mask", "what the autoencoder reads and reconstructs",
			    &inputs, inputs_vals),
		OPTS_CALL("filters", 0, "N,N,...", "convolution filters of the encoder, one count a layer",
			  parse_filters, &fl, .def = "by arch"),
		OPTS_INT("latent", 0, "N", "size of z and of the dense layers", &latent, 1, 65536,
			 .def = "64 synth, 128 real"),
		OPTS_CHOICE("weights", 0, "uncertainty|fixed", "loss form", &weights, weights_v),
		OPTS_CHOICE("optimizer", 0, "adadelta|adam", "optimiser (Adadelta lr 1.0, or Adam lr 5e-4)",
			    &optk, optimizers),
		OPTS_NUM("lr", 0, "X", "learning rate", &lr, 1e-12, 1e6, .def = "the optimiser's"),
		OPTS_INT("epochs", 0, "N", "epochs (with --resume, the total to reach)", &o.epochs,
			 1, 1000000, .def = "1000 synth, 500 real"),
		OPTS_INT("batch", 0, "N", "batch size", &o.batch, 1, 1 << 20,
			 .def = "1024 synth, 512 real"),
		OPTS_NUM("val-split", 0, "X", "share of the input, from its end, kept for validation",
			 &o.val_split, 0, 0.9),
		OPTS_INT("patience", 0, "N", "stop after N epochs without a better validation loss "
			 "(0: never)", &o.patience, 0, 1000000),
		OPTS_NUM("dropout", 0, "X", "dropout rate", &dropout, 0, 0.95, .def = "0.25"),
		OPTS_INT("seed", 0, "N", "seed of the weights, the shuffling and the dropout masks",
			 &o.seed, 0, INT64_MAX),
		OPTS_FLAG("resume", 0, "continue the training kept in MODEL", &o.resume),
		OPTS_STR("log", 0, "FILE", "write the curves as CSV, rewritten after every epoch", &o.log),
		OPTS_CHOICE("device", 0, "auto|cpu|cuda", "where to train", &dev, devices),
		OPTS_INT("threads", 0, "N", "CPU threads", &threads, 1, 64,
			 .def = "the CPUs this process may use"),
		OPTS_CHOICE("calib-rule", 0, "mnn99|crossing", "how the stored latent-distance threshold "
			    "is read from the training detections", &calib_rule, rules),
		OPTS_FLAG("no-calib", 0, "store no latent-distance threshold", &no_calib),
		OPTS_STR("dist-hist", 0, "FILE", "write the latent distances the calibration compared "
			 "as CSV", &dist_hist, .def = "none"),
		OPTS_FLAG("quiet", 'q', "no progress line, no summary", &o.quiet),
		OPTS_FLAG("verbose", 'v', "a line for the set-up and one per epoch", &o.verbose),
		OPTS_END,
	};
	opts_tool tool = {"ae-train", "Trains the deep heterogeneous autoencoder on det streams.",
			  "[FILE...]", table};
	int first = opts_parse(&tool, argc, argv);
	int arch_set = opts_given(&tool, "arch"), inputs_set = opts_given(&tool, "inputs");
	int nf = fl.n;
	int *filters = fl.f;
	if (!strcmp(o.out, "-"))
		die_usage("-o: the model is rewritten after every epoch; give a file name");

	/* the curves are written after each epoch: a path that cannot be
	 * written fails now, not after the first epoch */
	if (o.log) {
		outfile *lf = outfile_open(o.log);
		if (!lf)
			die("--log: %s: %s", o.log, strerror(errno));
		outfile_abort(lf);
	}

	/* with --resume, the inputs (what to read of the data) come from the model */
	model mf;
	model_init(&mf);
	char err[400];
	if (o.resume) {
		if (model_read(o.out, &mf, err, sizeof err) < 0)
			die("--resume: %s", err);
		if (!mf.has_resume)
			die("--resume: %s holds no training state", o.out);
		if (o.verbose && !mf.checksummed)
			warnf("--resume: %s has no checksum (model format 1); read unchecked", o.out);
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
	const char **inputs_v = first < argc ? (const char **)argv + first : stdin_only;
	int ninputs = first < argc ? argc - first : 1;
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
			memcpy(mf.cfg.filters, filters, sizeof fl.f);
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
	/* where objects stop being seen, for ckmeans' exit rule */
	mf.exit_inset = d.box && d.imsize ? exitline_measure(d.box, d.imsize, d.frame, d.seg, d.n) : -1;
	mf.has_exit = mf.exit_inset >= 0;
	if (o.verbose && mf.has_exit)
		fprintf(stderr, "%s: exit line %.4g px inside the border (%g of the %zu training box centres "
			"that touch no other box lie nearer)\n", progname, mf.exit_inset, EXIT_QUANTILE, d.n);
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
