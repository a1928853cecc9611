/* select.h: which loaded cases a run keeps (ecrc_selection in ecrc.h):
 * --filter, --covers, --level, --rerun-failed and --shard, applied to a
 * loaded_set after loading.
 *
 * This module declares nothing beyond ecrc.h: it implements
 * ecrc_selection_apply, ecrc_selection_load_rerun, ecrc_selection_free and
 * ecrc_shard_of (ecrc_id_matches is the loader's, load/loadset.c).
 */
#ifndef ECR_SELECT_H
#define ECR_SELECT_H

#include "ecrc.h"

#endif
