// libFuzzer target: what `segment` and `classify` do with a file: sniff the format from the
// bytes, decode, then the first steps of inference (resize to a working size, float planes).
import FuzzSupport
import NeuronaImage

func fuzzImage(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let bytes = fuzzBytes(data, size)
  _ = ImageFormat.sniff(bytes)
  guard let image = try? Image.decode(bytes, name: "fuzz", pixelLimit: fuzzPixelLimit) else {
    return 0
  }
  if let small = try? image.resized(width: 7, height: 5) {
    let mean = [Float](repeating: 0.5, count: small.channels)
    let std = [Float](repeating: 0.25, count: small.channels)
    if let planes = try? small.floatPlanes(mean: mean, std: std) {
      precondition(planes.count == 7 * 5 * small.channels)
    }
  }
  return 0
}

runFuzzer(fuzzImage)
