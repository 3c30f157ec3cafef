/* The model file's latent-distance calibration (key "calib"): written and
 * read back, absent in older models, and a bad threshold refused. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dhae/dhae.h"
#include "dhae/modelfile.h"
#include "nn/nn.h"

/* A small untrained synth model in mf (weights only). */
static void small_model(model *mf, nn_backend *be)
{
	model_init(mf);
	dhae_cfg_default(&mf->cfg, DHAE_SYNTH, 1);
	mf->cfg.size = 12, mf->cfg.nf = 3, mf->cfg.latent = 6;
	mf->cfg.filters[0] = 3, mf->cfg.filters[1] = 4, mf->cfg.filters[2] = 5;
	mf->wmax = 20, mf->hmax = 30;
	dhae *m = dhae_new(be, &mf->cfg, NULL, 2, 1);
	model_snapshot(m, &mf->t, &mf->nt, mf->log_var);
	dhae_free(m);
}

/* The model's bytes, as written. */
static uint8_t *written(const model *mf, size_t *n)
{
	char path[] = "/tmp/test_dhae_calib_XXXXXX", err[300];
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	close(fd);
	cr_assert(model_write(path, mf, err, sizeof err) == 0, "%s", err);
	FILE *f = fopen(path, "rb");
	fseek(f, 0, SEEK_END);
	*n = (size_t)ftell(f);
	rewind(f);
	uint8_t *b = malloc(*n);
	cr_assert(fread(b, 1, *n, f) == *n);
	fclose(f);
	unlink(path);
	return b;
}

Test(modelfile, calib_round_trip)
{
	nn_backend *be = nn_cpu_open(1);
	model mf, back;
	small_model(&mf, be);
	char err[300];
	size_t n;
	/* without a calibration: no key, and none read back */
	uint8_t *b = written(&mf, &n);
	cr_expect(memmem(b, n, "calib", 5) == NULL);
	cr_assert(model_read_mem(b, n, "m", &back, err, sizeof err) == 0, "%s", err);
	cr_expect(!back.calib.has && back.calib.embed_thr == 0);
	model_free(&back), free(b);
	/* with one */
	mf.calib.has = 1;
	strcpy(mf.calib.rule, "mnn99"), strcpy(mf.calib.status, "ok");
	mf.calib.embed_thr = 0.8125, mf.calib.crossing = 0.25, mf.calib.mnn99 = 0.8125;
	mf.calib.n[0] = 10, mf.calib.n[1] = 9, mf.calib.n[2] = 8;
	b = written(&mf, &n);
	cr_assert(model_read_mem(b, n, "m", &back, err, sizeof err) == 0, "%s", err);
	cr_expect(back.calib.has && back.calib.embed_thr == 0.8125);
	cr_expect(strcmp(back.calib.rule, "mnn99") == 0 && strcmp(back.calib.status, "ok") == 0);
	/* and still loads into a network */
	dhae *m = dhae_new(be, &back.cfg, NULL, 2, 1);
	cr_expect(model_load(&back, m, 0, err, sizeof err) == 0, "%s", err);
	dhae_free(m);
	model_free(&back);
	/* a negative threshold is refused: flip the sign of the float 64 after "embed_thr" */
	uint8_t *k = memmem(b, n, "embed_thr", 9);
	cr_assert(k && k[9] == 0xcb);
	k[10] |= 0x80;
	cr_expect(model_read_mem(b, n, "m", &back, err, sizeof err) < 0 && strstr(err, "embed_thr"), "%s", err);
	free(b);
	/* no threshold measured: the key has no embed_thr, which reads as none */
	mf.calib.embed_thr = 0;
	strcpy(mf.calib.status, "too few nearest / second-nearest pairs");
	b = written(&mf, &n);
	cr_expect(memmem(b, n, "embed_thr", 9) == NULL);
	cr_assert(model_read_mem(b, n, "m", &back, err, sizeof err) == 0, "%s", err);
	cr_expect(back.calib.has && back.calib.embed_thr == 0);
	model_free(&back), free(b);
	model_free(&mf);
	be->close(be);
}
