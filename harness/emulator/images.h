/* images.h: the image operations of the emulator other than deletion
 * (PutImage, ListImages, DescribeImages, BatchGetImage). Each runs one
 * request held in an op_call (ops.h) with the store lock held, and leaves
 * the reply in it. */
#ifndef ECR_EMU_IMAGES_H
#define ECR_EMU_IMAGES_H

#include "ops.h"

void ecremu_images_put(op_call *c);
void ecremu_images_list(op_call *c);
void ecremu_images_describe(op_call *c);
void ecremu_images_batch_get(op_call *c);

#endif
