/* journal.h: the live-run journal, what a run is about to create on a live
 * registry, so that `ecrconform cleanup` can find the leftovers of a run
 * that was killed (docs/LIVE.md).
 *
 * One JSON object per line, appended with O_APPEND and fsynced before the
 * repository is created: {"event":"create","run":...,"repository":...,
 * "endpoint":...,"region":...,"time":...}; cleanup appends
 * {"event":"deleted",...}. A line is written with one write(2), so workers
 * and a crash never leave two lines interleaved. Public declarations are in
 * ecrc.h.
 */
#ifndef ECR_JOURNAL_H
#define ECR_JOURNAL_H

#include "ecrc.h"

/* Appends one event line for repository name of run run_id and fsyncs the
 * file. Thread-safe. Returns ECR_OK, ECR_ENOMEM or ECR_EIO. */
ecr_result ecrc_journal_record(ecrc_journal *j, const char *event, const char *run_id,
                               const char *name);

#endif
