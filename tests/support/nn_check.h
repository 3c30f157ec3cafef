/* nn_check.h: test support, runs every op of nn.h on two backends.
 *
 * Runs every op of the nn.h API on random data of the shapes the two DHAE
 * architectures use (forward and backward, optimisers, losses) on backend
 * `test` and on `ref`, and compares the results. One line per op to log
 * (may be NULL): name, max abs error, max relative error, ok/FAIL.
 * tol is the allowed relative error (1e-4 is reasonable for float).
 * Returns the number of failing ops. */
#ifndef USC_NN_CHECK_H
#define USC_NN_CHECK_H

#include <stdio.h>

#include "nn/nn.h"

int nn_compare_backends(nn_backend *test, nn_backend *ref, double tol, FILE *log);

#endif
