#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_parse_int(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int cli_is_account_id(const char *s)
{
    return strlen(s) == 12 && strspn(s, "0123456789") == 12;
}
