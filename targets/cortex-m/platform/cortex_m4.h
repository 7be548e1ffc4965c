/*
 * The few Cortex-M4 system registers the platform uses, written out so that
 * the firmware needs no CMSIS headers.
 *
 * Sources:
 * - SysTick registers at 0xE000E010 and their bits: QEMU
 *   hw/timer/armv7m_systick.c, the model that the tests run against.
 * - CFSR and HFSR at offsets 0xD28 and 0xD2C of the System Control Space
 *   (0xE000E000): QEMU hw/intc/armv7m_nvic.c, and the HFSR bit names from the
 *   Arm Cortex-M7 Devices Generic User Guide (DUI 0646C), section 4.3.11.
 */
#ifndef RANKCODE_CORTEX_M4_H
#define RANKCODE_CORTEX_M4_H

#include <stdint.h>

#define CORTEX_M4_REGISTER(address) (*(volatile uint32_t *)(address))

/* SysTick: a 24-bit down counter that reloads from SYST_RVR after reaching 0. */
#define SYST_CSR CORTEX_M4_REGISTER(0xE000E010u)   /* control and status */
#define SYST_RVR CORTEX_M4_REGISTER(0xE000E014u)   /* reload value */
#define SYST_CVR CORTEX_M4_REGISTER(0xE000E018u)   /* current value, cleared by any write */
#define SYST_CALIB CORTEX_M4_REGISTER(0xE000E01Cu) /* calibration, read-only */

#define SYST_CSR_ENABLE (1u << 0)
#define SYST_CSR_TICKINT (1u << 1)
/* 1 selects the processor clock, 0 the external reference clock. */
#define SYST_CSR_CLKSOURCE (1u << 2)

/* Largest reload value: the counter has 24 bits. */
#define SYST_RVR_MAX 0x00FFFFFFu

/* Fault status, read by the fault handler to report the cause. */
#define SCB_CFSR CORTEX_M4_REGISTER(0xE000ED28u) /* MemManage, BusFault and UsageFault status */
#define SCB_HFSR CORTEX_M4_REGISTER(0xE000ED2Cu) /* HardFault status */

#endif
