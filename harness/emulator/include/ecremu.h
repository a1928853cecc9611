/* emulator.h: the built-in ECR emulator, a library of its own.
 *
 * An in-process model of Amazon ECR (repositories, images, manifests and
 * digests, tags, image indexes) served over HTTP by libmicrohttpd on
 * 127.0.0.1, speaking the AWS JSON 1.1 protocol. It models ECR's state and
 * rules; it never reads goldens. It also serves a control interface
 * (`/__ecrconform/...`, not part of the ECR wire API) for faults that ECR's
 * public API cannot create on demand. See docs/EMULATOR.md.
 *
 * This library depends only on harness/common; it never includes runner
 * (harness/core) or CLI headers.
 */
#ifndef ECR_EMULATOR_H
#define ECR_EMULATOR_H

#include <stddef.h>
#include <stdio.h>
#include "ecr/http.h"
#include "ecr/protocol.h"
#include "ecr/result.h"

typedef enum ecremu_auth_mode {
    /* Any well-formed SigV4 Authorization header is accepted (the signature
     * is not checked). A missing or malformed header is still rejected. */
    ECREMU_AUTH_LENIENT = 0,
    /* The signature is verified against the one credential pair the
     * emulator knows (ecremu_config.access_key / secret_key). */
    ECREMU_AUTH_STRICT
} ecremu_auth_mode;

typedef enum ecremu_layers_mode {
    /* PutImage requires the config blob and every layer blob of an image
     * manifest to have been uploaded to the repository (layer upload API),
     * else LayersNotFoundException, as ECR does. The default. */
    ECREMU_LAYERS_ENFORCE = 0,
    /* Manifests only: blob references are not checked (for clients that push
     * manifests without their layers). The layer API still works. */
    ECREMU_LAYERS_OFF
} ecremu_layers_mode;

/* Default cap on layer bytes held (blobs and uploads in progress, all
 * repositories): 256 MiB. */
#define ECREMU_DEFAULT_BLOB_BYTES ((size_t)256 * 1024 * 1024)

/* A hook that may answer a request before the emulator does (the request
 * body read in full and within the emulator's caps, before authentication,
 * the control interface and the ECR operations). It returns 1 after filling
 * out (status, body; the server adds Content-Type: application/x-amz-json-1.1
 * and a fresh x-amzn-RequestId unless out sets them, logs the request with
 * out->note, and frees out), or 0 to let the emulator answer as usual (out
 * must then be left empty). Called from the server's threads, concurrently:
 * it must be thread-safe. `ecrconform replay` answers a case's steps from
 * their goldens through it (docs/REPLAY.md). */
typedef int (*ecremu_intercept_fn)(void *user, const ecr_http_request *rq, ecr_http_reply *out);

typedef struct ecremu_config {
    unsigned short port; /* 0: a random free port (read it back with ecremu_port) */
    ecremu_auth_mode auth;
    const char *account_id;    /* NULL: ECR_TEST_ACCOUNT */
    const char *region;        /* NULL: ECR_TEST_REGION (repository URIs, ARNs) */
    const char *access_key;    /* NULL: ECR_TEST_ACCESS_KEY */
    const char *secret_key;    /* NULL: ECR_TEST_SECRET_KEY */
    int control;               /* nonzero: serve the control interface */
    int quiet;                 /* nonzero: no libmicrohttpd error log on stderr */
    ecremu_layers_mode layers; /* default (0): ECREMU_LAYERS_ENFORCE */
    size_t blob_bytes_max;     /* 0: ECREMU_DEFAULT_BLOB_BYTES */
    /* One line per request (operation, status, error type, time in ms), or
     * NULL for none. Borrowed: it must stay open until ecremu_stop. */
    FILE *request_log;
    /* Answers to the open questions of docs/ECR-BEHAVIOUR.md, as
     * "QUESTION=ANSWER[,...]" (docs/EMULATOR.md, "Open questions"); NULL or
     * "": every default. An unknown question or answer makes ecremu_start
     * fail with ECR_EINVAL: check it first with ecremu_open_answers_check. */
    const char *open_answers;
    ecremu_intercept_fn intercept; /* NULL: none */
    void *intercept_user;          /* passed to intercept; borrowed until ecremu_stop */
} ecremu_config;

typedef struct ecremu ecremu;

/* Starts the emulator on 127.0.0.1 with its own listener thread(s). The
 * config is copied; strings are duplicated (request_log is borrowed). On success *out owns the
 * running emulator (stop it with ecremu_stop). Returns ECR_EBUSY when the port cannot be bound,
 * ECR_ENOMEM, or ECR_EINVAL for a bad config (an unknown auth or layers mode, a bad account id, an
 * empty region or key); *out is then NULL. */
ecr_result ecremu_start(const ecremu_config *cfg, ecremu **out);

/* Checks an open_answers spec. Returns ECR_OK, or ECR_EINVAL with one line
 * in err (errsz bytes) naming what is wrong and what is valid. */
ecr_result ecremu_open_answers_check(const char *spec, char *err, size_t errsz);

/* Every open question the emulator can be switched on, one line each:
 * "  QUESTION=ANSWER|ANSWER... (default ANSWER)\n", into out (outsz bytes,
 * always terminated). */
void ecremu_open_answers_describe(char *out, size_t outsz);

/* The TCP port actually bound. Cannot fail for a started emulator. */
unsigned short ecremu_port(const ecremu *e);

/* Stops the listener, waits for in-flight requests and frees all state.
 * e may be NULL. */
void ecremu_stop(ecremu *e);

#endif
