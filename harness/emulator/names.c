#include "names.h"

#include <string.h>

/* Character classes in the C locale's terms, whatever the locale is. */
static int lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int alnum(char c)
{
    return lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

static int hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* One path component: runs of [a-z0-9] separated by exactly one of ".", "_",
 * "__" or "-+". A run of separator characters between two runs is maximal,
 * so it must be one of those as a whole. Returns the end of the component
 * (at '/' or NUL), or NULL when it does not match. */
static const char *component(const char *p)
{
    if (!lower_alnum(*p))
        return NULL;
    for (;;) {
        while (lower_alnum(*p))
            p++;
        if (*p == '\0' || *p == '/')
            return p;
        const char *sep = p;
        while (*p && *p != '/' && !lower_alnum(*p))
            p++;
        size_t n = (size_t)(p - sep);
        int ok = (n == 1 && (sep[0] == '.' || sep[0] == '_')) ||
                 (n == 2 && sep[0] == '_' && sep[1] == '_') || strspn(sep, "-") >= n;
        if (!ok || !lower_alnum(*p))
            return NULL;
    }
}

int ecremu_names_repo_ok(const char *s)
{
    for (const char *p = s;; p++) {
        p = component(p);
        if (!p)
            return 0;
        if (*p == '\0')
            return 1;
    }
}

int ecremu_names_digest_ok(const char *s)
{
    const char *p = s;
    while (alnum(*p) || *p == '_' || *p == '+' || *p == '.' || *p == '-')
        p++;
    if (p == s || *p != ':')
        return 0;
    const char *h = ++p;
    while (hex(*p))
        p++;
    return p > h && *p == '\0';
}

int ecremu_names_tag_ok(const char *s)
{
    const char *p = s;
    while (alnum(*p) || *p == '_' || *p == '.' || *p == '-')
        p++;
    return p > s && *p == '\0';
}

int ecremu_names_registry_ok(const char *s)
{
    for (int i = 0; i < 12; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return s[12] == '\0';
}
