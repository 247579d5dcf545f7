// `segment import`: convert MediaPipe's selfie segmenter (a TFLite file) into a Neurona model
// file, once; the result is the shipped Models/person.safetensors.
import ArgumentParser
import Foundation
import NeuronaVision

struct ImportSegmenter: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import",
    abstract:
      "Convert MediaPipe's selfie segmenter (.tflite) or a PyTorch UNetSmall state_dict (.safetensors) into a Neurona model file.",
    discussion: """
      A .tflite file: reads selfie_segmentation.tflite (MediaPipe, Apache-2.0; the 256×256 \
      general model) directly and maps its weights onto the person segmenter's parameters \
      in PyTorch layouts. A .safetensors file: a UNetSmall state_dict saved with \
      safetensors.torch.save_file, described by --width, --depth, --channels, --size, \
      --layout, --mean and --std. Either way the result is a model file that \
      `segment --model FILE` and `segment train --from FILE` use.
      """)

  @Argument(help: "The TFLite model file, or a UNetSmall state_dict (.safetensors).")
  var source: String

  @Option(help: "Channels of UNetSmall's first level (state_dict).")
  var width = 16

  @Option(help: "UNetSmall's levels (state_dict).")
  var depth = 4

  @Option(help: "Input channels, 1 or 3 (state_dict).")
  var channels = 3

  @Option(help: "Working size: training crop (tiled) or fixed input (resized) (state_dict).")
  var size = 128

  @Option(help: "tiled (pictures at their own scale) or resized (state_dict).")
  var layout = "tiled"

  @Option(help: "Per-channel means of the normalisation x/255 − mean, comma-separated.")
  var mean: String?

  @Option(help: "Per-channel standard deviations of the normalisation, comma-separated.")
  var std: String?

  @Option(name: .shortAndLong, help: "Where the model file is written.")
  var output: String

  @Flag(help: "Replace an existing output file.")
  var force = false

  func run() throws {
    if !force, FileManager.default.fileExists(atPath: output) {
      throw VisionError("\(output): already exists (use --force to replace it)")
    }
    if source.lowercased().hasSuffix(".safetensors") {
      let segmenter = try Segmenter.importing(
        stateDict: source, description: stateDictDescription())
      try segmenter.save(
        to: output,
        extra: [
          "source": (source as NSString).lastPathComponent, "imported_with": "segment import",
        ])
      print("imported \(segmenter.network.parameterCount) parameters from \(source) into \(output)")
      return
    }
    let segmenter = try PersonSegmenterImport.segmenter(fromTFLite: source)
    try segmenter.save(to: output, extra: PersonSegmenterImport.provenance)
    print(
      "imported \(segmenter.network.parameterCount) parameters from \(source) into \(output)")
  }

  /// UNetSmall's description from the options.
  private func stateDictDescription() throws -> SegmenterDescription {
    guard [1, 3].contains(channels) else { throw ValidationError("--channels must be 1 or 3") }
    guard let layout = InferenceLayout(rawValue: layout) else {
      throw ValidationError("--layout must be tiled or resized")
    }
    guard width >= 1, depth >= 1, size >= 8 else {
      throw ValidationError("--width, --depth and --size must be positive (size ≥ 8)")
    }
    return SegmenterDescription(
      architecture: .unet, channels: channels, size: size, layout: layout, baseWidth: width,
      depth: depth,
      mean: try mean.map { try channelValues($0, option: "--mean", count: channels) }
        ?? [Float](repeating: 0, count: channels),
      std: try std.map { try channelValues($0, option: "--std", count: channels) }
        ?? [Float](repeating: 1, count: channels))
  }
}
