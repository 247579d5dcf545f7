// libpng full-API decoding that returns a status instead of longjmp-ing out of Swift
// (see codec_shims.h for why not the simplified API).
#include "codec_shims.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

struct ncs_png_decoder {
  png_structp png;
  png_infop info;
  const uint8_t *data;
  size_t size;
  size_t position;
  int status;
  int sixteen;
  uint32_t height;
  char message[200];
};

static void ncs_png_error(png_structp png, png_const_charp text) {
  ncs_png_decoder *decoder = png_get_error_ptr(png);
  if (decoder->status == NCS_OK) decoder->status = NCS_CORRUPT;
  snprintf(decoder->message, sizeof decoder->message, "%s", text);
  png_longjmp(png, 1);
}

static void ncs_png_warning(png_structp png, png_const_charp text) {
  (void)png;
  (void)text;
}

/// Reads from the memory buffer; running out is truncation, reported as such.
static void ncs_png_read(png_structp png, png_bytep out, png_size_t length) {
  ncs_png_decoder *decoder = png_get_io_ptr(png);
  if (length > decoder->size - decoder->position) {
    decoder->status = NCS_TRUNCATED;
    png_error(png, "read beyond end of data");
  }
  memcpy(out, decoder->data + decoder->position, length);
  decoder->position += length;
}

ncs_png_decoder *ncs_png_decoder_create(const uint8_t *data, size_t size) {
  ncs_png_decoder *decoder = calloc(1, sizeof *decoder);
  if (decoder == NULL) return NULL;
  decoder->data = data;
  decoder->size = size;
  decoder->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, decoder, ncs_png_error,
                                        ncs_png_warning);
  if (decoder->png != NULL) decoder->info = png_create_info_struct(decoder->png);
  if (decoder->png == NULL || decoder->info == NULL) {
    ncs_png_decoder_destroy(decoder);
    return NULL;
  }
  png_set_read_fn(decoder->png, decoder, ncs_png_read);
  // Ancillary-chunk problems (bad CRC in a text chunk, odd iCCP) are warnings, not failures.
  png_set_benign_errors(decoder->png, 1);
  // Width and height are checked against the caller's pixel limit after the header; lift
  // libpng's own default limit of 1 000 000 per side so that check decides.
  png_set_user_limits(decoder->png, 0x7fffffff, 0x7fffffff);
  // Decompression bombs and chunk floods: compressed ancillary chunks may expand to 8 MB at
  // most, and at most 1000 ancillary chunks are kept. The pixel data itself only ever inflates
  // into the rows we allocated after checking the size.
  png_set_chunk_malloc_max(decoder->png, 8000000);
  // Every chunk's CRC-32 is still checked, which covers the image data; zlib's Adler-32 over the
  // same data adds nothing but 4 % of the decode time.
  png_set_option(decoder->png, PNG_IGNORE_ADLER32, PNG_OPTION_ON);
  png_set_chunk_cache_max(decoder->png, 1000);
  // Skip the chunks that cannot change the pixels we return (metadata, colour management, text),
  // so libpng neither parses nor decompresses them. eXIf and iTXt are read: they may hold the
  // orientation (EXIF's tag, or XMP's tiff:Orientation), which turns the picture upright.
  static const png_byte ignored[] = "tEXt\0zTXt\0iCCP\0sPLT\0tIME\0pHYs\0hIST\0"
                                    "sBIT\0oFFs\0pCAL\0sCAL\0gAMA\0cHRM\0sRGB\0bKGD";
  png_set_keep_unknown_chunks(decoder->png, PNG_HANDLE_CHUNK_NEVER, ignored,
                              (int)(sizeof ignored / 5));
  return decoder;
}

void ncs_png_decoder_destroy(ncs_png_decoder *decoder) {
  if (decoder == NULL) return;
  png_destroy_read_struct(&decoder->png, decoder->info ? &decoder->info : NULL, NULL);
  free(decoder);
}

const char *ncs_png_message(const ncs_png_decoder *decoder) { return decoder->message; }

int ncs_png_read_header(ncs_png_decoder *decoder, int sixteen_bit_grey, ncs_png_info *out) {
  png_structp png = decoder->png;
  png_infop info = decoder->info;
  if (setjmp(png_jmpbuf(png))) return decoder->status;
  png_read_info(png, info);
  png_uint_32 width, height;
  int depth, color, interlace;
  png_get_IHDR(png, info, &width, &height, &depth, &color, &interlace, NULL, NULL);
  int has_trns = png_get_valid(png, info, PNG_INFO_tRNS) != 0;
  int channels;
  if (sixteen_bit_grey) {
    // One grey channel: drop alpha, fold colour to grey (Rec. 601 weights), keep 16 bits.
    if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color & PNG_COLOR_MASK_COLOR) png_set_rgb_to_gray_fixed(png, 1, 29900, 58700);
    if (color & PNG_COLOR_MASK_ALPHA) png_set_strip_alpha(png);
    if (depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    png_set_expand_16(png);
    png_set_swap(png);  // PNG is big-endian; hand back host-order UInt16
    channels = 1;
  } else {
    png_set_expand(png);  // palette → RGB, 1/2/4-bit grey → 8 bits, tRNS → alpha
    png_set_scale_16(png);  // 16 → 8 bits: v·255/65535 rounded
    int alpha = (color & PNG_COLOR_MASK_ALPHA) || has_trns;
    int colour = (color & PNG_COLOR_MASK_COLOR) != 0;
    if (alpha && !colour) png_set_gray_to_rgb(png);  // grey+alpha → RGBA
    channels = alpha ? 4 : (colour ? 3 : 1);
  }
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  size_t expected = (size_t)width * (size_t)channels * (sixteen_bit_grey ? 2 : 1);
  if (png_get_rowbytes(png, info) != expected) {
    decoder->status = NCS_UNSUPPORTED;
    snprintf(decoder->message, sizeof decoder->message, "unexpected row layout");
    return NCS_UNSUPPORTED;
  }
  decoder->sixteen = sixteen_bit_grey;
  decoder->height = height;
  out->width = width;
  out->height = height;
  out->channels = channels;
  out->bit_depth = depth;
  out->interlaced = interlace != PNG_INTERLACE_NONE;
  // Orientation, as Pillow and browsers apply it: an eXIf chunk, else XMP's tiff:Orientation
  // (both read only when they come before the image data, where png_read_info sees them).
  out->exif = NULL;
  out->exif_size = 0;
  png_uint_32 exif_size = 0;
  png_bytep exif = NULL;
  if (png_get_eXIf_1(png, info, &exif_size, &exif) != 0 && exif != NULL) {
    out->exif = exif;
    out->exif_size = exif_size;
  }
  out->xmp = NULL;
  out->xmp_size = 0;
  png_textp texts = NULL;
  int text_count = 0;
  if (png_get_text(png, info, &texts, &text_count) > 0) {
    for (int i = 0; i < text_count; i++) {
      if (texts[i].key != NULL && strcmp(texts[i].key, "XML:com.adobe.xmp") == 0 &&
          texts[i].text != NULL) {
        out->xmp = texts[i].text;
        out->xmp_size = texts[i].itxt_length ? texts[i].itxt_length : texts[i].text_length;
        break;
      }
    }
  }
  return NCS_OK;
}

int ncs_png_decode(ncs_png_decoder *decoder, uint8_t *pixels, size_t row_stride) {
  png_structp png = decoder->png;
  uint32_t height = decoder->height;
  png_bytep *volatile rows = malloc(sizeof(png_bytep) * (height ? height : 1));
  if (rows == NULL) {
    snprintf(decoder->message, sizeof decoder->message, "out of memory");
    return NCS_NO_MEMORY;
  }
  if (setjmp(png_jmpbuf(png))) {
    free((void *)rows);
    return decoder->status;
  }
  for (uint32_t y = 0; y < height; y++) rows[y] = pixels + (size_t)y * row_stride;
  // Reads all passes of an interlaced image; no png_read_end: trailing chunks after the pixels
  // (text, a missing IEND) do not change the picture.
  png_read_image(png, (png_bytepp)rows);
  free((void *)rows);
  return NCS_OK;
}
