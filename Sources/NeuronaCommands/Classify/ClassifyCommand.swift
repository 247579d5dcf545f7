// `classify`: label images, train a classifier on a folder, evaluate it.
import ArgumentParser

/// The `classify` executable's root command.
public struct ClassifyCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "classify",
    abstract: "Label images with a trained classifier, or train and evaluate one.",
    discussion: """
      Without --model, the shipped FashionNet (Models/fashionnet.safetensors) is used. Models \
      are looked up by name in $NEURONA_MODELS, then in a Models/ folder beside or above the \
      executable, then in ./Models.
      """,
    subcommands: [LabelImages.self, TrainClassifier.self, EvaluateClassifier.self],
    defaultSubcommand: LabelImages.self)

  public init() {}
}
