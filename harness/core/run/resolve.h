/* resolve.h: where the run's credentials, region, endpoint and CA bundle
 * come from (command line, environment, shared files), with the AWS CLI's
 * precedence. The interface is in ecrc.h (ecrc_aws_resolve); this module
 * keeps no state.
 */
#ifndef ECR_RESOLVE_H
#define ECR_RESOLVE_H

#include "ecrc.h"

#endif
