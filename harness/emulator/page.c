#include "page.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecr/base64.h"
#include "ecr/util.h"

#define TOKEN_MAGIC "ecremu1"
/* No token this emulator makes is longer (a 256-byte scope, two numbers). */
#define TOKEN_MAX 1024

/* The rule text of an invalid nextToken (docs/EMULATOR.md, inferred). */
#define TOKEN_RULE "Member must be a nextToken returned by an earlier call of this operation"

static int parse_u64(const char *s, char **end, unsigned long long *out)
{
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    *out = strtoull(s, end, 10);
    return errno ? -1 : 0;
}

/* Decodes token; returns 0 when it is ours for op and scope. */
static int read_token(const char *token, const char *op, const char *scope, unsigned long long *k1,
                      unsigned long long *k2)
{
    size_t len = strlen(token);
    unsigned char *text;
    size_t n;
    if (len > TOKEN_MAX || ecr_base64_decode(token, len, &text, &n) != ECR_OK)
        return -1;
    int ok = 0;
    size_t mlen = strlen(TOKEN_MAGIC), oplen = strlen(op);
    char *p = (char *)text, *end;
    if (strlen(p) == n && strncmp(p, TOKEN_MAGIC " ", mlen + 1) == 0) {
        p += mlen + 1;
        if (strncmp(p, op, oplen) == 0 && p[oplen] == ' ') {
            p += oplen + 1;
            if (parse_u64(p, &end, k1) == 0 && *end == ' ' && parse_u64(end + 1, &end, k2) == 0 &&
                *end == ' ' && strcmp(end + 1, scope) == 0)
                ok = 1;
        }
    }
    free(text);
    return ok ? 0 : -1;
}

int ecremu_page_begin(op_call *c, const char *scope, int has_max, long long max, const char *token,
                      page *p)
{
    memset(p, 0, sizeof *p);
    p->limit = has_max ? (size_t)max : PAGE_DEFAULT;
    if (!token)
        return 0;
    if (read_token(token, c->op, scope, &p->k1, &p->k2))
        return ecremu_op_invalid(c, "nextToken", TOKEN_RULE);
    p->resume = 1;
    return 0;
}

int ecremu_page_take(page *p, unsigned long long k1, unsigned long long k2)
{
    if (p->resume && (k1 < p->k1 || (k1 == p->k1 && k2 <= p->k2)))
        return 0;
    if (p->count >= p->limit) {
        p->more = 1;
        return 0;
    }
    p->count++;
    p->last1 = k1;
    p->last2 = k2;
    return 1;
}

int ecremu_page_finish(const op_call *c, const char *scope, const page *p, json_object *out)
{
    if (!p->more)
        return 0;
    char *text = ecr_asprintf(TOKEN_MAGIC " %s %llu %llu %s", c->op, p->last1, p->last2, scope);
    char *token = text ? ecr_base64_encode(text, strlen(text)) : NULL;
    free(text);
    json_object *v = token ? json_object_new_string(token) : NULL;
    free(token);
    if (!v || json_object_object_add(out, "nextToken", v)) {
        json_object_put(v);
        return -1;
    }
    return 0;
}
