/* Semihosting calls of the exported Ember Micro projects: text out and exit
 * through the debugger interface QEMU implements (-semihosting). No libc
 * stdio (which would bring a heap). */
#ifndef EMBER_MICRO_SEMIHOST_H_
#define EMBER_MICRO_SEMIHOST_H_

#ifdef __cplusplus
extern "C" {
#endif

/* Writes a NUL-terminated string to the host's console. */
void semihost_write0(const char* text);
/* Ends the emulation: status 0 = success, anything else = failure. */
void semihost_exit(int status) __attribute__((noreturn));

#ifdef __cplusplus
}
#endif

#endif /* EMBER_MICRO_SEMIHOST_H_ */
