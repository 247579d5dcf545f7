// `classify`: label images, train a classifier on a folder, evaluate it.
import ArgumentParser

/// The `classify` executable's root command.
public struct ClassifyCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "classify",
    abstract: "Label images with a trained classifier, or train and evaluate one.",
    discussion: """
      Without --model, the shipped ImageNet classifier (Models/imagenet.safetensors, \
      EfficientNet-Lite0, 1000 classes of everyday photos) is used; --model fashionnet is the \
      clothing classifier of 28×28 grey pictures. Models \
      are looked up by name in $NEURONA_MODELS, then in a Models/ folder beside or above the \
      executable, then in ./Models.
      """,
    version: NeuronaVersion.current,
    subcommands: [
      LabelImages.self, TrainClassifier.self, EvaluateClassifier.self, ImportClassifier.self,
      ServeClassifier.self,
    ],
    defaultSubcommand: LabelImages.self)

  public init() {}
}
