/* placeholder until the emulator lands */
#include "emulator.h"
#include <stddef.h>
ecr_result emu_start(const emu_config *cfg, emu **out)
{
    (void)cfg;
    *out = NULL;
    return ECR_EUNSUPPORTED;
}
unsigned short emu_port(const emu *e)
{
    (void)e;
    return 0;
}
void emu_stop(emu *e)
{
    (void)e;
}
