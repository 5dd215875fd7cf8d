// A stand-in for the Arduino core, only for tests/micro/arduino_test.sh:
// just enough of Serial for the exported example sketch, printing through
// semihosting so the sketch runs under QEMU. Not part of any export.
#pragma once

#include <stddef.h>
#include <stdint.h>

class StubSerial {
 public:
  void begin(long) {}
  explicit operator bool() const { return true; }
  size_t print(const char* s);
  size_t print(long v);
  size_t println(const char* s);
  size_t println(long v);
  size_t println();
};

extern StubSerial Serial;

void setup();
void loop();
