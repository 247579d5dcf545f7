// libFuzzer target: model files as `classify` and `segment` load them: safetensors parsing,
// the Neurona metadata checks, then rebuilding a classifier or segmenter from the metadata and
// loading the weights into it. Seeds: small classifier and segmenter files (Fuzz/Seeds/model).
import Foundation
import FuzzSupport
import Neurona
import NeuronaVision

func fuzzModelFile(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let bytes = fuzzBytes(data, size)
  _ = try? SafeTensors.decode(Data(bytes))
  let path = scratchFile(bytes)
  _ = try? ModelFile.read(path)
  _ = try? Classifier.load(path)
  _ = try? Segmenter.load(path)
  return 0
}

runFuzzer(fuzzModelFile)
