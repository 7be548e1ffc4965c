/*
 * A minimal stand-in for the Arduino core's Arduino.h, for tests on machines without an
 * Arduino core. It declares only what the example sketches of the arduino target use: the
 * setup() and loop() entry points and the Serial object. Serial has the Print overloads of
 * the core (ArduinoCore-API Print.h), so overload resolution of Serial.print() calls is the
 * same as with a real core. arduino_shim.cpp implements it for QEMU.
 *
 * The Arduino build adds "#include <Arduino.h>" in front of a sketch; the tests do the same
 * with g++ -include Arduino.h.
 */
#ifndef RANKCODE_TEST_ARDUINO_H
#define RANKCODE_TEST_ARDUINO_H

#include <stddef.h>
#include <stdint.h>

#define DEC 10

class HardwareSerial {
 public:
  void begin(unsigned long baud);
  /* Bytes that can be read now. */
  int available();
  /* The next byte as 0..255, or -1 when none is available. */
  int read();

  size_t print(const char text[]);
  size_t print(char c);
  size_t print(unsigned char value, int base = DEC);
  size_t print(int value, int base = DEC);
  size_t print(unsigned int value, int base = DEC);
  size_t print(long value, int base = DEC);
  size_t print(unsigned long value, int base = DEC);
  size_t print(double value, int digits = 2);

  size_t println(const char text[]);
  size_t println();
};

extern HardwareSerial Serial;

void setup();
void loop();

#endif
