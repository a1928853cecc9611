#include "wire.h"
#include "ecr/json.h"

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
