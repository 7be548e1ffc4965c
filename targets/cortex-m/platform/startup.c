/*
 * Vector table, reset handler and fault reporting for the Cortex-M4 of
 * QEMU's mps2-an386 machine. The machine resets with VTOR = 0, so the core
 * loads its initial stack pointer and reset vector from the table that the
 * linker script places at address 0.
 */
#include "platform.h"
#include "cortex_m4.h"

/* Symbols defined by mps2_an386.ld. */
extern uint32_t __data_load_start[];
extern uint32_t __data_start[];
extern uint32_t __data_end[];
extern uint32_t __bss_start[];
extern uint32_t __bss_end[];
extern uint32_t __stack_top[];

void Reset_Handler(void) __attribute__((noreturn));
void Fault_Handler(void);
void SysTick_Handler(void);

/* AN386 wires 32 external interrupts to the NVIC (QEMU hw/arm/mps2.c). */
#define EXTERNAL_INTERRUPT_COUNT 32

typedef void (*vector_t)(void);

/*
 * Entries 0 to 15 are the ARMv7-M system exceptions, 16 and above the
 * external interrupts. Every exception except reset and SysTick goes to
 * Fault_Handler, which reports it and exits, because the platform enables
 * no other exception.
 */
__attribute__((section(".vectors"), used))
const vector_t platform_vector_table[16 + EXTERNAL_INTERRUPT_COUNT] = {
    [0] = (vector_t)(uintptr_t)__stack_top,
    [1] = Reset_Handler,
    [2] = Fault_Handler,  /* NMI */
    [3] = Fault_Handler,  /* HardFault */
    [4] = Fault_Handler,  /* MemManage */
    [5] = Fault_Handler,  /* BusFault */
    [6] = Fault_Handler,  /* UsageFault */
    [11] = Fault_Handler, /* SVCall */
    [12] = Fault_Handler, /* DebugMonitor */
    [14] = Fault_Handler, /* PendSV */
    [15] = SysTick_Handler,
    [16 ... 16 + EXTERNAL_INTERRUPT_COUNT - 1] = Fault_Handler,
};

void Reset_Handler(void)
{
    const uint32_t *source = __data_load_start;
    uint32_t *destination;

    /* The linker script aligns both sections to 4 bytes. */
    for (destination = __data_start; destination < __data_end; destination++) {
        *destination = *source++;
    }
    for (destination = __bss_start; destination < __bss_end; destination++) {
        *destination = 0u;
    }

    /* The firmware is built with -mfloat-abi=soft, so the FPU stays off
     * (CPACR keeps its reset value) and any FPU instruction faults. */
    platform_systick_init(1);
    platform_exit(main());
}

/* Reports the exception and its stacked program counter, then exits. */
void platform_report_fault(const uint32_t *exception_frame, uint32_t exception_number)
    __attribute__((noreturn, used));

void platform_report_fault(const uint32_t *exception_frame, uint32_t exception_number)
{
    /* The hardware stacks r0-r3, r12, lr, pc and xPSR, so pc is word 6. */
    platform_write("platform: unexpected exception ");
    platform_write_u32(exception_number);
    platform_write(" at pc ");
    platform_write_hex32(exception_frame[6]);
    platform_write(", CFSR ");
    platform_write_hex32(SCB_CFSR);
    platform_write(", HFSR ");
    platform_write_hex32(SCB_HFSR);
    platform_write("\n");
    platform_exit(PLATFORM_EXIT_FAULT);
}

/*
 * Bit 2 of EXC_RETURN in lr selects the stack that contains the exception
 * frame: 0 for the main stack, 1 for the process stack. IPSR contains the
 * exception number.
 */
__attribute__((naked)) void Fault_Handler(void)
{
    __asm__ volatile(
        "tst lr, #4\n"
        "ite eq\n"
        "mrseq r0, msp\n"
        "mrsne r0, psp\n"
        "mrs r1, ipsr\n"
        "b platform_report_fault\n");
}
