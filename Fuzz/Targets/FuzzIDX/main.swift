// libFuzzer target: the IDX reader of (Fashion-)MNIST, plain and gzip'd (zlib reads both).
// Seeds: small IDX files, plain and compressed (Fuzz/Seeds/idx).
import FuzzSupport
import Neurona
import NeuronaVision

func fuzzIDX(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let path = scratchFile(fuzzBytes(data, size))
  if let file = try? IDXFile.read(contentsOf: path) {
    precondition(file.bytes.count == file.shape.reduce(1, *))
  }
  return 0
}

runFuzzer(fuzzIDX)
