/* cleanup.h: `ecrconform cleanup`, deleting what crashed live runs left
 * behind: only repositories that both the journal (journal.h) and the
 * harness tag (liverules.h) mark as this harness's. Public declarations are in
 * ecrc.h.
 */
#ifndef ECR_CLEANUP_H
#define ECR_CLEANUP_H

#include "ecrc.h"

#endif
