// `segment IMAGE…`: write a mask (and on request a cut-out, overlay or soft map) per image.
import ArgumentParser
import Foundation
import NeuronaImage
import NeuronaVision

/// The files `segment` can write for a picture, by name suffix.
enum SegmentOutput: String, CaseIterable {
  case mask, cutout, overlay, soft, instances

  /// `photo.png` → `photo.mask.png`.
  func fileName(for input: String) -> String {
    ((input as NSString).lastPathComponent as NSString).deletingPathExtension + ".\(rawValue).png"
  }
}

struct SegmentImages: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "images", abstract: "Segment pictures (the default subcommand).")

  @Argument(help: "Image files or folders (walked recursively).")
  var paths: [String]

  @Option(name: .shortAndLong, help: "Output file (one input, one output) or folder.")
  var output: String?

  @Option(
    help: "A model file, or the name of a model in Models/ (person, nuclei, nuclei-instances).")
  var model: String?

  @Option(help: "Probability above which a pixel is foreground.")
  var threshold: Float = 0.5

  @Flag(help: "Write NAME.cutout.png: the picture with a transparent background.")
  var cutout = false

  @Flag(help: "Write NAME.overlay.png: the picture with the mask tinted over it.")
  var overlay = false

  @Flag(help: "Write NAME.soft.png: the probability map as grey levels.")
  var soft = false

  @Flag(
    help:
      "Write NAME.instances.png (16-bit grey, one id per object) and print each object's box, area and mean probability; with --overlay, colour each object and draw its box."
  )
  var instances = false

  @OptionGroup var instanceOptions: InstanceOptions

  @Option(help: "How --instances prints its objects: table, csv or json.")
  var format: OutputFormat = .table

  @Flag(help: "Replace existing output files.")
  var force = false

  @OptionGroup var compute: ComputeOptions

  func validate() throws {
    guard threshold > 0, threshold < 1 else {
      throw ValidationError("--threshold must be in (0, 1)")
    }
    guard format != .text else { throw ValidationError("--format must be table, csv or json") }
  }

  var outputs: [SegmentOutput] {
    let chosen = [
      (cutout, SegmentOutput.cutout), (overlay, .overlay), (soft, .soft), (instances, .instances),
    ]
    .filter(\.0).map(\.1)
    return chosen.isEmpty ? [.mask] : chosen
  }

  func run() throws {
    compute.apply()
    let location = try ModelLocator.resolve(model ?? defaultSegmenterName())
    let collected = ImageFiles.collect(paths)
    let (found, skipped) = (collected.images, collected.skipped)
    for file in skipped { Terminal.warn("\(file): skipped (not a PNG or JPEG file name)") }
    for path in collected.missing { Terminal.warn("\(path): no such file or directory") }
    // Our own outputs from an earlier run are not pictures to segment.
    let ownSuffixes = SegmentOutput.allCases.map { ".\($0.rawValue).png" } + [".instances.png"]
    let files = found.filter { file in
      !ownSuffixes.contains { file.hasSuffix($0) } || paths.contains(file)
    }
    guard !files.isEmpty else {
      throw VisionError("no images found under \(paths.joined(separator: " "))")
    }
    let destinations = try OutputPlan(inputs: files, roots: paths, output: output, kinds: outputs)
    // One picture per core, each worker with its own segmenter; one picture alone gets both
    // cores inside the network instead.
    let workers = try FileWorkers(title: "segment", count: files.count) {
      try Segmenter.load(location)
    }
    var failures = collected.missing.count
    var records = [InstanceRecord?](repeating: nil, count: files.count)
    // FileWorkers.forEach runs the files on the workers (not Sequence.forEach).
    // swift-format-ignore: ReplaceForEachWithForLoop
    workers.forEach { segmenter, index in
      do {
        let record = try segment(
          files[index], with: segmenter, to: destinations.paths(for: files[index]))
        workers.synchronized { records[index] = record }
      } catch {
        workers.synchronized {
          Terminal.warn("\(error)")
          failures += 1
        }
      }
    }
    workers.finish(noun: "images")
    if instances { try printInstanceRecords(records.compactMap { $0 }, format: format) }
    if failures > 0 { throw ExitCode(1) }
  }

  /// Writes `file`'s outputs; returns its objects when `--instances` asked for them.
  private func segment(
    _ file: String, with segmenter: Segmenter, to destinations: [(SegmentOutput, String)]
  ) throws
    -> InstanceRecord?
  {
    if !force,
      let existing = destinations.first(where: { FileManager.default.fileExists(atPath: $0.1) })
    {
      throw VisionError("\(existing.1): already exists (use --force to replace it)")
    }
    let image = try Image.read(contentsOf: file)
    let maps = try segmenter.classProbabilities(image)
    let map =
      maps.count == 1
      ? maps[0]
      : try FloatMap(
        width: image.width, height: image.height, values: maps[0].values.map { 1 - $0 })
    let mask = MaskRendering.mask(map, threshold: threshold)
    let objects =
      instances ? try instanceOptions.extraction(threshold: threshold).instances(from: maps) : nil
    for (kind, path) in destinations {
      let folder = (path as NSString).deletingLastPathComponent
      if !folder.isEmpty {
        // (Two workers may create the same folder at once.)
        try directoryLock.withLock {
          try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
      }
      let picture: Image
      switch kind {
      case .mask: picture = mask
      case .soft: picture = MaskRendering.soft(map)
      case .cutout: picture = try MaskRendering.cutout(image, mask: mask)
      case .overlay:
        picture =
          try objects.map { try MaskRendering.overlay(image, instances: $0) }
          ?? MaskRendering.overlay(image, mask: mask)
      case .instances:
        try objects?.gray16Image().writePNG(to: path, overwrite: force)
        continue
      }
      try picture.writePNG(to: path, overwrite: force)
    }
    return objects.map { objects in
      InstanceRecord(
        path: file, instancesPath: destinations.first { $0.0 == .instances }?.1,
        objects: objects.objects)
    }
  }
}

/// Where each input's outputs go: beside the input, under `-o DIR` (keeping the folder
/// structure below the folder given on the command line), or `-o FILE` for one output.
struct OutputPlan {
  let inputs: [String], roots: [String], output: String?, kinds: [SegmentOutput]
  let singleFile: Bool

  init(inputs: [String], roots: [String], output: String?, kinds: [SegmentOutput]) throws {
    (self.inputs, self.roots, self.output, self.kinds) = (inputs, roots, output, kinds)
    var isDirectory: ObjCBool = false
    let exists =
      output.map { FileManager.default.fileExists(atPath: $0, isDirectory: &isDirectory) } ?? false
    let namesFile =
      output.map { $0.lowercased().hasSuffix(".png") && !(exists && isDirectory.boolValue) }
      ?? false
    if namesFile, inputs.count > 1 || kinds.count > 1 {
      throw ValidationError(
        "-o names one file, but there are \(inputs.count * kinds.count) outputs: give a folder")
    }
    singleFile = namesFile
  }

  func paths(for input: String) -> [(SegmentOutput, String)] {
    guard let output else {
      let folder = (input as NSString).deletingLastPathComponent
      return kinds.map {
        ($0, (folder as NSString).appendingPathComponent($0.fileName(for: input)))
      }
    }
    if singleFile { return [(kinds[0], output)] }
    // Keep the structure below the command-line folder the input was found in.
    let root = roots.first { input.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }
    let relativeFolder =
      root.map {
        ((String(input.dropFirst($0.count)) as NSString).deletingLastPathComponent as String)
          .trimmingCharacters(in: CharacterSet(charactersIn: "/"))
      } ?? ""
    let folder = (output as NSString).appendingPathComponent(relativeFolder)
    return kinds.map { ($0, (folder as NSString).appendingPathComponent($0.fileName(for: input))) }
  }
}

/// Serialises output-folder creation between the workers.
private let directoryLock = NSLock()
