/*
 * Bare-metal platform for QEMU's mps2-an386 machine (Cortex-M4): startup,
 * semihosting output and exit, integer formatting, and a SysTick tick counter.
 *
 * A firmware defines `int main(void)`. The reset handler initializes .data
 * and .bss, starts the SysTick counter, calls main and passes its return
 * value to platform_exit, so the status of QEMU is the value main returns.
 * Nothing here uses floating point, malloc or the C library.
 */
#ifndef RANKCODE_PLATFORM_H
#define RANKCODE_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

/* Exit status after an unexpected exception: EX_SOFTWARE from sysexits.h. */
#define PLATFORM_EXIT_FAULT 70

/* SysTick clock with SYST_CSR.CLKSOURCE = 1: the processor clock, which
 * QEMU's mps2 machines run at 25 MHz (SYSCLK_FRQ in QEMU hw/arm/mps2.c). */
#define PLATFORM_SYSTICK_HZ 25000000u

/* Instructions per SysTick tick under `qemu-system-arm -icount shift=0`.
 * There the virtual clock advances 2^0 = 1 ns per instruction, and one
 * 25 MHz tick lasts 40 ns. The figure counts instructions, not cycles:
 * QEMU charges 1 ns for every instruction, whatever it costs in hardware. */
#define PLATFORM_INSTRUCTIONS_PER_TICK 40u

/* SysTick reload value. A firmware may define it smaller, for example to
 * test wraparound handling. It must be between 1 and 0xFFFFFF. */
#ifndef PLATFORM_SYSTICK_RELOAD
#define PLATFORM_SYSTICK_RELOAD 0x00FFFFFFu
#endif

/* The firmware's entry point. Its return value is the exit status. */
int main(void);

/* --- Semihosting (BKPT 0xAB): QEMU must run with -semihosting-config enable=on. --- */

/* Writes a NUL-terminated string to the host console (SYS_WRITE0). */
void platform_write(const char *text);

/* Writes one character to the host console (SYS_WRITEC). */
void platform_write_char(char c);

/* Ends the program and makes QEMU exit with `status` (0 to 255 on the host).
 * Status 0 uses SYS_EXIT with ADP_Stopped_ApplicationExit. Other values use
 * SYS_EXIT_EXTENDED, which carries the status. A host that returns from
 * SYS_EXIT_EXTENDED because it lacks the call ends with status 1 instead. */
void platform_exit(int status) __attribute__((noreturn));

/* --- Integer formatting, without printf --- */

/* Buffer sizes including the terminating NUL. */
#define PLATFORM_I32_CHARS 12u   /* "-2147483648" */
#define PLATFORM_U32_CHARS 11u   /* "4294967295" */
#define PLATFORM_U64_CHARS 21u   /* "18446744073709551615" */
#define PLATFORM_HEX32_CHARS 11u /* "0x" and eight lowercase digits */

/* Each formats `value` in decimal, or as 0x%08x for hex32, into `out`,
 * NUL-terminates it and returns the length without the NUL. */
size_t platform_format_i32(char out[PLATFORM_I32_CHARS], int32_t value);
size_t platform_format_u32(char out[PLATFORM_U32_CHARS], uint32_t value);
size_t platform_format_u64(char out[PLATFORM_U64_CHARS], uint64_t value);
size_t platform_format_hex32(char out[PLATFORM_HEX32_CHARS], uint32_t value);

/* Each formats `value` as above and writes it with platform_write. */
void platform_write_i32(int32_t value);
void platform_write_u32(uint32_t value);
void platform_write_u64(uint64_t value);
void platform_write_hex32(uint32_t value);

/* --- SysTick tick counter --- */

/*
 * A 64-bit count of SysTick ticks since reset. SysTick runs from the
 * processor clock (PLATFORM_SYSTICK_HZ) and its exception counts reloads, so
 * intervals longer than one reload period (PLATFORM_SYSTICK_RELOAD + 1 ticks,
 * 0.67 s at 25 MHz) are measured correctly.
 *
 * Under `qemu-system-arm -M mps2-an386 -icount shift=0`, one tick is
 * PLATFORM_INSTRUCTIONS_PER_TICK (40) instructions, so
 * instructions = ticks * 40, with a resolution of one tick: an interval of
 * N instructions reads as floor(N / 40) or ceil(N / 40) ticks, depending on
 * where it starts within a tick. The reading is the same on every run
 * because the virtual clock depends on the instruction stream only.
 * Readings include the few instructions of the start and stop calls and
 * those of each SysTick exception taken in between.
 *
 * The counter needs interrupts enabled (PRIMASK clear), which is the state
 * after reset. The platform never masks them.
 */
typedef uint64_t platform_ticks_t;

/* Returns the current tick count. */
platform_ticks_t platform_ticks_now(void);

/* Returns the tick count at which a measurement starts. */
platform_ticks_t platform_timer_start(void);

/* Returns the ticks elapsed since `start`, a value from platform_timer_start. */
uint64_t platform_timer_stop(platform_ticks_t start);

/* Returns SYST_CALIB, which describes the SysTick reference clock
 * (bits 23:0 are its ticks in 10 ms minus one, bit 31 means no such clock). */
uint32_t platform_systick_calibration(void);

/* Starts SysTick from the given clock source. The reset handler calls it with
 * use_processor_clock = 1 before main. Calling it again restarts the count. */
void platform_systick_init(int use_processor_clock);

#endif
