/* fixture.h: a case's fixture on the target, built through the public ECR
 * API and always torn down.
 *
 * Set-up must work on emulators that differ from ECR, so every PutImage
 * passes imageDigest and every fixture step is checked; a misbehaving
 * fixture step makes the case `error` (the operation under test was never
 * reached), naming the step.
 */
#ifndef ECR_FIXTURE_H
#define ECR_FIXTURE_H

#include <stddef.h>
#include "awsclient.h"
#include "clientpool.h"
#include "casefile.h"
#include "ecr/digest.h"
#include "target.h"
#include "vars.h"

#define FIXTURE_NAME_MAX 300

typedef struct fixture {
    const case_def *c;
    const target_info *t;
    char run_id[16];
    char (*names)[FIXTURE_NAME_MAX];  /* per repository: its run-unique name */
    char (*digests)[DIGEST_STR_SIZE]; /* per image, repositories' images in order */
    int faults_set;                   /* 1 once any fault was sent */
    unsigned char *created;           /* per repository: 1 once CreateRepository succeeded */
    /* Called with each CreateRepository input before it is sent (live
     * rules: tag and journal it); non-zero refuses the creation, with err
     * set. NULL: none. */
    ecr_result (*before_create)(void *user, const char *name, struct json_object *in, char *err,
                                size_t errsz);
    void *before_create_user;
    /* Spare connections (borrowed): independent set-up requests of the case
     * (the repositories, each image's blobs, each repository's PutImages,
     * the deletions) go out at once. NULL: one at a time. */
    client_pool *pool;
} fixture;

/* At most this many fixture requests of one case are in flight at once, and
 * only once the case's connection has seen requests take this long on
 * average (ms): below it the round trips cost less than the handoffs. */
#define FIXTURE_FANOUT 8
#define FIXTURE_FANOUT_MIN_RTT_MS 2.0

/* Prepares fx for case c (borrowed, as are t and run_id's content is
 * copied). Allocation failure shows up in ecrc_fixture_vars. Cannot fail. */
void ecrc_fixture_init(fixture *fx, const case_def *c, const char *run_id, const target_info *t);

/* Computes names and digests and sets every variable of the case in v.
 * Returns ECR_OK, or an error with a message in err. */
ecr_result ecrc_fixture_vars(fixture *fx, vars *v, char *err, size_t errsz);

/* Creates the repositories (with fx->pool at once, unless before_create is
 * set: then in order), pushes the images and sets the faults. Every image's blobs first (with
 * fx->pool: all images' at once; a blob two images of a repository share is uploaded by the first
 * of them only), then each repository's PutImages: its images in the case's order (children before
 * their index; the registry lists images in push order), one per tag in order, with imageDigest;
 * with fx->pool the repositories at once. Stops at the first failing step (with fx->pool: starts
 * nothing after it) and returns ECR_EINVAL (or the transport error) with
 * "<Operation> <what>: ..." in err. ecrc_fixture_teardown cleans up whatever
 * was created. */
ecr_result ecrc_fixture_build(fixture *fx, aws_client *cl, char *err, size_t errsz);

/* Clears faults and force-deletes every repository the case could have
 * created, whatever happened before. Returns ECR_OK, or the first failure with
 * a message in err (it still tries every repository). */
ecr_result ecrc_fixture_teardown(fixture *fx, aws_client *cl, char *err, size_t errsz);

/* How many requests the fixture of c sends, set-up and teardown (blobs
 * counted as missing and of one part; a target with the layer API when
 * layer_api): what the runner schedules the longest cases first by. Cannot
 * fail. */
size_t ecrc_fixture_requests(const case_def *c, int layer_api);

/* Frees what fx owns; fx may be NULL. */
void ecrc_fixture_free(fixture *fx);

/* The run-unique repository name for fixture repository `name` of case
 * `case_id` in run `run_id`: "ecrc-<run_id>/<case_id>/<name>", padded with
 * "-" then 'x' characters to exactly `length` when length > 0. A length too
 * short to hold that prefix (a boundary case such as the 2-character
 * minimum) gives a short name instead: `length` characters of [a-z0-9]
 * derived from a hash of run id, case id and name, unique per run only with
 * high probability (teardown deletes such a repository only when the fixture
 * created it). Writes into out (size outsz) and returns out, or NULL leaving
 * out "" when a run-unique name does not fit (never a cut name). */
char *ecrc_fixture_repo_name(const char *run_id, const char *case_id, const char *name, int length,
                             char *out, size_t outsz);

#endif
