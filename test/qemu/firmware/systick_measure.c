/*
 * Measures loops of exactly known instruction counts with the SysTick
 * counter and prints the readings, one line per case:
 *
 *   calibration <SYST_CALIB in hex>
 *   empty <ticks> x4             start immediately followed by stop
 *   loop_<N> <ticks> x4          a loop of N iterations, 2 * N + 2 instructions
 *   backwards <count>            reads that returned less than the previous one
 *   reference_loop_1000000 <ticks>   the 1000000 loop on the reference clock
 *
 * Build with -DPLATFORM_SYSTICK_RELOAD=<n> to change the reload period.
 */
#include "platform.h"

#define REPEATS 4

/*
 * movw and movt load the count, then subs and bne run once per iteration:
 * 2 * iterations + 2 instructions in all, whatever the compiler does around
 * the block. The count must be between 1 and 0xFFFFFFFF.
 */
#define COUNTED_LOOP(iterations)                                   \
    __asm__ volatile("movw r0, %[low]\n"                           \
                     "movt r0, %[high]\n"                          \
                     "1: subs r0, r0, #1\n"                        \
                     "bne 1b\n"                                    \
                     :                                             \
                     : [low] "i"((iterations) & 0xFFFFu),          \
                       [high] "i"(((iterations) >> 16) & 0xFFFFu) \
                     : "r0", "cc")

#define DEFINE_MEASUREMENT(name, iterations)                 \
    static uint64_t name(void) __attribute__((noinline));    \
    static uint64_t name(void)                               \
    {                                                        \
        platform_ticks_t start = platform_timer_start();     \
        COUNTED_LOOP(iterations);                            \
        return platform_timer_stop(start);                   \
    }

DEFINE_MEASUREMENT(measure_loop_250000, 250000u)
DEFINE_MEASUREMENT(measure_loop_1000000, 1000000u)
DEFINE_MEASUREMENT(measure_loop_5000000, 5000000u)

static uint64_t measure_empty(void) __attribute__((noinline));
static uint64_t measure_empty(void)
{
    platform_ticks_t start = platform_timer_start();
    return platform_timer_stop(start);
}

static void print_repeated(const char *label, uint64_t (*measure)(void))
{
    int i;
    platform_write(label);
    for (i = 0; i < REPEATS; i++) {
        platform_write_char(' ');
        platform_write_u64(measure());
    }
    platform_write_char('\n');
}

static uint32_t count_backward_reads(uint32_t reads)
{
    uint32_t backwards = 0u;
    platform_ticks_t previous = platform_ticks_now();
    uint32_t i;

    for (i = 0; i < reads; i++) {
        platform_ticks_t now = platform_ticks_now();
        if (now < previous) {
            backwards++;
        }
        previous = now;
    }
    return backwards;
}

int main(void)
{
    platform_write("calibration ");
    platform_write_hex32(platform_systick_calibration());
    platform_write_char('\n');

    print_repeated("empty", measure_empty);
    print_repeated("loop_250000", measure_loop_250000);
    print_repeated("loop_1000000", measure_loop_1000000);
    print_repeated("loop_5000000", measure_loop_5000000);

    platform_write("backwards ");
    platform_write_u32(count_backward_reads(200000u));
    platform_write_char('\n');

    /* Last, because it switches SysTick to the reference clock for good. */
    platform_systick_init(0);
    platform_write("reference_loop_1000000 ");
    platform_write_u64(measure_loop_1000000());
    platform_write_char('\n');
    return 0;
}
