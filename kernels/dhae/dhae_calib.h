/* dhae_calib.h: the latent-distance threshold of a trained model, measured
 * on its own (unlabelled) training detections: each detection is embedded
 * with the model, and the distances between detections of consecutive
 * frames are fitted as in track/calib.h. The result goes into the model
 * file (key "calib"), from which ae-embed passes the threshold on to
 * cgraph-build in the stream header. */
#ifndef USC_DHAE_CALIB_H
#define USC_DHAE_CALIB_H

#include <stdio.h>

#include "dhae/dhae.h"
#include "dhae/dhae_train.h"
#include "dhae/modelfile.h"
#include "track/calib.h"

/* Embeds every detection of d with m (whose weights are the ones to
 * calibrate; mf gives the box normalisation), fits the distances of
 * consecutive frames of each segment and fills mf->calib with the
 * threshold of rule (CALIB_MNN99 or CALIB_CROSSING). csv, if not NULL,
 * receives the pairs (calib_acc_new). Returns the fit in *fit. */
void dhae_calib_run(dhae *m, model *mf, const dhae_data *d, int rule, FILE *csv, calib_fit_t *fit);

#endif
