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

  /// What `collect` found under the paths a user named.
  public struct Found {
    /// The image files, in order (each real file once).
    public var images: [String] = []
    /// Non-image files met inside folders (to warn about).
    public var skipped: [String] = []
    /// Named paths that do not exist (to report; the others are still processed).
    public var missing: [String] = []
  }

  /// Every image file under `paths`: files as given, folders walked recursively (sorted,
  /// hidden entries skipped). A walk visits each real file and folder once, so a symbolic
  /// link to a folder above (`pics/loop -> ..`) neither loops nor repeats pictures; a file
  /// named twice is processed once. `-` stands for standard input (the picture piped in).
  public static func collect(_ paths: [String]) -> Found {
    var found = Found()
    var visited = Set<String>()
    let manager = FileManager.default
    for path in paths {
      if path == "-" {
        if visited.insert("-").inserted { found.images.append(path) }
        continue
      }
      var isDirectory: ObjCBool = false
      guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
        found.missing.append(path)
        continue
      }
      guard isDirectory.boolValue else {
        if visited.insert(realPath(path)).inserted { found.images.append(path) }
        continue
      }
      for file in walk(path, visited: &visited) {
        if hasImageExtension(file) { found.images.append(file) } else { found.skipped.append(file) }
      }
    }
    return found
  }

  /// Regular files under `directory`, recursively, sorted by path; hidden names skipped, and
  /// folders and files whose real path is in `visited` (which gains those met).
  static func walk(_ directory: String, visited: inout Set<String>) -> [String] {
    let manager = FileManager.default
    guard visited.insert(realPath(directory)).inserted,
      let entries = try? manager.contentsOfDirectory(atPath: directory)
    else { return [] }
    var files: [String] = []
    for entry in entries.sorted() where !entry.hasPrefix(".") {
      let path = (directory as NSString).appendingPathComponent(entry)
      var isDirectory: ObjCBool = false
      guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
      if isDirectory.boolValue {
        files += walk(path, visited: &visited)
      } else if visited.insert(realPath(path)).inserted {
        files.append(path)
      }
    }
    return files
  }

  /// `path` with symbolic links and `.`/`..` resolved (itself if that fails).
  static func realPath(_ path: String) -> String {
    guard let resolved = realpath(path, nil) else { return path }
    defer { free(resolved) }
    return String(cString: resolved)
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
    var visited = Set<String>()
    for name in classFolders {
      let files = ImageFiles.walk(
        (root as NSString).appendingPathComponent(name), visited: &visited)
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
