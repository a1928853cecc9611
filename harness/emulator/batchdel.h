/* batchdel.h: BatchDeleteImage, the operation under test, with ECR's
 * per-item semantics (docs/ECR-BEHAVIOUR.md#failure-codes and #semantics):
 * one processing model for several items in a request (docs/EMULATOR.md,
 * "Several items in one request"): items in order against the state the
 * earlier items left, references judged as the emulator's answer to
 * oq-index-then-children says. Runs with the store lock held and leaves the
 * reply in the op_call. */
#ifndef ECR_EMU_BATCHDEL_H
#define ECR_EMU_BATCHDEL_H

#include "ops.h"

void ecremu_batchdel_run(op_call *c);

#endif
