#include "wire.h"
#include "ecr/json.h"

#include <openssl/rand.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

json_object *ecremu_wire_parse(const char *body, size_t len)
{
    size_t i = 0;
    /* body[i] first: strchr finds the terminator, so a NUL would pass for
     * whitespace and a body of NULs for an empty one */
    while (i < len && body[i] && strchr(" \t\r\n", body[i]))
        i++;
    if (i == len)
        return json_object_new_object();
    /* Strict, and nothing may follow the value (an embedded NUL included);
     * duplicate keys are left to json-c (the last wins), as before. */
    return ecr_json_parse(body, len, ECR_JSON_STRICT, NULL, NULL, NULL);
}

static int kept(const char *const *keep, const char *path)
{
    for (; keep && *keep; keep++)
        if (strcmp(*keep, path) == 0)
            return 1;
    return 0;
}

/* path holds the member path of o (plen bytes, NUL-terminated, in a buffer
 * of NUL_PATH_MAX); keep is nonzero inside a kept member. */
#define NUL_PATH_MAX 128
static int nul_to_del(json_object *o, const char *const *keep_list, char *path, size_t plen,
                      int keep, size_t *n)
{
    switch (json_object_get_type(o)) {
    case json_type_string: {
        size_t len = (size_t)json_object_get_string_len(o);
        const char *s = json_object_get_string(o);
        if (strlen(s) == len)
            return 0;
        for (size_t i = 0; i < len; i++)
            *n += !s[i];
        if (keep)
            return 0;
        char *copy = malloc(len + 1);
        if (!copy)
            return -1;
        memcpy(copy, s, len + 1);
        for (size_t i = 0; i < len; i++)
            if (!copy[i])
                copy[i] = 0x7f;
        int rc = json_object_set_string_len(o, copy, (int)len) ? 0 : -1;
        free(copy);
        return rc;
    }
    case json_type_array:
        for (size_t i = 0, len = json_object_array_length(o); i < len; i++)
            if (nul_to_del(json_object_array_get_idx(o, i), keep_list, path, plen, keep, n))
                return -1;
        return 0;
    case json_type_object: {
        json_object_object_foreach (o, key, val) {
            int w = snprintf(path + plen, NUL_PATH_MAX - plen, "%s%s", plen ? "." : "", key);
            /* a path too long for the buffer keeps nothing below it: its
             * NULs are replaced, the safe side */
            int fits = w >= 0 && (size_t)w < NUL_PATH_MAX - plen;
            const char *const *below = fits ? keep_list : NULL;
            size_t end = fits ? plen + (size_t)w : plen;
            path[end] = '\0';
            if (nul_to_del(val, below, path, end, keep || (fits && kept(below, path)), n))
                return -1;
            path[plen] = '\0';
        }
        return 0;
    }
    default:
        return 0;
    }
}

int ecremu_wire_nul_to_del(json_object *o, const char *const *keep, size_t *n)
{
    char path[NUL_PATH_MAX] = "";
    return nul_to_del(o, keep, path, 0, 0, n);
}

json_object *ecremu_wire_error(const char *type, const char *message)
{
    json_object *o = json_object_new_object();
    if (!o)
        return NULL;
    if (json_object_object_add(o, "__type", json_object_new_string(type)) ||
        json_object_object_add(o, "message", json_object_new_string(message ? message : ""))) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

const char *ecremu_wire_text(json_object *o)
{
    return ecr_json_text(o);
}

json_object *ecremu_wire_time(double epoch_seconds)
{
    char text[64];
    snprintf(text, sizeof text, "%.3f", epoch_seconds);
    return json_object_new_double_s(epoch_seconds, text);
}

/* Request ids need to be unique, not secret: a per-thread xoshiro256**
 * generator, seeded once per thread from RAND_bytes (or, should that fail,
 * from the clock and the thread), replaces a RAND_bytes call per request. */
static _Thread_local uint64_t rng[4];
static _Thread_local int rng_seeded;

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t next_random(void)
{
    if (!rng_seeded) {
        if (RAND_bytes((unsigned char *)rng, sizeof rng) != 1) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            rng[0] = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32);
            rng[1] = (uint64_t)(uintptr_t)&rng_seeded;
            rng[2] = 0x9e3779b97f4a7c15ULL;
            rng[3] = 0xbf58476d1ce4e5b9ULL;
        }
        if (!(rng[0] | rng[1] | rng[2] | rng[3]))
            rng[0] = 1; /* the one state xoshiro cannot leave */
        rng_seeded = 1;
    }
    uint64_t result = rotl(rng[1] * 5, 7) * 9, t = rng[1] << 17;
    rng[2] ^= rng[0];
    rng[3] ^= rng[1];
    rng[1] ^= rng[2];
    rng[0] ^= rng[3];
    rng[2] ^= t;
    rng[3] = rotl(rng[3], 45);
    return result;
}

void ecremu_wire_uuid(char out[37])
{
    static const char hexd[] = "0123456789abcdef";
    unsigned char b[16];
    uint64_t x = next_random(), y = next_random();
    for (int i = 0; i < 8; i++) {
        b[i] = (unsigned char)(x >> (8 * i));
        b[8 + i] = (unsigned char)(y >> (8 * i));
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    char *p = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        *p++ = hexd[b[i] >> 4];
        *p++ = hexd[b[i] & 15];
    }
    *p = '\0';
}
