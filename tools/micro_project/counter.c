/* See counter.h. */
#include "counter.h"

#if defined(__riscv)

void counter_start(void) {}

uint64_t counter_read(void) {
  uint32_t hi, lo, hi2;
  do {
    __asm__ volatile("rdinstreth %0" : "=r"(hi));
    __asm__ volatile("rdinstret %0" : "=r"(lo));
    __asm__ volatile("rdinstreth %0" : "=r"(hi2));
  } while (hi != hi2);
  return ((uint64_t)hi << 32) | lo;
}

const char* counter_unit(void) { return "instret"; }

#else

#define SYST_CSR (*(volatile uint32_t*)0xE000E010)
#define SYST_RVR (*(volatile uint32_t*)0xE000E014)
#define SYST_CVR (*(volatile uint32_t*)0xE000E018)

static volatile uint32_t g_wraps;

void SysTick_Handler(void) { ++g_wraps; }

void counter_start(void) {
  SYST_RVR = 0xFFFFFFu;
  SYST_CVR = 0;
  g_wraps = 0;
  SYST_CSR = 7u; /* enable, interrupt on wrap, core clock */
  /* The current value reads 0 until the first reload. */
  while (SYST_CVR == 0) {
  }
}

uint64_t counter_read(void) {
  uint32_t wraps, value;
  do {
    wraps = g_wraps;
    value = SYST_CVR;
  } while (wraps != g_wraps);
  return (uint64_t)wraps * 0x1000000u + (0xFFFFFFu - value);
}

const char* counter_unit(void) { return "systick"; }

#endif
