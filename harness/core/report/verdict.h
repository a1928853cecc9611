/* verdict.h: the exit code of a run (ecrc_verdict, declared in ecrc.h with
 * its rules): pass, fail, regression, invalid, unreachable and internal are
 * decided here and nowhere else, so the policy that ships is the one the
 * unit tests (tests/unit/test_verdict.c) pin down. */
#ifndef ECR_VERDICT_H
#define ECR_VERDICT_H

#include "ecrc.h"

#endif
