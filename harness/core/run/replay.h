/* replay.h: answering a case's requests from its goldens, for `ecrconform
 * replay` (ecrc_replay in ecrc.h; docs/REPLAY.md). This module declares
 * nothing beyond ecrc.h: the responses themselves come from instance.h.
 */
#ifndef ECR_REPLAY_H
#define ECR_REPLAY_H

#include "ecrc.h"

#endif
