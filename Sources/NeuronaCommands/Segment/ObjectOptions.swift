// The options of `segment` that need no model or go past its resolution: --box (GrabCut on
// the object in a box), --hint (pixels fixed by the user) and --refine (the mask snapped to
// the photo's edges by the guided filter).
import ArgumentParser
import Foundation
import NeuronaImage
import NeuronaVision

/// --box, --hint and --refine.
struct ObjectOptions: ParsableArguments {
  @Option(
    name: .customLong("box"),
    help: ArgumentHelp(
      "Find the object inside this box of the photo (pixels; repeat for several objects, their masks are joined). No model is needed.",
      valueName: "x,y,w,h"))
  var boxes: [String] = []

  @Option(
    help: ArgumentHelp(
      "With --box: a grey picture of the photo's size, white where the object surely is, black where it surely is not, grey elsewhere.",
      valueName: "hint.png"))
  var hint: String?

  @Flag(help: "Snap the mask to the photo's edges at full resolution (a soft alpha for --soft).")
  var refine = false

  /// The boxes, or a one-line error naming the malformed one.
  func parsedBoxes() throws -> [PixelBox] {
    try boxes.map { text in
      let fields = text.split(separator: ",", omittingEmptySubsequences: false).map {
        Int($0.trimmingCharacters(in: .whitespaces))
      }
      guard fields.count == 4, let x = fields[0], let y = fields[1], let w = fields[2],
        let h = fields[3]
      else {
        throw VisionError("--box \(text): expected X,Y,W,H in whole pixels, e.g. 40,30,200,150")
      }
      guard w > 0, h > 0 else {
        throw VisionError("--box \(text): the width and height must be positive")
      }
      guard x >= 0, y >= 0 else {
        throw VisionError("--box \(text): the box starts outside the picture (negative X or Y)")
      }
      return PixelBox(x: x, y: y, width: w, height: h)
    }
  }
}
