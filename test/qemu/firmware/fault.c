/* Executes a permanently undefined instruction, which raises a UsageFault escalated to HardFault. */
#include "platform.h"

int main(void)
{
    platform_write("before fault\n");
    __asm__ volatile("udf #0");
    platform_write("after fault\n");
    return 0;
}
