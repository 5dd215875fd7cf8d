/* An instruction counter for the exported projects. Under QEMU with
 * -icount shift=0 (one instruction per virtual nanosecond):
 *   RISC-V: the instret CSR, exact retired instructions;
 *   Cortex-M: SysTick on the core clock with wrap counting, so
 *   instructions = ticks * (1e9 / core clock Hz): 40 on the 25 MHz MPS2
 *   boards. */
#ifndef EMBER_MICRO_COUNTER_H_
#define EMBER_MICRO_COUNTER_H_

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

void counter_start(void);
uint64_t counter_read(void);
/* "instret" or "systick": what counter_read() counts. */
const char* counter_unit(void);

#ifdef __cplusplus
}
#endif

#endif /* EMBER_MICRO_COUNTER_H_ */
