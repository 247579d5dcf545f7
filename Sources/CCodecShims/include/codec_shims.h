// CCodecShims: libjpeg(-turbo) decode and encode wrappers that return a status and a message.
//
// libjpeg reports errors through error_exit(), which by default prints and calls exit(). Swift
// cannot setjmp, so these C functions install an error manager that longjmps back to a status
// code. They also make the end-of-data warning fatal (libjpeg would pad a truncated file with
// grey) and bound the number of progressive scans (a crafted file could otherwise take hours).
// PNG decoding uses libpng's full API here too (setjmp again): libpng 1.6.39's simplified
// png_image_* reader gamma-corrects files with a gAMA chunk and mis-assembles Adam7-interlaced
// 16-bit images when scaling them to 8 bits; the full API reads the stored samples as they are.
// PNG encoding uses the simplified writer directly from Swift (it needs no shim).
#ifndef NEURONA_CODEC_SHIMS_H
#define NEURONA_CODEC_SHIMS_H

#include <stddef.h>
#include <stdint.h>

/// Outcome of a shim call; every non-zero status comes with a message.
typedef enum {
  NCS_OK = 0,
  NCS_TRUNCATED = 1,    ///< the data ended before the image did
  NCS_CORRUPT = 2,      ///< malformed data
  NCS_UNSUPPORTED = 3,  ///< valid JPEG this build cannot decode (e.g. 12-bit samples)
  NCS_NO_MEMORY = 4,    ///< an allocation failed
  NCS_BAD_ARGUMENT = 5  ///< the caller passed something the codec cannot take
} ncs_status;

/// Header facts of a JPEG, available after ncs_jpeg_read_header.
typedef struct {
  uint32_t width;          ///< output width (after any DCT scaling chosen by ncs_jpeg_set_scale)
  uint32_t height;         ///< output height
  int components;          ///< output samples per pixel: 1 grey, 3 RGB, 4 CMYK
  int adobe_inverted_cmyk; ///< 1 when the CMYK samples are stored inverted (Adobe APP14 marker)
  const uint8_t *exif;     ///< payload of the first APP1 "Exif" marker, or NULL; owned by decoder
  size_t exif_size;
} ncs_jpeg_info;

/// A JPEG decoder: read the header, check the size, then decode into a caller's buffer.
typedef struct ncs_jpeg_decoder ncs_jpeg_decoder;

/// Creates a decoder, or returns NULL when out of memory.
ncs_jpeg_decoder *ncs_jpeg_decoder_create(void);
/// Frees the decoder and everything libjpeg allocated for it.
void ncs_jpeg_decoder_destroy(ncs_jpeg_decoder *decoder);
/// The message of the last failure (empty when none); valid until the next call.
const char *ncs_jpeg_message(const ncs_jpeg_decoder *decoder);

/// Parses the markers up to the first scan. `data` must stay valid until decoding ends.
int ncs_jpeg_read_header(ncs_jpeg_decoder *decoder, const uint8_t *data, size_t size,
                         ncs_jpeg_info *info);
/// Asks libjpeg to decode at 1/denominator of the size (1, 2, 4 or 8); updates info's size.
int ncs_jpeg_set_scale(ncs_jpeg_decoder *decoder, unsigned denominator, ncs_jpeg_info *info);
/// Decodes all rows into `pixels` (height rows of `row_stride` bytes, info.components per pixel).
int ncs_jpeg_decode(ncs_jpeg_decoder *decoder, uint8_t *pixels, size_t row_stride);

/// Encodes 8-bit grey (components 1) or RGB (components 3) pixels as a baseline JPEG with 4:2:0
/// chroma subsampling. On success *output is a malloc'd buffer the caller frees with ncs_free.
int ncs_jpeg_encode(const uint8_t *pixels, uint32_t width, uint32_t height, int components,
                    size_t row_stride, int quality, uint8_t **output, size_t *output_size,
                    char *message, size_t message_size);

/// Header facts of a PNG, available after ncs_png_read_header.
typedef struct {
  uint32_t width;
  uint32_t height;
  int channels;   ///< output samples per pixel: 1 grey, 3 RGB, 4 RGBA (grey+alpha and tRNS → 4)
  int bit_depth;  ///< bits per sample in the file (1, 2, 4, 8, 16)
  int interlaced; ///< 1 for Adam7
  const uint8_t *exif;  ///< the eXIf chunk's payload (a TIFF header), or NULL; owned by decoder
  size_t exif_size;
  const char *xmp;      ///< the XMP packet of an iTXt "XML:com.adobe.xmp" chunk, or NULL; owned
  size_t xmp_size;
} ncs_png_info;

/// A PNG decoder over bytes in memory: read the header, check the size, then decode.
typedef struct ncs_png_decoder ncs_png_decoder;

/// Creates a decoder over `data` (which must stay valid until it is destroyed), or NULL.
ncs_png_decoder *ncs_png_decoder_create(const uint8_t *data, size_t size);
/// Frees the decoder and libpng's state.
void ncs_png_decoder_destroy(ncs_png_decoder *decoder);
/// The message of the last failure (empty when none).
const char *ncs_png_message(const ncs_png_decoder *decoder);
/// Reads the signature and the chunks before the image data.
/// With `sixteen_bit_grey` set, the output is one 16-bit host-order grey channel instead.
int ncs_png_read_header(ncs_png_decoder *decoder, int sixteen_bit_grey, ncs_png_info *info);
/// Decodes every row into `pixels` (height rows of `row_stride` bytes).
int ncs_png_decode(ncs_png_decoder *decoder, uint8_t *pixels, size_t row_stride);

/// Frees a buffer returned by a shim function.
void ncs_free(void *pointer);

#endif
