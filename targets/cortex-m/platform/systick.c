/*
 * A 64-bit SysTick tick counter: the 24-bit hardware counter gives the phase
 * within a reload period, and the SysTick exception counts the periods.
 */
#include "platform.h"
#include "cortex_m4.h"

#if PLATFORM_SYSTICK_RELOAD < 1 || PLATFORM_SYSTICK_RELOAD > SYST_RVR_MAX
#error "PLATFORM_SYSTICK_RELOAD must be between 1 and 0xFFFFFF"
#endif

#define TICKS_PER_PERIOD ((uint32_t)PLATFORM_SYSTICK_RELOAD + 1u)

/* Number of times SYST_CVR has reached 0 since platform_systick_init. */
static volatile uint32_t systick_periods;

void SysTick_Handler(void)
{
    systick_periods++;
}

void platform_systick_init(int use_processor_clock)
{
    uint32_t control = SYST_CSR_TICKINT | SYST_CSR_ENABLE;
    if (use_processor_clock) {
        control |= SYST_CSR_CLKSOURCE;
    }

    SYST_CSR = 0u;
    SYST_RVR = PLATFORM_SYSTICK_RELOAD;
    /* Any write clears the current value, so the first clock edge after
     * enabling loads the reload value. */
    SYST_CVR = 0u;
    systick_periods = 0u;
    SYST_CSR = control;
}

platform_ticks_t platform_ticks_now(void)
{
    uint32_t periods;
    uint32_t current;
    uint32_t phase;

    /* Retry when the exception ran between the two reads of the period
     * count, so that `current` and `periods` belong to the same period. */
    do {
        periods = systick_periods;
        current = SYST_CVR;
    } while (periods != systick_periods);

    /*
     * The counter steps RELOAD, RELOAD-1, ..., 1, 0, RELOAD, ... and the
     * exception fires when it reaches 0. Counting from that moment, the
     * counter has been at 0 for phase 0 and at value v > 0 for phase
     * RELOAD + 1 - v.
     */
    phase = (current == 0u) ? 0u : TICKS_PER_PERIOD - current;
    return (uint64_t)periods * TICKS_PER_PERIOD + phase;
}

platform_ticks_t platform_timer_start(void)
{
    return platform_ticks_now();
}

uint64_t platform_timer_stop(platform_ticks_t start)
{
    return platform_ticks_now() - start;
}

uint32_t platform_systick_calibration(void)
{
    return SYST_CALIB;
}
