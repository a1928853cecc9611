/* reproduce.h: a case's fixture kept on a target and its steps as curl
 * commands, for `ecrconform reproduce` (ecrc_repro in ecrc.h). This module
 * declares nothing beyond ecrc.h.
 */
#ifndef ECR_REPRODUCE_H
#define ECR_REPRODUCE_H

#include "ecrc.h"

#endif
