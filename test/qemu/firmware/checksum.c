/*
 * Fills a .bss buffer from a linear congruential generator seeded from .data,
 * hashes it with 32-bit FNV-1a and prints the hash. The test computes the
 * same value, so a wrong .data copy, a .bss left dirty or a formatting bug
 * changes the output. Also prints formatter edge cases.
 */
#include "platform.h"

#define BUFFER_SIZE 4096u

/* Not static, so the compiler cannot fold their initial values. */
uint32_t generator_state = 12345u;
uint8_t buffer[BUFFER_SIZE];

int main(void)
{
    uint32_t bss_sum = 0u;
    uint32_t hash = 2166136261u; /* FNV-1a 32-bit offset basis */
    uint32_t i;

    for (i = 0; i < BUFFER_SIZE; i++) {
        bss_sum += buffer[i];
    }
    platform_write("bss_sum ");
    platform_write_u32(bss_sum);
    platform_write("\n");

    for (i = 0; i < BUFFER_SIZE; i++) {
        generator_state = generator_state * 1664525u + 1013904223u;
        buffer[i] = (uint8_t)(generator_state >> 24);
    }
    for (i = 0; i < BUFFER_SIZE; i++) {
        hash ^= buffer[i];
        hash *= 16777619u; /* FNV-1a 32-bit prime */
    }

    platform_write("checksum ");
    platform_write_u32(hash);
    platform_write(" ");
    platform_write_hex32(hash);
    platform_write(" ");
    platform_write_i32((int32_t)hash);
    platform_write("\n");

    platform_write("format ");
    platform_write_i32(INT32_MIN);
    platform_write_char(' ');
    platform_write_i32(-1);
    platform_write_char(' ');
    platform_write_i32(0);
    platform_write_char(' ');
    platform_write_i32(INT32_MAX);
    platform_write_char(' ');
    platform_write_u32(UINT32_MAX);
    platform_write_char(' ');
    platform_write_u64(UINT64_MAX);
    platform_write_char(' ');
    platform_write_u64(0u);
    platform_write_char(' ');
    platform_write_hex32(0xDEADBEEFu);
    platform_write_char(' ');
    platform_write_hex32(0u);
    platform_write_char('\n');
    return 0;
}
