// `classify import`: a PyTorch state_dict (saved as safetensors) into a Neurona model file,
// with the description PyTorch does not store: classes, input format, architecture.
import ArgumentParser
import Foundation
import Neurona
import NeuronaVision

struct ImportClassifier: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import",
    abstract: "Convert a PyTorch state_dict (safetensors) into a Neurona classifier file.",
    discussion: """
      The state_dict must come from the same network as --arch builds, with PyTorch's \
      names (save it with safetensors.torch.save_file(model.state_dict(), FILE)). The shipped \
      ImageNet model was made with: classify import efficientnet_lite0.safetensors --arch \
      efficientnet-lite0 --classes imagenet_classes.txt -o Models/imagenet.safetensors
      """)

  @Argument(help: "The state_dict as a safetensors file.")
  var source: String

  @Option(help: "cnn (FashionNet-style), mlp, lstm or efficientnet-lite0.")
  var arch: ClassifierArchitecture = .cnn

  @Option(
    help:
      "The class names in output order: a text file with one per line, or a comma-separated list (default for cnn/mlp/lstm: the ten Fashion-MNIST classes)."
  )
  var classes: String?

  @Option(help: "Input size (square); default 224 for efficientnet-lite0, 28 otherwise.")
  var size: Int?

  @Option(
    help: "Input channels, 1 (grey) or 3 (RGB); default 3 for efficientnet-lite0, 1 otherwise.")
  var channels: Int?

  @Option(help: "Per-channel means of the normalisation (x/255 − mean) / std, comma-separated.")
  var mean: String?

  @Option(help: "Per-channel standard deviations of the normalisation, comma-separated.")
  var std: String?

  @Option(help: "Channels of the first convolution block (cnn).")
  var width = 32

  @Option(help: "Convolution blocks (cnn).")
  var depth = 2

  @Option(name: .shortAndLong, help: "Where the model file is written.")
  var output: String

  @Flag(help: "Replace an existing output file.")
  var force = false

  func run() throws {
    if !force, FileManager.default.fileExists(atPath: output) {
      throw VisionError("\(output): already exists (use --force to replace it)")
    }
    let description = try makeDescription()
    let classifier = try Classifier.importing(stateDict: source, description: description)
    try classifier.save(
      to: output,
      extra: ["source": (source as NSString).lastPathComponent, "imported_with": "classify import"])
    print(
      "imported \(classifier.network.parameterCount) parameters (\(arch.rawValue), "
        + "\(description.classNames.count) classes) from \(source) into \(output)")
  }

  /// The description from the architecture's defaults and the options given.
  private func makeDescription() throws -> ClassifierDescription {
    let names = try classNames()
    var description =
      arch == .efficientNetLite0
      ? ClassifierDescription.efficientNetLite0(classNames: names)
      : ClassifierDescription.fashionNet(classNames: names)
    description.architecture = arch
    description.baseWidth = width
    description.depth = depth
    if let size { (description.height, description.width) = (size, size) }
    if let channels {
      guard [1, 3].contains(channels) else { throw ValidationError("--channels must be 1 or 3") }
      description.channels = channels
      description.mean = [Float](repeating: description.mean[0], count: channels)
      description.std = [Float](repeating: description.std[0], count: channels)
    }
    if let mean {
      description.mean = try channelValues(mean, option: "--mean", count: description.channels)
    }
    if let std {
      description.std = try channelValues(std, option: "--std", count: description.channels)
    }
    guard description.std.allSatisfy({ $0 > 0 }) else {
      throw ValidationError("--std values must be positive")
    }
    return description
  }

  /// `--classes` as a list: the lines of a file, or the comma-separated names.
  private func classNames() throws -> [String] {
    guard let classes else {
      guard arch != .efficientNetLite0 else {
        throw ValidationError("--classes is needed for efficientnet-lite0 (a file of class names)")
      }
      return FashionMNIST.classNames
    }
    let names: [String]
    if FileManager.default.fileExists(atPath: classes) {
      let text = try String(contentsOfFile: classes, encoding: .utf8)
      names = text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty }
    } else {
      names = classes.split(separator: ",").map(String.init)
    }
    guard names.count >= 2 else { throw ValidationError("--classes must name at least 2 classes") }
    return names
  }
}
