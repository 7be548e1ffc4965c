/* Returns EXIT_STATUS from main, or passes it to platform_exit from a nested call when EXIT_FROM_CALL is defined. */
#include "platform.h"

#ifndef EXIT_STATUS
#error "define EXIT_STATUS"
#endif

#ifdef EXIT_FROM_CALL
static void finish(void) __attribute__((noinline, noreturn));

static void finish(void)
{
    platform_exit(EXIT_STATUS);
}
#endif

int main(void)
{
    platform_write("exiting with ");
    platform_write_i32(EXIT_STATUS);
    platform_write("\n");
#ifdef EXIT_FROM_CALL
    finish();
#else
    return EXIT_STATUS;
#endif
}
