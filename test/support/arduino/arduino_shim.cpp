/*
 * Implements the Arduino.h stand-in of this folder for firmware on QEMU's mps2-an386: Serial
 * reads the bytes of arduino_input.h, which the test generates, and writes through the
 * platform's semihosting output. main() calls setup() once and loop() until every input byte
 * has been read, then prints "done". Only the integer and text overloads are defined; the
 * sketches print no floating-point values. The firmware links no C library, so nothing here
 * may call one (GCC turns a string-length loop into a strlen call, for example).
 */
#include "Arduino.h"
#include "arduino_input.h"

extern "C" {
/* From targets/cortex-m/platform/platform.h, which has no C++ linkage guards. */
void platform_write(const char *text);
void platform_write_i32(int32_t value);
void platform_write_u32(uint32_t value);
}

HardwareSerial Serial;

static size_t input_position;

void HardwareSerial::begin(unsigned long baud) {
  (void)baud;
}

int HardwareSerial::available() {
  return input_position < ARDUINO_INPUT_BYTES ? 1 : 0;
}

int HardwareSerial::read() {
  return input_position < ARDUINO_INPUT_BYTES ? arduino_input[input_position++] : -1;
}

/* The print functions return 0 rather than the count of characters written, which the sketches ignore. */
size_t HardwareSerial::print(const char text[]) {
  platform_write(text);
  return 0;
}

size_t HardwareSerial::print(char c) {
  const char text[2] = { c, '\0' };
  return print(text);
}

size_t HardwareSerial::print(unsigned char value, int base) {
  return print((unsigned long)value, base);
}

size_t HardwareSerial::print(int value, int base) {
  return print((long)value, base);
}

size_t HardwareSerial::print(unsigned int value, int base) {
  return print((unsigned long)value, base);
}

/* Decimal only, which is all the sketches use. */
size_t HardwareSerial::print(long value, int base) {
  (void)base;
  platform_write_i32((int32_t)value);
  return 0;
}

size_t HardwareSerial::print(unsigned long value, int base) {
  (void)base;
  platform_write_u32((uint32_t)value);
  return 0;
}

size_t HardwareSerial::println(const char text[]) {
  return print(text) + println();
}

size_t HardwareSerial::println() {
  return print("\n");
}

int main() {
  setup();
  while (Serial.available() > 0) loop();
  platform_write("done\n");
  return 0;
}
