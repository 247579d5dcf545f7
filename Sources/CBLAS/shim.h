// OpenBLAS's CBLAS interface plus its thread-count and core-name extensions.
#include <cblas.h>
