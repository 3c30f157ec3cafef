/* dhae_calib.c: calibrating a trained model's latent distances
 * (dhae_calib.h). */
#include "dhae/dhae_calib.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

/* a model's fit needs as many pairs of each kind as a stream's */
#define DHAE_CALIB_MIN_PAIRS 50

static void dhae_calib_store(mf_calib *k, const calib_fit_t *fit, int rule)
{
	memset(k, 0, sizeof *k);
	k->has = 1;
	snprintf(k->rule, sizeof k->rule, "%s", calib_rule_name(rule));
	int st;
	double thr = calib_threshold(fit, rule, &st);
	snprintf(k->status, sizeof k->status, "%s", calib_status_name(st));
	k->embed_thr = st == CALIB_OK && isfinite(thr) ? thr : 0;
	k->crossing = fit->status == CALIB_OK ? fit->thr : 0;
	k->mnn99 = isfinite(fit->mnn99) ? fit->mnn99 : 0;
	k->n[0] = fit->n1, k->n[1] = fit->n2, k->n[2] = fit->n3;
	for (int j = 0; j < 2; j++)
		k->mu[j] = fit->mu[j], k->sd[j] = fit->sd[j], k->w[j] = fit->w[j];
}

void dhae_calib_run(dhae *m, model *mf, const dhae_data *d, int rule, FILE *csv, calib_fit_t *fit)
{
	const dhae_cfg *cfg = dhae_config(m);
	int hm = dhae_has_mask(cfg), L = cfg->latent, B = dhae_max_batch(m);
	size_t pb = dhae_patch_bytes(m);
	float *feat = dhae_data_features(d, mf->wmax, mf->hmax);
	float *z = xmalloc((size_t)B * L * sizeof *z);
	calib_acc *a = calib_acc_new(1, (size_t)1 << 24, csv);
	if (csv)
		calib_csv_header(csv);
	char err[200];
	uint32_t seg = 0;
	for (size_t i = 0; i < d->n; i += (size_t)B) {
		int n = (int)(d->n - i < (size_t)B ? d->n - i : (size_t)B);
		/* the data are held contiguously, in input order: a batch is a slice */
		dhae_embed(m, n, hm ? d->patch + i * pb : NULL, feat ? feat + i * 4 : NULL, z);
		for (int j = 0; j < n; j++) {
			size_t r = i + (size_t)j;
			if (d->seg[r] != seg) {
				calib_acc_segment(a);
				seg = d->seg[r];
			}
			/* frames going back within a segment cannot happen (the
			 * reader checks their order); a failure only loses a pair */
			if (calib_acc_add(a, d->frame[r], (int64_t)r, -1, z + (size_t)j * L, (uint32_t)L, err,
					  sizeof err) < 0)
				calib_acc_segment(a);
		}
	}
	calib_acc_fit(a, DHAE_CALIB_MIN_PAIRS, fit);
	dhae_calib_store(&mf->calib, fit, rule);
	calib_acc_free(a);
	free(z), free(feat);
}
