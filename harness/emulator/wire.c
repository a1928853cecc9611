#include "wire.h"
#include "ecr/json.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

json_object *ecremu_wire_parse(const char *body, size_t len)
{
    size_t i = 0;
    while (i < len && strchr(" \t\r\n", body[i]))
        i++;
    if (i == len)
        return json_object_new_object();
    /* Strict, and nothing may follow the value (an embedded NUL included);
     * duplicate keys are left to json-c (the last wins), as before. */
    return ecr_json_parse(body, len, ECR_JSON_STRICT, NULL, NULL, NULL);
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

void ecremu_wire_uuid(char out[37])
{
    unsigned char b[16];
    if (RAND_bytes(b, sizeof b) != 1)
        memset(b, 0, sizeof b);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}
