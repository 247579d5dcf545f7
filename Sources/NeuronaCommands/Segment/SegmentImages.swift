// `segment IMAGE…`: write a mask (and on request a cut-out, overlay or soft map) per image.
import ArgumentParser
import Foundation
import Neurona
import NeuronaImage
import NeuronaVision

/// The files `segment` can write for a picture, by name suffix.
enum SegmentOutput: String, CaseIterable {
  case mask, cutout, overlay, soft, instances

  /// `photo.png` → `photo.mask.png`; with `keepingExtension` (two inputs share the stem)
  /// `photo.png` → `photo.png.mask.png`.
  /// Standard input (`-`) is named `stdin`.
  func fileName(for input: String, keepingExtension: Bool = false) -> String {
    // (Foundation's path functions trap on "-" in this toolchain: it never reaches them.)
    let name = input == "-" ? "stdin" : (input as NSString).lastPathComponent
    return (keepingExtension ? name : (name as NSString).deletingPathExtension) + ".\(rawValue).png"
  }
}

struct SegmentImages: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "images", abstract: "Segment pictures (the default subcommand).")

  @Argument(help: "Image files or folders (walked recursively).")
  var paths: [String] = []

  @Option(
    name: .shortAndLong,
    help:
      "Output file (one input, one output), - for standard output (the one PNG), or folder. Outputs are named NAME.mask.png etc.; when two inputs share a name but not its extension (hopper.png, hopper.jpg), both keep it: hopper.png.mask.png, hopper.jpg.mask.png."
  )
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

  @OptionGroup var objectOptions: ObjectOptions

  @Option(help: "How --instances prints its objects: table, csv or json.")
  var format: OutputFormat = .table

  @Flag(help: "Replace existing output files.")
  var force = false

  @OptionGroup var batch: BatchOptions

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
    // Argument problems first, each in one line, before any file is read or written.
    let boxes = try objectOptions.parsedBoxes()
    if objectOptions.hint != nil && boxes.isEmpty {
      throw VisionError("--hint goes with --box (it fixes pixels of the boxed object)")
    }
    if instances && !boxes.isEmpty { throw VisionError("--instances cannot be used with --box") }
    // --box needs no model; given one, its probabilities are a prior for the cut.
    let location =
      boxes.isEmpty || model != nil
      ? try ModelLocator.resolve(model ?? defaultSegmenterName()) : nil
    let shard = try batch.parsedShard()
    let named = try batch.inputs(paths)
    guard !named.isEmpty else {
      throw VisionError("no inputs: name image files or folders, or give --files-from")
    }
    let roots = folders(among: named)
    let collected = ImageFiles.collect(named)
    let (found, skipped) = (collected.images, collected.skipped)
    // Each shard reports only its own inputs' problems, so the shards' logs add up to one run's.
    let mine = { batch.selects($0, shard: shard, folders: roots) }
    for file in skipped where mine(file) {
      Terminal.warn("\(file): skipped (not a PNG or JPEG file name)")
    }
    let missing = collected.missing.filter(mine)
    for path in missing { Terminal.warn("\(path): no such file or directory") }
    // Our own outputs from an earlier run are not pictures to segment.
    let ownSuffixes = SegmentOutput.allCases.map { ".\($0.rawValue).png" } + [".instances.png"]
    let namedSet = Set(named)
    let everyFile = found.filter { file in
      !ownSuffixes.contains { file.hasSuffix($0) } || namedSet.contains(file)
    }
    guard !everyFile.isEmpty else {
      throw VisionError("no images found under \(named.joined(separator: " "))")
    }
    // Output names are settled over the whole run (two inputs sharing a stem keep their
    // extension even when they fall in different shards), then the shard takes its part.
    let destinations = try OutputPlan(
      inputs: everyFile, roots: roots, output: output, kinds: outputs)
    let files = everyFile.filter(mine)
    let manifest = try batch.openManifest(force: force)
    // A killed run of this shard may have left the temporary file of an output it was writing.
    if batch.skipExisting {
      AtomicFile.removeLeftovers(
        of: files.flatMap { destinations.paths(for: $0).map(\.1).filter { $0 != "-" } })
    }
    if objectOptions.hint != nil && files.count > 1 {
      throw VisionError("--hint belongs to one photo, but there are \(files.count)")
    }
    let hint = try objectOptions.hint.map { try Image.read(contentsOf: $0) }
    let objects =
      boxes.isEmpty ? nil : BoxedObjects(boxes: boxes, hint: hint, hintPath: objectOptions.hint)
    // One picture per core, each worker with its own segmenter; one picture alone gets both
    // cores inside the network instead.
    let workers = try FileWorkers(title: "segment", count: files.count) {
      try location.map(Segmenter.load)
    }
    var failures = missing.count
    for path in missing {
      try manifest?.append(
        ManifestRecord(
          path: path, status: .error, outputs: [], seconds: 0,
          message: "\(path): no such file or directory"))
    }
    var records = [InstanceRecord?](repeating: nil, count: files.count)
    // FileWorkers.forEach runs the files on the workers (not Sequence.forEach).
    // swift-format-ignore: ReplaceForEachWithForLoop
    workers.forEach { segmenter, index in
      let started = Clock.now
      let file = files[index]
      let paths = destinations.paths(for: file)
      var entry = ManifestRecord(
        path: file, status: .ok, outputs: paths.map(\.1).filter { $0 != "-" }, seconds: 0)
      do {
        if batch.skipExisting, try outputsAreWhole(paths.map(\.1), for: file) {
          entry.status = .skipped
        } else {
          let record = try segment(file, with: segmenter, objects: objects, to: paths)
          workers.synchronized { records[index] = record }
        }
      } catch {
        (entry.status, entry.message, entry.outputs) = (.error, "\(error)", [])
        workers.synchronized {
          Terminal.warn("\(error)")
          failures += 1
        }
      }
      entry.seconds = Clock.secondsSince(started)
      do { try manifest?.append(entry) } catch {
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
    _ file: String, with segmenter: Segmenter?, objects: BoxedObjects?,
    to destinations: [(SegmentOutput, String)]
  ) throws
    -> InstanceRecord?
  {
    // Under --skip-existing an output still here was found not whole: it is replaced.
    let replace = force || batch.skipExisting
    if !replace,
      let existing = destinations.first(where: {
        $0.1 != "-" && FileManager.default.fileExists(atPath: $0.1)
      })
    {
      throw VisionError("\(existing.1): already exists (use --force to replace it)")
    }
    let image = try Image.read(contentsOf: file)
    var maps: [FloatMap] = []
    var map: FloatMap
    if let objects {
      map = try objects.alpha(of: image, named: file, prior: segmenter?.probabilities(image))
    } else if let segmenter {
      (map, maps) = try segmenter.foreground(of: image, refine: objectOptions.refine)
    } else {
      throw VisionError("no model and no --box")
    }
    // A refined map is an alpha: the cut-out keeps its soft edge.
    let soft = objects != nil || objectOptions.refine
    let mask = MaskRendering.mask(map, threshold: threshold)
    let objects =
      instances ? try instanceOptions.extraction(threshold: threshold).instances(from: maps) : nil
    for (kind, path) in destinations {
      let folder = path == "-" ? "" : (path as NSString).deletingLastPathComponent
      if !folder.isEmpty {
        // (Two workers may create the same folder at once.)
        try directoryLock.withLock {
          try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
      }
      if kind == .instances {
        try objects?.gray16Image().writePNG(to: path, overwrite: replace)
        continue
      }
      let picture: Image
      if kind == .overlay, let objects {
        picture = try MaskRendering.overlay(image, instances: objects)
      } else if let rendered = SegmentationPicture(rawValue: kind.rawValue) {
        // The same rendering `segment serve` answers with.
        picture = try rendered.render(photo: image, map: map, mask: mask, softEdges: soft)
      } else {
        continue
      }
      if path == "-" {
        try writeToStandardOutput(picture.encodePNG())
      } else {
        try picture.writePNG(to: path, overwrite: replace)
      }
    }
    return objects.map { objects in
      InstanceRecord(
        path: file, instancesPath: destinations.first { $0.0 == .instances }?.1,
        objects: objects.objects)
    }
  }
}

extension SegmentImages {
  /// Whether every one of `outputs` of `file` is a whole PNG of the picture's size (what
  /// `--skip-existing` leaves alone). The picture is decoded only when all of them exist.
  func outputsAreWhole(_ outputs: [String], for file: String) throws -> Bool {
    guard !outputs.isEmpty,
      outputs.allSatisfy({ $0 != "-" && FileManager.default.fileExists(atPath: $0) })
    else { return false }
    let image = try Image.read(contentsOf: file)
    return outputs.allSatisfy { isWholePNG($0, width: image.width, height: image.height) }
  }
}

/// Where each input's outputs go: beside the input, under `-o DIR` (keeping the folder
/// structure below the folder given on the command line), or `-o FILE` for one output.
struct OutputPlan {
  let inputs: [String], roots: [String], output: String?, kinds: [SegmentOutput]
  let singleFile: Bool
  /// Whether the one output goes to standard output (`-o -`).
  let toStandardOutput: Bool
  /// The input names whose stem another input of the run shares, in the same output folder.
  private let sharedStems: Set<String>

  init(inputs: [String], roots: [String], output: String?, kinds: [SegmentOutput]) throws {
    (self.inputs, self.roots, self.output, self.kinds) = (inputs, roots, output, kinds)
    toStandardOutput = output == "-"
    if toStandardOutput, inputs.count > 1 || kinds.count > 1 {
      throw ValidationError(
        "-o - writes one PNG to standard output, but there are \(inputs.count * kinds.count) "
          + "outputs: give a folder")
    }
    if inputs.contains("-"), output == nil {
      throw ValidationError(
        "a picture on standard input needs -o: a file, a folder, or - for standard output")
    }
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
    singleFile = namesFile || toStandardOutput
    // Inputs whose default output names would meet (same folder, same stem) keep their
    // extension, so that no result replaces another.
    var byName: [String: [String]] = [:]
    for input in inputs {
      let folder = OutputPlan.folder(for: input, output: output, roots: roots)
      let key = (folder as NSString).appendingPathComponent(
        SegmentOutput.mask.fileName(for: input))
      byName[key, default: []].append(input)
    }
    sharedStems = Set(byName.values.filter { $0.count > 1 }.joined())
  }

  /// The folder `input`'s outputs go to: beside it, or under `-o DIR` keeping the folders
  /// below the command-line folder it was found in.
  private static func folder(for input: String, output: String?, roots: [String]) -> String {
    if input == "-" { return output ?? "" }
    guard let output else { return (input as NSString).deletingLastPathComponent }
    return mirroredFolder(for: input, under: output, roots: roots)
  }

  /// Each output kind of `input` with its path (`-` for standard output).
  func paths(for input: String) -> [(SegmentOutput, String)] {
    if singleFile, let output { return [(kinds[0], output)] }
    let keep = sharedStems.contains(input)
    let folder = OutputPlan.folder(for: input, output: output, roots: roots)
    return kinds.map {
      (
        $0,
        (folder as NSString).appendingPathComponent($0.fileName(for: input, keepingExtension: keep))
      )
    }
  }
}

/// Writes `bytes` to standard output, whole (`-o -`).
private func writeToStandardOutput(_ bytes: [UInt8]) throws {
  var written = 0
  while written < bytes.count {
    let n = bytes.withUnsafeBytes { write(1, $0.baseAddress! + written, bytes.count - written) }
    if n < 0 && errno == EINTR { continue }
    guard n > 0 else {
      throw VisionError("-: cannot write to standard output (\(String(cString: strerror(errno))))")
    }
    written += n
  }
}

/// Serialises output-folder creation between the workers.
private let directoryLock = NSLock()

/// The `--box` objects of a run, found by GrabCut in each photo.
struct BoxedObjects {
  let boxes: [PixelBox]
  let hint: Image?
  let hintPath: String?

  /// The objects' alpha for the photo `image` read from `file`, or a one-line error about a
  /// box outside it or a hint of another size.
  func alpha(of image: Image, named file: String, prior: FloatMap?) throws -> FloatMap {
    for box in boxes where !box.fits(width: image.width, height: image.height) {
      throw VisionError(
        "\(file): --box \(box) is not inside the \(image.width)×\(image.height) picture")
    }
    if let hint, let hintPath, hint.width != image.width || hint.height != image.height {
      throw VisionError(
        "\(hintPath): the hint is \(hint.width)×\(hint.height) but \(file) is "
          + "\(image.width)×\(image.height) (a hint must be the photo's size)")
    }
    return try GrabCut().alpha(image, boxes: boxes, hint: hint, prior: prior)
  }
}
