#include <stdio.h>
int main(void)
{
    puts("ecrconform: not built yet");
    return 0;
}
