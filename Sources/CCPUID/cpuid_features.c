// See include/cpuid_features.h. Bits from the Intel SDM, vol. 2A, "CPUID" (leaf 1 ECX, leaf 7
// subleaf 0 EBX) and "XGETBV"; AMD documents the same bits.
#include "cpuid_features.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <string.h>

static unsigned long long read_xcr0(void) {
  unsigned eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return ((unsigned long long)edx << 32) | eax;
}

NeuronaCPUFeatures neurona_cpu_features(void) {
  NeuronaCPUFeatures f;
  memset(&f, 0, sizeof f);
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid(0, &eax, &ebx, &ecx, &edx)) return f;
  unsigned maxLeaf = eax;
  char vendor[13];
  memcpy(vendor, &ebx, 4);
  memcpy(vendor + 4, &edx, 4);
  memcpy(vendor + 8, &ecx, 4);
  vendor[12] = 0;
  f.isAMD = strcmp(vendor, "AuthenticAMD") == 0;
  f.isIntel = strcmp(vendor, "GenuineIntel") == 0;

  __get_cpuid(1, &eax, &ebx, &ecx, &edx);
  unsigned baseFamily = (eax >> 8) & 0xf, baseModel = (eax >> 4) & 0xf;
  f.family = baseFamily == 0xf ? baseFamily + ((eax >> 20) & 0xff) : baseFamily;
  f.model = (baseFamily == 0x6 || baseFamily == 0xf) ? (((eax >> 16) & 0xf) << 4) | baseModel
                                                    : baseModel;
  int osxsave = (ecx >> 27) & 1, fma = (ecx >> 12) & 1;
  if (!osxsave || maxLeaf < 7) return f;
  unsigned long long xcr0 = read_xcr0();
  int ymmSaved = (xcr0 & 0x6) == 0x6;        // SSE and AVX state
  int zmmSaved = (xcr0 & 0xe6) == 0xe6;      // and opmask, ZMM_Hi256, Hi16_ZMM
  __cpuid_count(7, 0, eax, ebx, ecx, edx);
  if (ymmSaved) {
    f.avx2 = (ebx >> 5) & 1;
    f.fma = fma;
  }
  if (ymmSaved && zmmSaved) {
    f.avx512f = (ebx >> 16) & 1;
    f.avx512dq = (ebx >> 17) & 1;
    f.avx512bw = (ebx >> 30) & 1;
    f.avx512vl = (ebx >> 31) & 1;
  }
  return f;
}

#else

NeuronaCPUFeatures neurona_cpu_features(void) {
  NeuronaCPUFeatures f = {0};
  return f;
}

#endif
