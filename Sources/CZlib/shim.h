// zlib: reads the gzip'd IDX files of the Fashion-MNIST Debian package.
#include <zlib.h>
