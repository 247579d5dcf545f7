// `segment`: foreground masks for pictures, and training and evaluating segmenters.
import ArgumentParser

/// The `segment` executable's root command.
public struct SegmentCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "segment",
    abstract: "Separate foreground from background: write masks, cut-outs and overlays.",
    discussion: """
      Without --model, the shipped default segmenter is used (Models/person.safetensors when \
      present, else Models/nuclei.safetensors). Models are looked up by name in \
      $NEURONA_MODELS, then in a Models/ folder beside or above the executable, then ./Models. \
      With --box X,Y,W,H no model is needed: the object in the box is found by GrabCut. \
      `segment refine PHOTO MASK` snaps a coarse mask to the photo's edges.
      """,
    version: NeuronaVersion.current,
    subcommands: [
      SegmentImages.self, RefineMask.self, TrainSegmenter.self, EvaluateSegmenter.self,
      ImportSegmenter.self, ServeSegmenter.self,
    ],
    defaultSubcommand: SegmentImages.self)

  public init() {}
}

/// The default segmentation model: the person model, or the nuclei model without it.
func defaultSegmenterName() -> String {
  (try? ModelLocator.resolve("person")) != nil ? "person" : "nuclei"
}
