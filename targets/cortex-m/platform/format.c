/* Integer formatting for the semihosting console, without printf. */
#include "platform.h"

/* Writes the decimal digits of `value` to `out`, most significant first. */
static size_t format_decimal(char *out, uint64_t value)
{
    char reversed[PLATFORM_U64_CHARS];
    size_t count = 0;
    size_t i;

    do {
        reversed[count++] = (char)('0' + (unsigned)(value % 10u));
        value /= 10u;
    } while (value != 0u);

    for (i = 0; i < count; i++) {
        out[i] = reversed[count - 1u - i];
    }
    out[count] = '\0';
    return count;
}

size_t platform_format_u64(char out[PLATFORM_U64_CHARS], uint64_t value)
{
    return format_decimal(out, value);
}

size_t platform_format_u32(char out[PLATFORM_U32_CHARS], uint32_t value)
{
    return format_decimal(out, value);
}

size_t platform_format_i32(char out[PLATFORM_I32_CHARS], int32_t value)
{
    if (value < 0) {
        /* Negate in unsigned arithmetic: -INT32_MIN overflows int32_t. */
        uint32_t magnitude = 0u - (uint32_t)value;
        out[0] = '-';
        return 1u + format_decimal(out + 1, magnitude);
    }
    return format_decimal(out, (uint32_t)value);
}

size_t platform_format_hex32(char out[PLATFORM_HEX32_CHARS], uint32_t value)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    out[0] = '0';
    out[1] = 'x';
    for (i = 0; i < 8u; i++) {
        unsigned shift = 28u - 4u * (unsigned)i;
        out[2u + i] = digits[(value >> shift) & 0xFu];
    }
    out[10] = '\0';
    return 10u;
}

void platform_write_i32(int32_t value)
{
    char text[PLATFORM_I32_CHARS];
    platform_format_i32(text, value);
    platform_write(text);
}

void platform_write_u32(uint32_t value)
{
    char text[PLATFORM_U32_CHARS];
    platform_format_u32(text, value);
    platform_write(text);
}

void platform_write_u64(uint64_t value)
{
    char text[PLATFORM_U64_CHARS];
    platform_format_u64(text, value);
    platform_write(text);
}

void platform_write_hex32(uint32_t value)
{
    char text[PLATFORM_HEX32_CHARS];
    platform_format_hex32(text, value);
    platform_write(text);
}
