// The one place that decides which instruction set's convolution kernels run: the widest
// CPUFeatures allows (NEURONA_ISA caps it). The paths that use them (packed products,
// Winograd F(4×4), direct convolution, depthwise rows, the convolutions' epilogue) are taken
// only at the AVX2 level or above.
import NeuronaAVX2
import NeuronaAVX512
import NeuronaKernels

enum ConvolutionKernels {
  /// AVX-512's set where it runs, else AVX2's.
  static let active: VectorKernelSet = CPUFeatures.hasAVX512 ? avx512Kernels : avx2Kernels
}
