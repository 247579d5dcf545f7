// Instance segmentation: from a segmenter's probability maps to an instance label map (0
// background, one id per object) and one record per object — its box, area and mean
// probability, which is the object-detection output. A `boundary3` model's confident
// interiors are the seeds; each grows back over the foreground (breadth first, so a pixel
// goes to the nearest interior) to the object's full extent. A mask model's objects are the
// connected components of its mask. Left out: a watershed on the probabilities (the
// predicted boundary is only a pixel or two wide, so nearest-seed growth cuts it as well).
import NeuronaImage

/// One detected object.
public struct DetectedObject: Equatable, Sendable, Encodable {
  /// Its id in the label map (1, 2, …, in raster order of the object's first pixel).
  public var id: Int
  /// The bounding box: left column, top row, width and height in pixels.
  public var x: Int, y: Int, width: Int, height: Int
  /// Pixels in the object.
  public var area: Int
  /// The mean foreground probability over the object's pixels.
  public var meanProbability: Double

  enum CodingKeys: String, CodingKey {
    case id, x, y, width, height, area
    case meanProbability = "mean_probability"
  }
}

/// An instance label map with its objects.
public struct InstanceMap: Equatable, Sendable {
  public let width: Int, height: Int
  /// `width · height` ids, row-major; 0 is background.
  public var labels: [UInt16]
  /// The objects, by id (objects[i].id == i + 1).
  public var objects: [DetectedObject]

  /// The label map as a 16-bit grey picture (what `NAME.instances.png` holds).
  public func gray16Image() throws -> Gray16Image {
    try Gray16Image(width: width, height: height, values: labels)
  }
}

/// How probability maps become instances.
public struct InstanceExtraction: Sendable {
  /// A pixel is foreground when its foreground probability is at least this.
  public var threshold: Float = 0.5
  /// A pixel seeds an object when its interior probability is at least this (`boundary3`).
  public var seedThreshold: Float = 0.5
  /// Seeds (interiors) smaller than this are noise and dropped.
  public var minimumSeedArea = 4
  /// Objects smaller than this (pixels) are dropped.
  public var minimumArea = 10

  public init() {}

  /// Instances from a segmenter's `classProbabilities`: one map (a mask model) or three
  /// (`boundary3`: background, interior, boundary).
  public func instances(from maps: [FloatMap]) throws -> InstanceMap {
    guard let first = maps.first, maps.count == 1 || maps.count == 3 else {
      throw VisionError("instances need a mask or a background/interior/boundary model")
    }
    let (width, height) = (first.width, first.height)
    let foreground = maps.count == 1 ? first.values : first.values.map { 1 - $0 }
    let inside = foreground.map { $0 >= threshold }
    var labels: [Int32]
    if maps.count == 1 {
      labels = ConnectedComponents.label(inside, width: width, height: height).labels.map(
        Int32.init)
    } else {
      let seeds = zip(maps[1].values, inside).map { $0 >= seedThreshold && $1 }
      var components = ConnectedComponents.label(seeds, width: width, height: height)
      components.dropSmall(minimumSeedArea)
      labels = ConnectedComponents.grow(
        components.labels.map(Int32.init), into: inside, width: width, height: height)
      // Foreground that no seed reached (a blob without a confident interior) is an object.
      var orphans = ConnectedComponents.label(
        zip(labels, inside).map { $0 == 0 && $1 }, width: width, height: height)
      orphans.dropSmall(minimumArea)
      let offset = Int32(labels.max() ?? 0)
      for i in labels.indices where orphans.labels[i] != 0 {
        labels[i] = offset + Int32(orphans.labels[i])
      }
    }
    return try InstanceExtraction.finish(
      labels, foreground: foreground, width: width, height: height, minimumArea: minimumArea)
  }

  /// Drops objects below `minimumArea`, renumbers the rest 1… in raster order and describes
  /// them.
  static func finish(
    _ labels: [Int32], foreground: [Float], width: Int, height: Int, minimumArea: Int
  ) throws -> InstanceMap {
    var area: [Int32: Int] = [:]
    for id in labels where id != 0 { area[id, default: 0] += 1 }
    var newId: [Int32: Int] = [:]
    var objects: [DetectedObject] = []
    var sums: [Double] = []
    var output = [UInt16](repeating: 0, count: labels.count)
    for (i, id) in labels.enumerated() where id != 0 && area[id, default: 0] >= minimumArea {
      let (x, y) = (i % width, i / width)
      let index: Int
      if let known = newId[id] {
        index = known
      } else {
        index = objects.count
        guard index < Int(UInt16.max) else {
          throw VisionError("more than \(UInt16.max) objects: a 16-bit label map cannot hold them")
        }
        newId[id] = index
        objects.append(
          DetectedObject(
            id: index + 1, x: x, y: y, width: 1, height: 1, area: 0, meanProbability: 0))
        sums.append(0)
      }
      output[i] = UInt16(index + 1)
      var object = objects[index]
      let (right, bottom) = (
        max(object.x + object.width, x + 1), max(object.y + object.height, y + 1)
      )
      object.x = min(object.x, x)
      object.width = right - object.x
      object.height = bottom - object.y
      object.area += 1
      objects[index] = object
      sums[index] += Double(foreground[i])
    }
    for index in objects.indices {
      objects[index].meanProbability = sums[index] / Double(objects[index].area)
    }
    return InstanceMap(width: width, height: height, labels: output, objects: objects)
  }
}

/// Connected components of binary pictures, and growing labels over a mask.
public enum ConnectedComponents {
  /// Component ids (1…count, raster order of first pixel; 0 outside) of a binary picture.
  public struct Labelling {
    public var labels: [Int]
    public var count: Int
    public var areas: [Int]

    /// Removes components smaller than `minimum` pixels (their ids stay unused).
    mutating func dropSmall(_ minimum: Int) {
      for i in labels.indices where labels[i] != 0 && areas[labels[i] - 1] < minimum {
        labels[i] = 0
      }
    }
  }

  /// The 4-connected components of the `true` pixels of a `width × height` picture.
  public static func label(_ pixels: [Bool], width: Int, height: Int) -> Labelling {
    precondition(pixels.count == width * height)
    var labels = [Int](repeating: 0, count: pixels.count)
    var areas: [Int] = []
    var stack: [Int] = []
    for start in pixels.indices where pixels[start] && labels[start] == 0 {
      let id = areas.count + 1
      var area = 0
      labels[start] = id
      stack.append(start)
      while let i = stack.popLast() {
        area += 1
        let (x, y) = (i % width, i / width)
        for (nx, ny) in [(x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)]
        where nx >= 0 && ny >= 0 && nx < width && ny < height {
          let j = ny * width + nx
          if pixels[j] && labels[j] == 0 {
            labels[j] = id
            stack.append(j)
          }
        }
      }
      areas.append(area)
    }
    return Labelling(labels: labels, count: areas.count, areas: areas)
  }

  /// Grows the non-zero `labels` over the `true` pixels of `mask`, breadth first (4-connected),
  /// so each mask pixel joins the label that reaches it first (the nearest, in steps within
  /// the mask). Labelled pixels outside the mask keep their label.
  public static func grow(_ labels: [Int32], into mask: [Bool], width: Int, height: Int) -> [Int32]
  {
    var grown = labels
    var frontier = labels.indices.filter { labels[$0] != 0 }
    var next: [Int] = []
    while !frontier.isEmpty {
      for i in frontier {
        let (x, y) = (i % width, i / width)
        for (nx, ny) in [(x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)]
        where nx >= 0 && ny >= 0 && nx < width && ny < height {
          let j = ny * width + nx
          if mask[j] && grown[j] == 0 {
            grown[j] = grown[i]
            next.append(j)
          }
        }
      }
      swap(&frontier, &next)
      next.removeAll(keepingCapacity: true)
    }
    return grown
  }
}
