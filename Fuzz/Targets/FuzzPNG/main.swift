// libFuzzer target: PNG decoding (8-bit and 16-bit grey paths). The first 8 bytes are forced
// to the PNG signature, so every input reaches libpng; seeds are the PngSuite fixtures.
import FuzzSupport
import NeuronaImage

func fuzzPNG(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  var bytes = fuzzBytes(data, size)
  let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
  for i in 0..<min(8, bytes.count) { bytes[i] = signature[i] }
  if let image = try? Image.decode(bytes, name: "fuzz.png", pixelLimit: fuzzPixelLimit) {
    precondition(image.pixels.count == image.width * image.height * image.channels)
  }
  if let grey = try? Gray16Image.decode(bytes, name: "fuzz.png", pixelLimit: fuzzPixelLimit) {
    precondition(grey.values.count == grey.width * grey.height)
  }
  return 0
}

runFuzzer(fuzzPNG)
