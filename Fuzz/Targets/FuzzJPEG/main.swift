// libFuzzer target: JPEG decoding, at full size and through libjpeg's DCT scaling (the
// minimumSize path), with EXIF orientation. The first 3 bytes are forced to SOI + FF, so every
// input reaches libjpeg; seeds are the JPEG fixtures.
import FuzzSupport
import NeuronaImage

func fuzzJPEG(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  var bytes = fuzzBytes(data, size)
  let signature: [UInt8] = [0xFF, 0xD8, 0xFF]
  for i in 0..<min(3, bytes.count) { bytes[i] = signature[i] }
  for minimum in [nil, (width: 8, height: 8)] as [(width: Int, height: Int)?] {
    if let image = try? Image.decode(
      bytes, name: "fuzz.jpg", pixelLimit: fuzzPixelLimit, minimumSize: minimum)
    {
      precondition(image.pixels.count == image.width * image.height * image.channels)
    }
  }
  return 0
}

runFuzzer(fuzzJPEG)
