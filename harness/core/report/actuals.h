/* actuals.h: the recorded actual responses of failing steps,
 * <report_dir>/actual/<case>/<step>.json (ecrc_actuals_open,
 * ecrc_actuals_write_case, ecrc_actuals_close; declared in ecrc.h).
 *
 * The directory is emptied at the start of a run so that a stale response is
 * never taken for a fresh one, and emptying a directory is dangerous: it is
 * only ever done to a directory that carries ecrconform's marker file, never
 * through a symbolic link. Anything else at that path is left alone and
 * nothing is written into it. */
#ifndef ECR_ACTUALS_H
#define ECR_ACTUALS_H

#include "ecrc.h"

#endif
