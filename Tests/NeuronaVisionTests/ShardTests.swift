// The shard of an input: pinned values of the fixed hash (a change would reshuffle every
// half-finished cluster run; the figures were computed independently in Python from the
// definition: FNV-1a 64, SplitMix64's finaliser, multiply-high), the balance of the split,
// the key relative to the folder argument, and the parsing of --shard.
import NeuronaVision
import Testing

@Test func theShardHashIsPinned() {
  let expected: [(String, [Int])] = [
    ("a/1.png", [0, 1, 3, 384]), ("photos/cat.jpg", [0, 1, 3, 476]), ("", [1, 2, 7, 957]),
    ("b/deep/pic3.png", [1, 1, 4, 510]),
  ]
  for (key, numbers) in expected {
    #expect([2, 3, 8, 1000].map { Shard.number(of: key, among: $0) } == numbers, "\(key)")
  }
}

@Test func sequentialNamesSpreadEvenlyOverShards() {
  var counts = [Int](repeating: 0, count: 8)
  for i in 0..<80_000 {
    counts[Shard.number(of: "img\(String(100_000 + i).dropFirst()).png", among: 8)] += 1
  }
  // 10 000 each on average; Python finds 9 866…10 113 for these names.
  #expect(counts.allSatisfy { (9_700...10_300).contains($0) }, "\(counts)")
}

@Test func theKeyIsThePathBelowItsFolderArgument() {
  #expect(Shard.key(for: "photos/a/1.png", folders: ["photos"]) == "a/1.png")
  #expect(Shard.key(for: "/mnt/x/photos/a/1.png", folders: ["/mnt/x/photos/"]) == "a/1.png")
  #expect(Shard.key(for: "single.png", folders: ["photos"]) == "single.png")
}

@Test func shardValuesParseOrFailInWords() throws {
  #expect(try Shard(parsing: "2/8", environment: [:]) == Shard(index: 2, count: 8))
  for bad in ["8/8", "-1/2", "a/b", "1", "0/0", "1/2/3", ""] {
    #expect(throws: VisionError.self) { try Shard(parsing: bad, environment: [:]) }
  }
  // Slurm arrays numbered from 1, or with a step.
  let oneBased = [
    "SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "3",
  ]
  #expect(try Shard(parsing: "slurm", environment: oneBased) == Shard(index: 2, count: 3))
  let stepped = [
    "SLURM_ARRAY_TASK_ID": "20", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_STEP": "10",
    "SLURM_ARRAY_TASK_COUNT": "4",
  ]
  #expect(try Shard(parsing: "slurm", environment: stepped) == Shard(index: 2, count: 4))
  #expect(throws: VisionError.self) { try Shard(parsing: "slurm", environment: [:]) }
}
