// The stub core's Serial (semihosting, line buffered) and main(): runs
// setup() once, as a board would after reset, then stops the emulation.
#include "Arduino.h"
#include "semihost.h"

StubSerial Serial;

namespace {

char g_line[256];
size_t g_len = 0;

void Flush() {
  g_line[g_len] = '\0';
  semihost_write0(g_line);
  g_len = 0;
}

size_t Put(const char* s) {
  size_t n = 0;
  for (; s[n]; ++n) {
    if (g_len + 1 >= sizeof(g_line)) Flush();
    g_line[g_len++] = s[n];
  }
  return n;
}

size_t PutLong(long v) {
  char buf[24];
  int n = 0;
  unsigned long u = v < 0 ? 0ul - static_cast<unsigned long>(v)
                          : static_cast<unsigned long>(v);
  do {
    buf[n++] = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u);
  if (v < 0) buf[n++] = '-';
  char out[24];
  for (int i = 0; i < n; ++i) out[i] = buf[n - 1 - i];
  out[n] = '\0';
  return Put(out);
}

}  // namespace

size_t StubSerial::print(const char* s) { return Put(s); }
size_t StubSerial::print(long v) { return PutLong(v); }
size_t StubSerial::println(const char* s) { return Put(s) + println(); }
size_t StubSerial::println(long v) { return PutLong(v) + println(); }
size_t StubSerial::println() {
  Put("\n");
  Flush();
  return 1;
}

int main() {
  setup();
  return 0;
}
