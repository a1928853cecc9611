/* record.h: `ecrconform record`: goldens rewritten from what a trusted
 * endpoint answered (docs/LIVE.md#recording). Public declarations in ecrc.h.
 *
 * Normalisation: the run's repository names become ${repo:x}, the case's
 * image digests ${digest:x}, the account and region ${account}/${region},
 * numbers under time members {"$type":"number"}, and every array a $set
 * (ECR specifies no order for its lists). Request ids are in headers, which
 * a recorded golden leaves to the default header check.
 */
#ifndef ECR_RECORD_H
#define ECR_RECORD_H

#include "ecrc.h"

/* Splits a step report's response text "HTTP <status>\n<headers>\n\n<body>".
 * Returns 0 with *status and *body (pointing into text), or -1. */
int ecrc_record_parse_response(const char *text, long *status, const char **body);

#endif
