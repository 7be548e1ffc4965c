/* Never exits, so that the runner's timeout has to kill QEMU. */
#include "platform.h"

int main(void)
{
    platform_write("hanging\n");
    for (;;) {
        __asm__ volatile("nop");
    }
}
