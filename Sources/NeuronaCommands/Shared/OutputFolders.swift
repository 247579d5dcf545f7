// Where a picture's outputs go under `-o DIR`: the folders below the command-line folder the
// picture was found in are kept, so that `a/0.png` and `b/0.png` stay apart. `segment`'s
// masks and `classify --explain`'s pictures both follow it.
import Foundation

/// The folder under `output` for `input`, found under one of `roots` (the paths named on the
/// command line): `output` joined with `input`'s folder relative to that root.
func mirroredFolder(for input: String, under output: String, roots: [String]) -> String {
  let root = roots.first { input.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }
  let relative =
    root.map {
      ((String(input.dropFirst($0.count)) as NSString).deletingLastPathComponent as String)
        .trimmingCharacters(in: CharacterSet(charactersIn: "/"))
    } ?? ""
  return (output as NSString).appendingPathComponent(relative)
}
