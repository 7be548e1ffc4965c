/*
 * memcpy, memmove, memset and memcmp, which GCC may call even in code that
 * never names them (struct copies, zeroing loops), and which no library
 * provides because firmware links with -nostdlib.
 *
 * The optimize attribute stops GCC from recognizing each loop below as the
 * function itself and compiling it into a call to itself.
 */
#include <string.h>

#define NO_LIBCALL_PATTERNS __attribute__((optimize("no-tree-loop-distribute-patterns")))

NO_LIBCALL_PATTERNS void *memcpy(void *restrict destination, const void *restrict source, size_t size)
{
    unsigned char *to = destination;
    const unsigned char *from = source;
    while (size-- > 0u) {
        *to++ = *from++;
    }
    return destination;
}

NO_LIBCALL_PATTERNS void *memmove(void *destination, const void *source, size_t size)
{
    unsigned char *to = destination;
    const unsigned char *from = source;
    if (to < from) {
        while (size-- > 0u) {
            *to++ = *from++;
        }
    } else if (to > from) {
        /* Overlap with the destination above the source: copy backwards. */
        while (size-- > 0u) {
            to[size] = from[size];
        }
    }
    return destination;
}

NO_LIBCALL_PATTERNS void *memset(void *destination, int value, size_t size)
{
    unsigned char *to = destination;
    while (size-- > 0u) {
        *to++ = (unsigned char)value;
    }
    return destination;
}

NO_LIBCALL_PATTERNS int memcmp(const void *left, const void *right, size_t size)
{
    const unsigned char *a = left;
    const unsigned char *b = right;
    for (; size > 0u; size--, a++, b++) {
        if (*a != *b) {
            return (int)*a - (int)*b;
        }
    }
    return 0;
}
