// The x86 instruction-set extensions Neurona's kernels use, read from the processor itself
// (cpuid) and checked against what the operating system saves on a context switch (xgetbv):
// a CPU with AVX-512 under a kernel that does not save the zmm registers must not run them.
// Off x86-64 every field is 0.
#ifndef NEURONA_CPUID_FEATURES_H
#define NEURONA_CPUID_FEATURES_H

typedef struct {
  int avx2, fma;                      // AVX2 and FMA3, with the ymm state saved by the OS
  int avx512f, avx512bw, avx512vl, avx512dq;  // with the opmask and zmm state saved too
  int isAMD, isIntel;
  unsigned family, model;             // display family and model, as /proc/cpuinfo shows them
} NeuronaCPUFeatures;

/// Reads the features once per call (cheap: a handful of cpuid instructions).
NeuronaCPUFeatures neurona_cpu_features(void);

#endif
