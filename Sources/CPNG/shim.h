// libpng 1.6: the simplified png_image_* API needs no setjmp.
#include <png.h>
