/* merge.h: one report from the reports of several shards of a run
 * (ecrc_report_merge in ecrc.h), so N CI machines publish one compliance
 * report. This module declares nothing beyond ecrc.h.
 */
#ifndef ECR_MERGE_H
#define ECR_MERGE_H

#include "ecrc.h"

#endif
