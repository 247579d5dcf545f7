// `segment import`: convert MediaPipe's selfie segmenter (a TFLite file) into a Neurona model
// file, once; the result is the shipped Models/person.safetensors.
import ArgumentParser
import Foundation
import NeuronaVision

struct ImportSegmenter: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import",
    abstract: "Convert MediaPipe's selfie segmenter (.tflite) into a Neurona model file.",
    discussion: """
      Reads selfie_segmentation.tflite (MediaPipe, Apache-2.0; the 256×256 general model) \
      directly, maps its weights onto the person segmenter's parameters in PyTorch layouts \
      and writes a safetensors model file that `segment --model FILE` and \
      `segment train --from FILE` use.
      """)

  @Argument(help: "The TFLite model file (selfie_segmentation.tflite).")
  var source: String

  @Option(name: .shortAndLong, help: "Where the model file is written.")
  var output: String

  @Flag(help: "Replace an existing output file.")
  var force = false

  func run() throws {
    if !force, FileManager.default.fileExists(atPath: output) {
      throw VisionError("\(output): already exists (use --force to replace it)")
    }
    let segmenter = try PersonSegmenterImport.segmenter(fromTFLite: source)
    try segmenter.save(to: output, extra: PersonSegmenterImport.provenance)
    print(
      "imported \(segmenter.network.parameterCount) parameters from \(source) into \(output)")
  }
}
