/* Reset handler and vector table of the exported Cortex-M projects: copies
 * .data, clears .bss, turns the FPU on where the core has one, runs main()
 * and reports its status through semihosting. */
#include <stdint.h>
#include <string.h>

#include "semihost.h"

extern uint32_t __stack_top;
extern uint32_t __data_load, __data_start, __data_end;
extern uint32_t __bss_start, __bss_end;
int main(void);
void SysTick_Handler(void);

void Reset_Handler(void) {
  memcpy(&__data_start, &__data_load,
         (size_t)((char*)&__data_end - (char*)&__data_start));
  memset(&__bss_start, 0, (size_t)((char*)&__bss_end - (char*)&__bss_start));
#if defined(__ARM_FP)
  /* CPACR: full access to CP10 and CP11 (the FPU). */
  *(volatile uint32_t*)0xE000ED88 |= (0xFu << 20);
  __asm__ volatile("dsb\n isb" ::: "memory");
#endif
  semihost_exit(main());
}

static void Fault_Handler(void) {
  semihost_write0("ember micro: fault\n");
  semihost_exit(1);
}

__attribute__((section(".vectors"), used))
const void* const vector_table[16] = {
    &__stack_top,
    (const void*)Reset_Handler,
    (const void*)Fault_Handler,
    (const void*)Fault_Handler,
    (const void*)Fault_Handler,
    (const void*)Fault_Handler,
    (const void*)Fault_Handler,
    0,
    0,
    0,
    0,
    (const void*)Fault_Handler,
    (const void*)Fault_Handler,
    0,
    (const void*)Fault_Handler,
    (const void*)SysTick_Handler,
};
