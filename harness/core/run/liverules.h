/* liverules.h: the rules a run obeys on a live registry (docs/LIVE.md).
 *
 * A live registry holds other people's repositories. Under live rules the run
 * creates only repositories carrying its run prefix ("ecrc-<run>/") and the
 * harness tag, journals each one before creating it, sends no request that
 * names a repository outside its run prefix, and never calls the control
 * interface. The checks here are pure functions of the request text, so they
 * run before anything is sent. Public declarations are in ecrc.h.
 */
#ifndef ECR_LIVERULES_H
#define ECR_LIVERULES_H

#include "ecrc.h"

#include "casefile.h"
#include "journal.h"

struct json_object;

/* The live-rules context a run shares between its workers (borrowed
 * journal; NULL journal: nothing is journalled, used by unit tests). */
struct ecrc_live {
    ecrc_journal *journal;
};

/* Adds the harness tag {Key: ECRC_LIVE_TAG_KEY, Value: run_id} to the
 * CreateRepository input `in` and records `name` in the journal (synced)
 * before the caller sends it. Returns ECR_OK, or an error with a message in
 * err: then the repository must not be created. */
ecr_result ecrc_live_before_create(const ecrc_live *live, const char *run_id, const char *name,
                                   struct json_object *in, char *err, size_t errsz);

/* Why case c cannot run under live rules with run id run_id (a fixture
 * repository that cannot carry the run prefix, faults that need the control
 * interface), as a new string (caller frees), or NULL when it can run. */
char *ecrc_live_case_refusal(const case_def *c, const char *run_id);

#endif
