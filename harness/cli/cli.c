#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ecr/protocol.h"

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
