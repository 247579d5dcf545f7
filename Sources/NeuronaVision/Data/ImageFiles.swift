// Finding image files: walking the files and folders a user names, and the ImageFolder
// layout (root/<class>/…/*.png|jpg) that torchvision and Keras read.
import Foundation

/// Image files under paths and folders, in a stable order.
public enum ImageFiles {
  /// The extensions treated as images when walking folders (the decoder still checks the
  /// bytes: a `.png` that is not a PNG is reported, not trusted).
  public static let extensions: Set<String> = ["png", "jpg", "jpeg"]

  /// Whether `path` names an image by its extension.
  public static func hasImageExtension(_ path: String) -> Bool {
    extensions.contains((path as NSString).pathExtension.lowercased())
  }

  /// Every image file under `paths`: files as given, folders walked recursively (sorted,
  /// hidden entries skipped).
  ///
  /// - Returns: the images, and the non-image files met inside folders (to warn about).
  /// - Throws: `VisionError` for a path that does not exist.
  public static func collect(_ paths: [String]) throws -> (images: [String], skipped: [String]) {
    var images: [String] = []
    var skipped: [String] = []
    let manager = FileManager.default
    for path in paths {
      var isDirectory: ObjCBool = false
      guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw VisionError("\(path): no such file or directory")
      }
      guard isDirectory.boolValue else {
        images.append(path)
        continue
      }
      for file in walk(path) {
        if hasImageExtension(file) { images.append(file) } else { skipped.append(file) }
      }
    }
    return (images, skipped)
  }

  /// Regular files under `directory`, recursively, sorted by path; hidden names skipped.
  static func walk(_ directory: String) -> [String] {
    let manager = FileManager.default
    guard let entries = try? manager.contentsOfDirectory(atPath: directory) else { return [] }
    var files: [String] = []
    for entry in entries.sorted() where !entry.hasPrefix(".") {
      let path = (directory as NSString).appendingPathComponent(entry)
      var isDirectory: ObjCBool = false
      guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
      if isDirectory.boolValue { files += walk(path) } else { files.append(path) }
    }
    return files
  }
}

/// An ImageFolder dataset's files: one subfolder per class, classes sorted by name.
public struct ImageFolder {
  /// Class names (the subfolder names, sorted).
  public var classNames: [String]
  /// Every image with its class index.
  public var samples: [(path: String, label: Int)]
  /// Files inside class folders that are not images (skipped; warn about them).
  public var skipped: [String]

  /// Scans `root`. Nested subfolders of a class belong to that class.
  /// - Throws: `VisionError` if `root` is missing or has no class folder with images.
  public init(root: String) throws {
    let manager = FileManager.default
    var isDirectory: ObjCBool = false
    guard manager.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw VisionError("\(root): not a directory")
    }
    let entries = (try? manager.contentsOfDirectory(atPath: root)) ?? []
    let classFolders = entries.sorted().filter { entry in
      var isFolder: ObjCBool = false
      let path = (root as NSString).appendingPathComponent(entry)
      return !entry.hasPrefix(".") && manager.fileExists(atPath: path, isDirectory: &isFolder)
        && isFolder.boolValue
    }
    classNames = []
    samples = []
    skipped = []
    for name in classFolders {
      let files = ImageFiles.walk((root as NSString).appendingPathComponent(name))
      let images = files.filter(ImageFiles.hasImageExtension)
      skipped += files.filter { !ImageFiles.hasImageExtension($0) }
      guard !images.isEmpty else { continue }
      samples += images.map { ($0, classNames.count) }
      classNames.append(name)
    }
    guard !samples.isEmpty else {
      throw VisionError("\(root): empty dataset (expected \(root)/<class>/<image>.png|jpg)")
    }
  }
}

/// A failure in the vision layer, with a message a CLI prints as is.
public struct VisionError: Error, CustomStringConvertible, Equatable {
  public var description: String
  public init(_ description: String) { self.description = description }
}
