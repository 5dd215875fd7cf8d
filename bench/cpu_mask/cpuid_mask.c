// An LD_PRELOAD library that makes a process see an older x86 CPU, so a
// benchmark can run a peer (LiteRT + XNNPACK, which picks its kernels from
// CPUID and has no switch of its own) on the same ISA tier that EMBER_ISA
// forces on Ember. Without it, "Ember on AVX2" is compared with XNNPACK on
// AVX-512 VNNI, which is not the machine a Zen 3 user has.
//
// How: Linux's CPUID faulting (arch_prctl ARCH_SET_CPUID, the "cpuid_fault"
// flag in /proc/cpuinfo) turns every CPUID instruction of this process (and
// the threads and children it creates before an exec) into SIGSEGV. The
// handler runs the real CPUID with faulting briefly off, clears the feature
// bits above the chosen tier, and steps over the instruction.
//
//   EMBER_CPUID_MASK=avx2    AVX2 + FMA: no AVX-512 at all, no AVX-VNNI
//   EMBER_CPUID_MASK=avx512  AVX-512 F/CD/BW/DQ/VL (Skylake-X): no VNNI,
//                            VBMI, BF16, FP16 or AVX-VNNI
//
// Unset: the library does nothing. If the kernel cannot fault CPUID the
// process exits with status 97 and a message, rather than run unmasked.
// Bench tooling only; never linked into Ember.
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

enum { kLeaf7Ebx, kLeaf7Ecx, kLeaf7Edx, kLeaf71Eax, kMaskCount };

// Bits to clear, per register, for each tier.
static uint32_t g_clear[kMaskCount];
static struct sigaction g_previous;

static long SetCpuidEnabled(int enabled) {
  return syscall(SYS_arch_prctl, ARCH_SET_CPUID, enabled);
}

static void RealCpuid(uint32_t leaf, uint32_t sub, uint32_t out[4]) {
  __asm__ volatile("cpuid"
                   : "=a"(out[0]), "=b"(out[1]), "=c"(out[2]), "=d"(out[3])
                   : "a"(leaf), "c"(sub));
}

static void OnSegv(int sig, siginfo_t* info, void* context) {
  ucontext_t* uc = (ucontext_t*)context;
  greg_t* regs = uc->uc_mcontext.gregs;
  const unsigned char* ip = (const unsigned char*)regs[REG_RIP];
  if (ip == NULL || ip[0] != 0x0F || ip[1] != 0xA2) {
    // A real fault: put the old handler back and let the instruction fault
    // again into it.
    sigaction(SIGSEGV, &g_previous, NULL);
    (void)sig;
    (void)info;
    return;
  }
  const uint32_t leaf = (uint32_t)regs[REG_RAX];
  const uint32_t sub = (uint32_t)regs[REG_RCX];
  uint32_t r[4];
  SetCpuidEnabled(1);
  RealCpuid(leaf, sub, r);
  SetCpuidEnabled(0);
  if (leaf == 7 && sub == 0) {
    r[1] &= ~g_clear[kLeaf7Ebx];
    r[2] &= ~g_clear[kLeaf7Ecx];
    r[3] &= ~g_clear[kLeaf7Edx];
  } else if (leaf == 7 && sub == 1) {
    r[0] &= ~g_clear[kLeaf71Eax];
  }
  regs[REG_RAX] = r[0];
  regs[REG_RBX] = r[1];
  regs[REG_RCX] = r[2];
  regs[REG_RDX] = r[3];
  regs[REG_RIP] += 2;
}

#define BIT(n) (1u << (n))

// Leaf 7.0 ECX/EDX and 7.1 EAX bits above the AVX-512 Skylake-X set.
static void ClearAboveSkylakeX(void) {
  g_clear[kLeaf7Ebx] |= BIT(21) | BIT(26) | BIT(27);  // IFMA, PF, ER
  g_clear[kLeaf7Ecx] |= BIT(1) | BIT(6) | BIT(11) | BIT(12) | BIT(14);
  // ^ VBMI, VBMI2, VNNI, BITALG, VPOPCNTDQ
  g_clear[kLeaf7Edx] |= BIT(2) | BIT(3) | BIT(8) | BIT(23);
  // ^ 4VNNIW, 4FMAPS, VP2INTERSECT, FP16
  g_clear[kLeaf71Eax] |= BIT(4) | BIT(5);  // AVX-VNNI, AVX512_BF16
}

__attribute__((constructor)) static void InstallCpuidMask(void) {
  const char* tier = getenv("EMBER_CPUID_MASK");
  if (tier == NULL || tier[0] == '\0') return;
  memset(g_clear, 0, sizeof g_clear);
  if (strcmp(tier, "avx2") == 0) {
    ClearAboveSkylakeX();
    // AVX-512 F, DQ, CD, BW, VL.
    g_clear[kLeaf7Ebx] |= BIT(16) | BIT(17) | BIT(28) | BIT(30) | BIT(31);
  } else if (strcmp(tier, "avx512") == 0) {
    ClearAboveSkylakeX();
  } else {
    fprintf(stderr, "cpuid_mask: EMBER_CPUID_MASK=%s is not avx2 or avx512\n",
            tier);
    _exit(97);
  }
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_sigaction = OnSegv;
  action.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigemptyset(&action.sa_mask);
  if (sigaction(SIGSEGV, &action, &g_previous) != 0 ||
      SetCpuidEnabled(0) != 0) {
    fprintf(stderr,
            "cpuid_mask: this kernel or CPU cannot fault CPUID (no "
            "cpuid_fault flag?); refusing to run unmasked\n");
    _exit(97);
  }
}
