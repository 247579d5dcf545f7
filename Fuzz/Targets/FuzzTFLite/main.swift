// libFuzzer target: TensorFlow Lite files as `segment import` reads them: the FlatBuffer walk
// of TFLiteFile (offsets, vectors, strings, buffers all taken from the input), then the person
// segmenter's weight mapping. Seeds: a small model written by the tests' fixture builder.
import Foundation
import FuzzSupport
import NeuronaVision

func fuzzTFLite(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let bytes = fuzzBytes(data, size)
  if let file = try? TFLiteFile(data: Data(bytes)) {
    _ = try? PersonSegmenterImport.parameters(from: file)
  }
  return 0
}

runFuzzer(fuzzTFLite)
