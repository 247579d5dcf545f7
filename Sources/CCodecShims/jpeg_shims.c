// libjpeg wrappers that turn error_exit() into a returned status (see codec_shims.h).
#include "codec_shims.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jerror.h>
#include <jpeglib.h>

/// Progressive files with more scans than this are refused: libjpeg re-runs the entropy decoder
/// over the whole coefficient buffer per scan, so a few thousand tiny scans can take minutes.
/// Real encoders write about 10; libjpeg-turbo's own tools suggest a limit of 500.
#define NCS_MAX_SCANS 500

/// An error manager that records the failure and jumps back to the shim function.
typedef struct {
  struct jpeg_error_mgr pub;
  jmp_buf jump;
  int status;
  char message[JMSG_LENGTH_MAX + 32];
} ncs_error_mgr;

struct ncs_jpeg_decoder {
  struct jpeg_decompress_struct cinfo;
  ncs_error_mgr error;
  struct jpeg_progress_mgr progress;
  int started;
};

static int status_for_code(int code) {
  switch (code) {
  case JERR_INPUT_EMPTY:
  case JWRN_JPEG_EOF:
    return NCS_TRUNCATED;
  case JERR_BAD_PRECISION:
  case JERR_NOT_COMPILED:
  case JERR_CCIR601_NOTIMPL:
  case JERR_NO_BACKING_STORE:
    return NCS_UNSUPPORTED;
  case JERR_OUT_OF_MEMORY:
  case JERR_VIRTUAL_BUG:
    return NCS_NO_MEMORY;
  default:
    return NCS_CORRUPT;
  }
}

static void fail_with_current_message(j_common_ptr cinfo) {
  ncs_error_mgr *error = (ncs_error_mgr *)cinfo->err;
  error->status = status_for_code(error->pub.msg_code);
  (*cinfo->err->format_message)(cinfo, error->message);
  longjmp(error->jump, 1);
}

static void ncs_error_exit(j_common_ptr cinfo) { fail_with_current_message(cinfo); }

/// Warnings are ignored (real files often carry a few stray bytes), except the end of the data:
/// libjpeg would fill the rest of the picture with grey, which we report as truncation instead.
static void ncs_emit_message(j_common_ptr cinfo, int level) {
  if (level < 0) {
    cinfo->err->num_warnings++;
    if (cinfo->err->msg_code == JWRN_JPEG_EOF) fail_with_current_message(cinfo);
  }
}

static void ncs_output_message(j_common_ptr cinfo) { (void)cinfo; }

static void ncs_progress(j_common_ptr cinfo) {
  if (cinfo->is_decompressor) {
    j_decompress_ptr dinfo = (j_decompress_ptr)cinfo;
    if (dinfo->input_scan_number > NCS_MAX_SCANS) {
      ncs_error_mgr *error = (ncs_error_mgr *)cinfo->err;
      error->status = NCS_CORRUPT;
      snprintf(error->message, sizeof error->message, "more than %d progressive scans",
               NCS_MAX_SCANS);
      longjmp(error->jump, 1);
    }
  }
}

static void install_error_manager(ncs_error_mgr *error) {
  jpeg_std_error(&error->pub);
  error->pub.error_exit = ncs_error_exit;
  error->pub.emit_message = ncs_emit_message;
  error->pub.output_message = ncs_output_message;
  error->status = NCS_OK;
  error->message[0] = '\0';
}

ncs_jpeg_decoder *ncs_jpeg_decoder_create(void) {
  ncs_jpeg_decoder *decoder = calloc(1, sizeof *decoder);
  if (decoder == NULL) return NULL;
  decoder->cinfo.err = &decoder->error.pub;
  install_error_manager(&decoder->error);
  if (setjmp(decoder->error.jump)) {
    free(decoder);
    return NULL;
  }
  jpeg_create_decompress(&decoder->cinfo);
  decoder->progress.progress_monitor = ncs_progress;
  decoder->cinfo.progress = &decoder->progress;
  return decoder;
}

void ncs_jpeg_decoder_destroy(ncs_jpeg_decoder *decoder) {
  if (decoder == NULL) return;
  jpeg_destroy_decompress(&decoder->cinfo);
  free(decoder);
}

const char *ncs_jpeg_message(const ncs_jpeg_decoder *decoder) {
  return decoder->error.message;
}

static void find_exif(ncs_jpeg_decoder *decoder, ncs_jpeg_info *info) {
  info->exif = NULL;
  info->exif_size = 0;
  for (jpeg_saved_marker_ptr m = decoder->cinfo.marker_list; m != NULL; m = m->next) {
    if (m->marker == JPEG_APP0 + 1 && m->data_length >= 6 && memcmp(m->data, "Exif\0\0", 6) == 0) {
      info->exif = m->data + 6;
      info->exif_size = m->data_length - 6;
      return;
    }
  }
}

static void fill_size(ncs_jpeg_decoder *decoder, ncs_jpeg_info *info) {
  info->width = decoder->cinfo.output_width;
  info->height = decoder->cinfo.output_height;
}

int ncs_jpeg_read_header(ncs_jpeg_decoder *decoder, const uint8_t *data, size_t size,
                         ncs_jpeg_info *info) {
  j_decompress_ptr cinfo = &decoder->cinfo;
  install_error_manager(&decoder->error);
  if (setjmp(decoder->error.jump)) {
    jpeg_abort_decompress(cinfo);
    return decoder->error.status;
  }
  jpeg_mem_src(cinfo, data, (unsigned long)size);
  jpeg_save_markers(cinfo, JPEG_APP0 + 1, 0xFFFF);
  jpeg_read_header(cinfo, TRUE);

  switch (cinfo->jpeg_color_space) {
  case JCS_GRAYSCALE:
    cinfo->out_color_space = JCS_GRAYSCALE;
    info->components = 1;
    break;
  case JCS_YCbCr:
  case JCS_RGB:
    cinfo->out_color_space = JCS_RGB;
    info->components = 3;
    break;
  case JCS_CMYK:
  case JCS_YCCK:
    cinfo->out_color_space = JCS_CMYK;
    info->components = 4;
    break;
  default:
    decoder->error.status = NCS_UNSUPPORTED;
    snprintf(decoder->error.message, sizeof decoder->error.message,
             "unsupported JPEG colour space with %d components", cinfo->num_components);
    jpeg_abort_decompress(cinfo);
    return NCS_UNSUPPORTED;
  }
  info->adobe_inverted_cmyk = info->components == 4 && cinfo->saw_Adobe_marker;
  jpeg_calc_output_dimensions(cinfo);
  fill_size(decoder, info);
  find_exif(decoder, info);
  return NCS_OK;
}

int ncs_jpeg_set_scale(ncs_jpeg_decoder *decoder, unsigned denominator, ncs_jpeg_info *info) {
  j_decompress_ptr cinfo = &decoder->cinfo;
  install_error_manager(&decoder->error);
  if (setjmp(decoder->error.jump)) {
    jpeg_abort_decompress(cinfo);
    return decoder->error.status;
  }
  cinfo->scale_num = 1;
  cinfo->scale_denom = denominator;
  jpeg_calc_output_dimensions(cinfo);
  fill_size(decoder, info);
  return NCS_OK;
}

int ncs_jpeg_decode(ncs_jpeg_decoder *decoder, uint8_t *pixels, size_t row_stride) {
  j_decompress_ptr cinfo = &decoder->cinfo;
  install_error_manager(&decoder->error);
  if (setjmp(decoder->error.jump)) {
    jpeg_abort_decompress(cinfo);
    return decoder->error.status;
  }
  jpeg_start_decompress(cinfo);
  JSAMPROW rows[16];
  while (cinfo->output_scanline < cinfo->output_height) {
    JDIMENSION first = cinfo->output_scanline;
    JDIMENSION count = cinfo->output_height - first;
    if (count > 16) count = 16;
    for (JDIMENSION i = 0; i < count; i++) rows[i] = pixels + (size_t)(first + i) * row_stride;
    jpeg_read_scanlines(cinfo, rows, count);
  }
  // Not jpeg_finish_decompress: it would read on to the EOI marker, and a file whose pixels are
  // all present but whose last two bytes are missing is still a good picture.
  jpeg_abort_decompress(cinfo);
  return NCS_OK;
}

int ncs_jpeg_encode(const uint8_t *pixels, uint32_t width, uint32_t height, int components,
                    size_t row_stride, int quality, uint8_t **output, size_t *output_size,
                    char *message, size_t message_size) {
  struct jpeg_compress_struct cinfo;
  ncs_error_mgr error;
  // libjpeg's memory destination reallocates as it grows and keeps this pointer current; it is
  // written after setjmp and read after a longjmp, so volatile.
  unsigned char *volatile buffer = NULL;
  unsigned long size = 0;
  *output = NULL;
  *output_size = 0;
  if ((components != 1 && components != 3) || width == 0 || height == 0 || width > 65500 ||
      height > 65500) {
    snprintf(message, message_size, "JPEG takes 1 or 3 channels and sides of 1 to 65500 pixels");
    return NCS_BAD_ARGUMENT;
  }
  memset(&cinfo, 0, sizeof cinfo);
  cinfo.err = &error.pub;
  install_error_manager(&error);
  if (setjmp(error.jump)) {
    jpeg_destroy_compress(&cinfo);
    free((void *)buffer);
    snprintf(message, message_size, "%s", error.message);
    return error.status == NCS_OK ? NCS_CORRUPT : error.status;
  }
  jpeg_create_compress(&cinfo);
  jpeg_mem_dest(&cinfo, (unsigned char **)&buffer, &size);
  cinfo.image_width = width;
  cinfo.image_height = height;
  cinfo.input_components = components;
  cinfo.in_color_space = components == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, quality < 1 ? 1 : (quality > 100 ? 100 : quality), TRUE);
  jpeg_start_compress(&cinfo, TRUE);
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row = (JSAMPROW)(pixels + (size_t)cinfo.next_scanline * row_stride);
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  *output = buffer;
  *output_size = size;
  return NCS_OK;
}

void ncs_free(void *pointer) { free(pointer); }
