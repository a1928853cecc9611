/* layers.h: ECR's layer upload API (InitiateLayerUpload, UploadLayerPart,
 * CompleteLayerUpload, BatchCheckLayerAvailability) over the blob store
 * (blobs.h), and the check PutImage makes that a manifest's blobs exist.
 * Each operation takes a call whose body is an object and sets its reply
 * (ops.h). */
#ifndef ECR_EMU_LAYERS_H
#define ECR_EMU_LAYERS_H

#include <json-c/json.h>
#include "ops.h"

/* The partSize InitiateLayerUpload advertises: 10 MiB. */
#define LAYERS_PART_SIZE 10485760LL
/* A part followed by another must be at least this big (5 MiB, the model's
 * LayerPartTooSmallException text). */
#define LAYERS_PART_MIN ((size_t)5 * 1024 * 1024)
/* The model's LayerPartBlob maximum (20 MiB). */
#define LAYERS_PART_MAX ((size_t)20971520)

void ecremu_layers_initiate(op_call *c);
void ecremu_layers_upload_part(op_call *c);
void ecremu_layers_complete(op_call *c);
void ecremu_layers_check(op_call *c);

/* PutImage's rule: the config blob and every layer blob of the image
 * manifest m (config.digest, layers[].digest, and a schema 1 manifest's
 * fsLayers[].blobSum) must be in repository r. Returns 0 when they are;
 * else sets LayersNotFoundException naming the missing digests (registry
 * id reg or the caller's) and returns -1. */
int ecremu_layers_require(op_call *c, const store_repo *r, const char *reg, json_object *m);

#endif
