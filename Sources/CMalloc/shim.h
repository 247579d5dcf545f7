// glibc malloc tuning (mallopt): see Neurona/Kernels/Allocator.swift.
#include <malloc.h>
