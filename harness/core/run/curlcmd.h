/* curlcmd.h: a request of a case step as a shell command that sends it by
 * hand with the curl tool (curl --aws-sigv4), for `ecrconform reproduce` and
 * for the failing steps in report.html.
 *
 * Secrets never appear: the command reads $AWS_ACCESS_KEY_ID,
 * $AWS_SECRET_ACCESS_KEY (and $AWS_SESSION_TOKEN) from the shell. Everything
 * else is single-quoted, so the command pastes into sh/bash as it is.
 */
#ifndef ECR_CURLCMD_H
#define ECR_CURLCMD_H

#include "awsclient.h"

/* The command for req sent to endpoint, signed for region (service "ecr"),
 * with X-Amz-Security-Token from $AWS_SESSION_TOKEN when session_token is
 * nonzero. A request signed on purpose with a wrong key or secret
 * (raw.auth) is signed with the same kind of wrong credentials; "none" is
 * not signed. tr (may be NULL) is the run's TLS set-up, carried over so the
 * command reaches the same endpoint: --cacert for its CA bundle, --insecure
 * when certificates are not verified. Returns a new string (the caller frees
 * it), or NULL when memory ran out. */
char *ecrc_curl_command(const char *endpoint, const char *region, int session_token,
                        const aws_transport *tr, const aws_request *req);

#endif
