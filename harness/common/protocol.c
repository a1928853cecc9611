/* protocol.c: see ecr/protocol.h. */
#include "ecr/protocol.h"

#include <string.h>

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int ecr_is_account_id(const char *s)
{
    if (!s || strlen(s) != 12)
        return 0;
    for (size_t i = 0; i < 12; i++)
        if (!is_digit(s[i]))
            return 0;
    return 1;
}

int ecr_valid_amz_date(const char *d)
{
    if (!d || strlen(d) != 16 || d[8] != 'T' || d[15] != 'Z')
        return 0;
    for (int i = 0; i < 15; i++)
        if (i != 8 && !is_digit(d[i]))
            return 0;
    return 1;
}
