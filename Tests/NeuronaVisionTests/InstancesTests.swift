// Instance extraction, boundary targets and the 16-bit label-map writer.
import Foundation
import NeuronaImage
import NeuronaTestSupport
import NeuronaVision
import Testing

/// Two discs of radius 6 whose edges touch at one column, in a 40×20 picture: their labels.
private func touchingDiscs() -> (labels: [UInt16], width: Int, height: Int) {
  let (width, height) = (40, 20)
  var labels = [UInt16](repeating: 0, count: width * height)
  for y in 0..<height {
    for x in 0..<width {
      for (id, cx) in [(UInt16(1), 13), (2, 25)]
      where (x - cx) * (x - cx) + (y - 10) * (y - 10) <= 36 {
        labels[y * width + x] = id
      }
    }
  }
  return (labels, width, height)
}

@Test func boundaryClassesSeparateTouchingObjects() {
  let (labels, width, height) = touchingDiscs()
  let classes = SegmentationTarget.boundaryClasses(labels: labels, width: width, height: height)
  // Every object pixel beside another id (background or the other disc) is boundary; the
  // centres are interior; background stays background.
  #expect(classes[10 * width + 13] == SegmentationTarget.interior)
  #expect(classes[10 * width + 25] == SegmentationTarget.interior)
  for x in 0..<width where labels[10 * width + x] != 0 {
    let neighbours = [x - 1, x + 1].filter { $0 >= 0 && $0 < width }.map { labels[10 * width + $0] }
    if neighbours.contains(where: { $0 != labels[10 * width + x] }) {
      #expect(classes[10 * width + x] == SegmentationTarget.boundary, "x = \(x)")
    }
  }
  #expect(!classes.enumerated().contains { $0.element != 0 && labels[$0.offset] == 0 })
}

@Test func boundary3MapsGrowInteriorsBackToWholeObjects() throws {
  let (labels, width, height) = touchingDiscs()
  let classes = SegmentationTarget.boundaryClasses(labels: labels, width: width, height: height)
  // A perfect boundary3 prediction: one-hot maps of the target classes.
  let maps = try (0..<3).map { c in
    try FloatMap(width: width, height: height, values: classes.map { Int($0) == c ? 1 : 0 })
  }
  let found = try InstanceExtraction().instances(from: maps)
  #expect(found.objects.count == 2)
  let score = InstanceScore(predicted: found.labels, truth: labels)
  #expect(score.truePositives[0] == 2)
  #expect(score.meanAveragePrecision > 0.9)
  // A mask model sees one blob where the discs touch: connected components merge them.
  let merged = try InstanceExtraction().instances(
    from: [try FloatMap(width: width, height: height, values: labels.map { $0 == 0 ? 0 : 0.9 })])
  #expect(merged.objects.count == 1)
}

@Test func objectRecordsGiveBoxAreaAndMeanProbability() throws {
  // A 3×2 block at (2, 1) with probability 0.8, a 1-pixel speck (dropped by the minimum
  // area) and a 4×4 block at (6, 4) with probability 0.6, in a 12×9 map.
  var values = [Float](repeating: 0.1, count: 12 * 9)
  for y in 1..<3 { for x in 2..<5 { values[y * 12 + x] = 0.8 } }
  values[8 * 12 + 0] = 0.9
  for y in 4..<8 { for x in 6..<10 { values[y * 12 + x] = 0.6 } }
  var extraction = InstanceExtraction()
  extraction.minimumArea = 2
  let found = try extraction.instances(from: [try FloatMap(width: 12, height: 9, values: values)])
  #expect(found.objects.count == 2)
  let first = try #require(found.objects.first)
  let second = try #require(found.objects.last)
  #expect((first.id, first.x, first.y, first.width, first.height, first.area) == (1, 2, 1, 3, 2, 6))
  #expect(abs(first.meanProbability - 0.8) < 1e-6)
  #expect(
    (second.id, second.x, second.y, second.width, second.height, second.area) == (2, 6, 4, 4, 4, 16)
  )
  #expect(found.labels[8 * 12] == 0)
}

@Test func labelMapsRoundTripThrough16BitPNG() throws {
  // 400 separate 2×2 objects: ids up to 400 need 16 bits.
  let (width, height) = (60, 60)
  var values = [Float](repeating: 0, count: width * height)
  for y in 0..<height where y % 3 != 2 {
    for x in 0..<width where x % 3 != 2 { values[y * width + x] = 1 }
  }
  var extraction = InstanceExtraction()
  extraction.minimumArea = 1
  let found = try extraction.instances(from: [
    try FloatMap(width: width, height: height, values: values)
  ])
  #expect(found.objects.count == 400)
  let folder = try makeTemporaryFolder("labels")
  let path = folder + "/a.instances.png"
  try found.gray16Image().writePNG(to: path)
  let back = try Gray16Image.read(contentsOf: path)
  #expect(back.width == width && back.height == height)
  #expect(back.values == found.labels)
  #expect(back.values.max() == 400)
  // Read as a label file, the same objects come back (ids kept, not split into blobs).
  #expect(SegmentationTarget.instanceLabels(back) == found.labels)
}

@Test func aBinaryMaskGivenAsLabelsBecomesOneObjectPerBlob() throws {
  let mask = try Gray16Image(width: 5, height: 1, values: [255, 255, 0, 255, 0])
  #expect(SegmentationTarget.instanceLabels(mask) == [1, 1, 0, 2, 0])
}

@Test func segmenterMetadataKeepsTheTargetAndOldFilesAreMasks() throws {
  let instances = SegmenterDescription(
    channels: 3, size: 32, baseWidth: 4, depth: 2, target: .boundary3)
  #expect(instances.metadata["outputs"] == "3" && instances.metadata["target"] == "boundary3")
  #expect(try SegmenterDescription(metadata: instances.metadata) == instances)
  // A mask model's metadata is what it was before targets existed, and reads back as a mask.
  let mask = SegmenterDescription(channels: 3, size: 32, baseWidth: 4, depth: 2)
  #expect(mask.metadata["outputs"] == nil && mask.metadata["target"] == nil)
  #expect(try SegmenterDescription(metadata: mask.metadata).outputs == 1)
  var wrong = instances.metadata
  wrong["outputs"] = "1"
  #expect(throws: (any Error).self) { try SegmenterDescription(metadata: wrong) }
  let segmenter = try Segmenter(description: instances, seed: 1)
  let maps = try segmenter.classProbabilities(
    try Image(width: 20, height: 12, channels: 3, filledWith: [90]))
  #expect(maps.count == 3 && maps.allSatisfy { $0.width == 20 && $0.height == 12 })
  let total = zip(zip(maps[0].values, maps[1].values), maps[2].values).map { $0.0 + $0.1 + $1 }
  #expect(total.allSatisfy { abs($0 - 1) < 1e-5 })
}
