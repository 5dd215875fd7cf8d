/* Semihosting for Arm M-profile (BKPT 0xAB) and RISC-V (the
 * slli/ebreak/srai sequence); operation numbers are Arm's. */
#include "semihost.h"

#include <stdint.h>

enum {
  kSysWrite0 = 0x04,
  kSysExit = 0x18,
  kAdpStoppedApplicationExit = 0x20026,
  kAdpStoppedRunTimeErrorUnknown = 0x20023,
};

static uintptr_t semihost_call(uintptr_t op, uintptr_t arg) {
#if defined(__arm__)
  register uintptr_t r0 __asm__("r0") = op;
  register uintptr_t r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
#elif defined(__riscv)
  register uintptr_t a0 __asm__("a0") = op;
  register uintptr_t a1 __asm__("a1") = arg;
  /* The three instructions must be uncompressed and in one page. */
  __asm__ volatile(
      ".option push\n"
      ".option norvc\n"
      ".balign 16\n"
      "slli x0, x0, 0x1f\n"
      "ebreak\n"
      "srai x0, x0, 7\n"
      ".option pop\n"
      : "+r"(a0)
      : "r"(a1)
      : "memory");
  return a0;
#else
#error "semihosting: unsupported architecture"
#endif
}

void semihost_write0(const char* text) {
  semihost_call(kSysWrite0, (uintptr_t)text);
}

void semihost_exit(int status) {
  semihost_call(kSysExit, status == 0 ? kAdpStoppedApplicationExit
                                      : kAdpStoppedRunTimeErrorUnknown);
  for (;;) {
  }
}
