/* batchdel.h: BatchDeleteImage, the operation under test, with ECR's
 * per-item semantics (reference sections 2, 3 and 6; docs/EMULATOR.md):
 * items are processed in order against the evolving state, except that
 * manifest-list references are judged on the state before the request.
 * Runs with the store lock held and leaves the reply in the op_call. */
#ifndef ECR_EMU_BATCHDEL_H
#define ECR_EMU_BATCHDEL_H

#include "ops.h"

void ecremu_batchdel_run(op_call *c);

#endif
