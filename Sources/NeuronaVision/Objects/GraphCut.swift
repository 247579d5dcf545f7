// GraphCut: the minimum s–t cut of an 8-connected pixel grid, by Boykov and Kolmogorov's
// max-flow (two search trees grown from the terminals, reused between augmentations, with the
// timestamp/distance heuristics of their maxflow-v3 code). Pixels left on the source side are
// the object. The grid is stored with a 1-pixel frame of isolated nodes so that a neighbour
// index is always valid: ~50 bytes a pixel, linear in pixels.
// - Paper: Boykov, Kolmogorov, "An experimental comparison of min-cut/max-flow algorithms for
//   energy minimization in vision", PAMI 2004.
// Leaves out: reusing flow between cuts (each GrabCut round builds a new graph), other grids.

/// A W×H grid graph: a terminal capacity per pixel and a capacity per directed neighbour edge.
public final class GridGraph {
  /// Grid width in pixels.
  public let width: Int
  /// Grid height in pixels.
  public let height: Int
  /// Frame-padded row length and node count.
  private let stride: Int
  private let nodes: Int
  /// Per node: > 0 residual capacity from the source, < 0 (minus) the capacity to the sink.
  private let terminal: UnsafeMutablePointer<Float>
  /// Per node and direction d: residual capacity of the edge to the neighbour `d`.
  private let edges: UnsafeMutablePointer<Float>
  /// Node offsets of the 8 directions; direction `7 − d` is the reverse of `d`.
  private let offsets: [Int]

  /// Column and row steps of the 8 directions (reverse of d is 7 − d).
  public static let steps: [(dx: Int, dy: Int)] = [
    (-1, -1), (0, -1), (1, -1), (-1, 0), (1, 0), (-1, 1), (0, 1), (1, 1),
  ]

  /// An empty grid: no terminal or neighbour capacities.
  public init(width: Int, height: Int) {
    self.width = width
    self.height = height
    let rowLength = width + 2
    stride = rowLength
    nodes = rowLength * (height + 2)
    terminal = .allocate(capacity: nodes)
    terminal.initialize(repeating: 0, count: nodes)
    edges = .allocate(capacity: nodes * 8)
    edges.initialize(repeating: 0, count: nodes * 8)
    offsets = GridGraph.steps.map { $0.dy * rowLength + $0.dx }
  }

  deinit {
    terminal.deallocate()
    edges.deallocate()
  }

  @inline(__always) private func node(_ x: Int, _ y: Int) -> Int { (y + 1) * stride + x + 1 }

  /// Sets pixel (x, y)'s terminal capacities: cost `toSource` is paid when it ends on the
  /// sink (background) side, `toSink` when on the source (object) side.
  @inline(__always)
  public func setTerminal(_ x: Int, _ y: Int, source toSource: Float, sink toSink: Float) {
    terminal[node(x, y)] = toSource - toSink
  }

  /// Sets the capacity of the undirected edge between (x, y) and its neighbour in direction `d`
  /// (both directions get `capacity`). The neighbour must be inside the grid.
  @inline(__always)
  public func setEdge(_ x: Int, _ y: Int, direction d: Int, capacity: Float) {
    let i = node(x, y)
    edges[i * 8 + d] = capacity
    edges[(i + offsets[d]) * 8 + 7 - d] = capacity
  }

  /// Runs max-flow; returns per pixel (row-major, W·H) whether it is on the source side.
  public func minimumCut() -> [Bool] {
    var search = TreeSearch(nodes: nodes, terminal: terminal, edges: edges, offsets: offsets)
    search.run()
    var result = [Bool](repeating: false, count: width * height)
    for y in 0..<height {
      for x in 0..<width { result[y * width + x] = search.tree[node(x, y)] == TreeSearch.source }
    }
    search.deallocate()
    return result
  }
}

/// The Boykov–Kolmogorov search trees over a GridGraph's capacities (which it consumes).
private struct TreeSearch {
  static let free: UInt8 = 0
  static let source: UInt8 = 1
  static let sink: UInt8 = 2
  /// `parent` values beyond the 8 directions.
  static let terminalParent: Int8 = 8
  static let orphanParent: Int8 = 9
  static let noParent: Int8 = -1

  let nodes: Int
  let terminal: UnsafeMutablePointer<Float>
  let edges: UnsafeMutablePointer<Float>
  let offset: UnsafeMutablePointer<Int>
  /// Which tree each node is in, and the direction to its parent.
  let tree: UnsafeMutablePointer<UInt8>
  let parent: UnsafeMutablePointer<Int8>
  /// When each node's distance to its terminal was last known true, and that distance.
  let stamp: UnsafeMutablePointer<Int32>
  let distance: UnsafeMutablePointer<Int32>
  /// FIFO rings of active nodes and orphans (each node at most once in each).
  let active: UnsafeMutablePointer<Int32>
  let queued: UnsafeMutablePointer<Bool>
  let orphans: UnsafeMutablePointer<Int32>
  var activeHead = 0
  var activeTail = 0
  var orphanHead = 0
  var orphanTail = 0
  var time: Int32 = 0

  init(
    nodes: Int, terminal: UnsafeMutablePointer<Float>, edges: UnsafeMutablePointer<Float>,
    offsets: [Int]
  ) {
    self.nodes = nodes
    self.terminal = terminal
    self.edges = edges
    offset = .allocate(capacity: 8)
    offset.initialize(from: offsets, count: 8)
    tree = .allocate(capacity: nodes)
    parent = .allocate(capacity: nodes)
    stamp = .allocate(capacity: nodes)
    stamp.initialize(repeating: 0, count: nodes)
    distance = .allocate(capacity: nodes)
    distance.initialize(repeating: 1, count: nodes)
    active = .allocate(capacity: nodes + 1)
    queued = .allocate(capacity: nodes)
    queued.initialize(repeating: false, count: nodes)
    orphans = .allocate(capacity: nodes + 1)
  }

  func deallocate() {
    for p in [stamp, distance, active, orphans] as [UnsafeMutablePointer<Int32>] { p.deallocate() }
    tree.deallocate()
    parent.deallocate()
    queued.deallocate()
    offset.deallocate()
  }

  @inline(__always) mutating func activate(_ i: Int) {
    guard !queued[i] else { return }
    queued[i] = true
    active[activeTail] = Int32(i)
    activeTail = activeTail == nodes ? 0 : activeTail + 1
  }

  /// The next active node still in a tree (free ones are dropped), or −1.
  @inline(__always) mutating func nextActive() -> Int {
    while activeHead != activeTail {
      let i = Int(active[activeHead])
      activeHead = activeHead == nodes ? 0 : activeHead + 1
      queued[i] = false
      if tree[i] != TreeSearch.free { return i }
    }
    return -1
  }

  @inline(__always) mutating func makeOrphan(_ i: Int) {
    parent[i] = TreeSearch.orphanParent
    orphans[orphanTail] = Int32(i)
    orphanTail = orphanTail == nodes ? 0 : orphanTail + 1
  }

  mutating func run() {
    for i in 0..<nodes {
      if terminal[i] != 0 {
        tree[i] = terminal[i] > 0 ? TreeSearch.source : TreeSearch.sink
        parent[i] = TreeSearch.terminalParent
        activate(i)
      } else {
        tree[i] = TreeSearch.free
        parent[i] = TreeSearch.noParent
      }
    }
    var current = -1
    while true {
      var i = current
      if i >= 0 {
        queued[i] = false
        if tree[i] == TreeSearch.free { i = -1 }
      }
      if i < 0 { i = nextActive() }
      if i < 0 { break }
      // Growth: the first edge from i into the other tree closes a path.
      var meeting = (s: -1, t: -1, direction: 0)
      if tree[i] == TreeSearch.source {
        for d in 0..<8 where edges[i * 8 + d] > 0 {
          let j = i + offset[d]
          if tree[j] == TreeSearch.free {
            adopt(j, into: TreeSearch.source, parentDirection: 7 - d, from: i)
          } else if tree[j] == TreeSearch.sink {
            meeting = (i, j, d)
            break
          } else if stamp[j] <= stamp[i] && distance[j] > distance[i] {
            parent[j] = Int8(7 - d)
            stamp[j] = stamp[i]
            distance[j] = distance[i] + 1
          }
        }
      } else {
        for d in 0..<8 {
          let j = i + offset[d]
          guard edges[j * 8 + 7 - d] > 0 else { continue }
          if tree[j] == TreeSearch.free {
            adopt(j, into: TreeSearch.sink, parentDirection: 7 - d, from: i)
          } else if tree[j] == TreeSearch.source {
            meeting = (j, i, 7 - d)
            break
          } else if stamp[j] <= stamp[i] && distance[j] > distance[i] {
            parent[j] = Int8(7 - d)
            stamp[j] = stamp[i]
            distance[j] = distance[i] + 1
          }
        }
      }
      time += 1
      if meeting.s >= 0 {
        // Keep growing from i after this augmentation (it may meet the other tree again).
        queued[i] = true
        current = i
        augment(meeting.s, meeting.direction, meeting.t)
        while orphanHead != orphanTail {
          let o = Int(orphans[orphanHead])
          orphanHead = orphanHead == nodes ? 0 : orphanHead + 1
          processOrphan(o)
        }
      } else {
        current = -1
      }
    }
  }

  @inline(__always)
  mutating func adopt(_ j: Int, into t: UInt8, parentDirection: Int, from i: Int) {
    tree[j] = t
    parent[j] = Int8(parentDirection)
    stamp[j] = stamp[i]
    distance[j] = distance[i] + 1
    activate(j)
  }

  /// Pushes the bottleneck flow along source → … → s → t → … → sink; saturated tree edges
  /// make orphans.
  mutating func augment(_ s: Int, _ direction: Int, _ t: Int) {
    var flow = edges[s * 8 + direction]
    var x = s
    while parent[x] != TreeSearch.terminalParent {
      let d = Int(parent[x])
      let p = x + offset[d]
      flow = min(flow, edges[p * 8 + 7 - d])
      x = p
    }
    flow = min(flow, terminal[x])
    x = t
    while parent[x] != TreeSearch.terminalParent {
      let d = Int(parent[x])
      flow = min(flow, edges[x * 8 + d])
      x += offset[d]
    }
    flow = min(flow, -terminal[x])

    edges[s * 8 + direction] -= flow
    edges[t * 8 + 7 - direction] += flow
    x = s
    while parent[x] != TreeSearch.terminalParent {
      let d = Int(parent[x])
      let p = x + offset[d]
      edges[x * 8 + d] += flow
      edges[p * 8 + 7 - d] -= flow
      if edges[p * 8 + 7 - d] <= 0 { makeOrphan(x) }
      x = p
    }
    terminal[x] -= flow
    if terminal[x] <= 0 { makeOrphan(x) }
    x = t
    while parent[x] != TreeSearch.terminalParent {
      let d = Int(parent[x])
      let p = x + offset[d]
      edges[p * 8 + 7 - d] += flow
      edges[x * 8 + d] -= flow
      if edges[x * 8 + d] <= 0 { makeOrphan(x) }
      x = p
    }
    terminal[x] += flow
    if terminal[x] >= 0 { makeOrphan(x) }
  }

  /// Finds the orphan `o` a new parent in its tree whose path reaches the terminal (the
  /// shortest known), or frees it and orphans its children.
  mutating func processOrphan(_ o: Int) {
    let t = tree[o]
    var bestDirection = -1
    var bestDistance = Int32.max
    for d in 0..<8 {
      let j = o + offset[d]
      guard tree[j] == t else { continue }
      let residual = t == TreeSearch.source ? edges[j * 8 + 7 - d] : edges[o * 8 + d]
      guard residual > 0 else { continue }
      // Walk up from j to a node whose distance is current, or to the terminal.
      var k = j
      var steps: Int32 = 0
      var rooted = false
      while true {
        if stamp[k] == time {
          steps += distance[k]
          rooted = true
          break
        }
        steps += 1
        let pk = parent[k]
        if pk == TreeSearch.terminalParent {
          stamp[k] = time
          distance[k] = 1
          rooted = true
          break
        }
        if pk == TreeSearch.orphanParent || pk == TreeSearch.noParent { break }
        k += offset[Int(pk)]
      }
      guard rooted else { continue }
      if steps < bestDistance { (bestDirection, bestDistance) = (d, steps) }
      k = j
      var along = steps
      while stamp[k] != time {
        stamp[k] = time
        distance[k] = along
        along -= 1
        k += offset[Int(parent[k])]
      }
    }
    if bestDirection >= 0 {
      parent[o] = Int8(bestDirection)
      stamp[o] = time
      distance[o] = bestDistance + 1
      return
    }
    tree[o] = TreeSearch.free
    parent[o] = TreeSearch.noParent
    for d in 0..<8 {
      let j = o + offset[d]
      guard tree[j] == t else { continue }
      let residual = t == TreeSearch.source ? edges[j * 8 + 7 - d] : edges[o * 8 + d]
      if residual > 0 { activate(j) }
      let pj = parent[j]
      if pj >= 0 && pj < 8 && Int(pj) == 7 - d { makeOrphan(j) }
    }
  }
}
