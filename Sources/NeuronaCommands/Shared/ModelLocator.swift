// Finding the shipped default models in `Models/`, wherever the binary is run from:
// 1. `$NEURONA_MODELS` if set; 2. a `Models/` folder in the executable's folder or any
// folder above it (so `.build/release/classify` finds the checkout's `Models/`);
// 3. `<prefix>/share/neurona/Models` beside an installed `<prefix>/bin/`; 4. `./Models`.
import Foundation
import NeuronaVision

/// Resolves `--model` values: a file path, or the name of a model in `Models/`.
enum ModelLocator {
  /// The folders searched for default models, most specific first.
  static var searchFolders: [String] {
    var folders: [String] = []
    if let custom = ProcessInfo.processInfo.environment["NEURONA_MODELS"] { folders.append(custom) }
    var folder = URL(fileURLWithPath: executablePath).deletingLastPathComponent()
    for _ in 0..<8 {
      folders.append(folder.appendingPathComponent("Models").path)
      folder.deleteLastPathComponent()
    }
    let executableFolder = URL(fileURLWithPath: executablePath).deletingLastPathComponent()
    folders.append(
      executableFolder.deletingLastPathComponent().appendingPathComponent("share/neurona/Models")
        .path)
    folders.append(FileManager.default.currentDirectoryPath + "/Models")
    return folders
  }

  /// The running executable, symlinks resolved.
  private static var executablePath: String {
    let path = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
    return path ?? CommandLine.arguments[0]
  }

  /// The model file for `reference`: an existing file path, or a name (`nuclei`,
  /// `fashionnet.safetensors`) looked up in the search folders.
  static func resolve(_ reference: String) throws -> String {
    if FileManager.default.fileExists(atPath: reference) { return reference }
    let looksLikePath = reference.contains("/")
    if !looksLikePath {
      let fileName = reference.hasSuffix(".safetensors") ? reference : reference + ".safetensors"
      for folder in searchFolders {
        let candidate = (folder as NSString).appendingPathComponent(fileName)
        if FileManager.default.fileExists(atPath: candidate) { return candidate }
      }
    }
    throw VisionError(
      "\(reference): model not found (give a file, or a name in Models/; set NEURONA_MODELS "
        + "to the folder of the shipped models)")
  }
}
