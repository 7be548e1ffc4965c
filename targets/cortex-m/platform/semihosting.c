/*
 * Semihosting calls for M-profile cores: BKPT 0xAB with the operation number
 * in r0 and the parameter in r1, result in r0. Operation numbers and reason
 * codes are from Arm's "Semihosting for AArch32 and AArch64", release 2020Q4
 * (github.com/ARM-software/abi-aa, semihosting/semihosting.rst).
 */
#include "platform.h"

#define SYS_WRITEC 0x03u
#define SYS_WRITE0 0x04u
#define SYS_EXIT 0x18u
#define SYS_EXIT_EXTENDED 0x20u

#define ADP_STOPPED_APPLICATION_EXIT 0x20026u
#define ADP_STOPPED_RUN_TIME_ERROR_UNKNOWN 0x20023u

static uint32_t semihosting_call(uint32_t operation, const void *parameter)
{
    register uint32_t r0 __asm__("r0") = operation;
    register const void *r1 __asm__("r1") = parameter;
    /* "memory": the host reads the block that r1 points to. */
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void platform_write(const char *text)
{
    semihosting_call(SYS_WRITE0, text);
}

void platform_write_char(char c)
{
    /* SYS_WRITEC takes a pointer to the character, not the character. */
    semihosting_call(SYS_WRITEC, &c);
}

void platform_exit(int status)
{
    if (status == 0) {
        /* On 32-bit cores SYS_EXIT takes the reason code itself, not a block,
         * and the host exits with 0 for ApplicationExit and 1 otherwise. */
        semihosting_call(SYS_EXIT, (const void *)ADP_STOPPED_APPLICATION_EXIT);
    } else {
        const uint32_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint32_t)status};
        semihosting_call(SYS_EXIT_EXTENDED, block);
        /* Only reached when the host lacks SYS_EXIT_EXTENDED: end with a
         * failure status, which SYS_EXIT reports as 1. */
        semihosting_call(SYS_EXIT, (const void *)ADP_STOPPED_RUN_TIME_ERROR_UNKNOWN);
    }
    /* Only reached without a semihosting host. */
    for (;;) {
        __asm__ volatile("wfi");
    }
}
