// Transforms: resize against Pillow's numbers, geometry, colour conversions, float planes and
// float maps.
import Foundation
import NeuronaImage
import Testing

@Suite struct TransformTests {
  /// 8×6 grey arange·5, shrunk to 3×4 and enlarged to 11×5, equals Pillow's BILINEAR exactly.
  @Test func resizeMatchesPillow() throws {
    let a = try Image(width: 8, height: 6, channels: 1, pixels: (0..<48).map { UInt8($0 * 5) })
    // python3 -c "from PIL import Image; import numpy as np;
    //   a=(np.arange(48).reshape(6,8)*5).astype(np.uint8); im=Image.fromarray(a);
    //   print(np.asarray(im.resize((3,4),Image.BILINEAR)).tolist());
    //   print(np.asarray(im.resize((11,5),Image.BILINEAR)).tolist())"
    let small: [[UInt8]] = [[21, 33, 44], [77, 89, 100], [135, 147, 158], [191, 203, 214]]
    let wide: [[UInt8]] = [
      [9, 12, 16, 19, 23, 27, 30, 34, 37, 41, 44],
      [54, 57, 61, 64, 68, 72, 75, 79, 82, 86, 89],
      [100, 103, 107, 110, 114, 118, 121, 125, 128, 132, 135],
      [146, 149, 153, 156, 160, 164, 167, 171, 174, 178, 181],
      [191, 194, 198, 201, 205, 209, 212, 216, 219, 223, 226],
    ]
    #expect(try a.resized(width: 3, height: 4).pixels == small.flatMap { $0 })
    #expect(try a.resized(width: 11, height: 5).pixels == wide.flatMap { $0 })
  }

  @Test func resizeRGBMatchesPillow() throws {
    let b = try Image(
      width: 12, height: 10, channels: 3,
      pixels: (0..<360).map { UInt8(($0 * 7) % 256) })
    // python3 -c "from PIL import Image; import numpy as np;
    //   b=(np.arange(10*12*3).reshape(10,12,3)*7%256).astype(np.uint8);
    //   print(np.asarray(Image.fromarray(b).resize((5,3),Image.BILINEAR)).reshape(-1).tolist())"
    let expected: [UInt8] = [
      81, 60, 31, 59, 66, 73, 110, 117, 124, 160, 167, 174, 206, 213, 220, 114, 95, 81, 50, 54,
      61, 98, 105, 112, 148, 155, 162, 194, 201, 208, 178, 142, 114, 47, 49, 52, 86, 93, 100,
      136, 143, 150, 182, 189, 196,
    ]
    #expect(try b.resized(width: 5, height: 3).pixels == expected)
    // Luma as Pillow's convert("L"): first row.
    // ... print(np.asarray(Image.fromarray(b).convert('L')).reshape(-1)[:12].tolist())
    let grey = try b.converted(toChannels: 1)
    #expect(
      Array(grey.pixels.prefix(12)) == [6, 27, 48, 69, 90, 111, 132, 153, 174, 195, 216, 237])
  }

  @Test func shrinkingALotAveragesTheArea() throws {
    // A 1-pixel checkerboard shrunk 16× is flat grey, not a sample of black or white pixels.
    let board = try Image(
      width: 64, height: 64, channels: 1,
      pixels: (0..<4096).map { ($0 % 64 + $0 / 64) % 2 == 0 ? 0 : 255 })
    let small = try board.resized(width: 4, height: 4)
    #expect(small.pixels.allSatisfy { (120...135).contains($0) })
  }

  @Test func geometry() throws {
    // 3×2 RGB-less grey:  [1 2 3]
    //                     [4 5 6]
    let g = try Image(width: 3, height: 2, channels: 1, pixels: [1, 2, 3, 4, 5, 6])
    #expect(g.flippedHorizontally().pixels == [3, 2, 1, 6, 5, 4])
    #expect(g.flippedVertically().pixels == [4, 5, 6, 1, 2, 3])
    let cw = g.rotated(quarterTurns: 1)
    #expect(cw.width == 2 && cw.height == 3 && cw.pixels == [4, 1, 5, 2, 6, 3])
    #expect(g.rotated(quarterTurns: 2).pixels == [6, 5, 4, 3, 2, 1])
    #expect(g.rotated(quarterTurns: -1).pixels == [3, 6, 2, 5, 1, 4])
    #expect(g.rotated(quarterTurns: 4) == g)
    #expect(g.transposed().pixels == [1, 4, 2, 5, 3, 6])
    #expect(g.transversed().pixels == [6, 3, 5, 2, 4, 1])
    #expect(try g.cropped(x: 1, y: 0, width: 2, height: 2).pixels == [2, 3, 5, 6])
    #expect(throws: ImageError.self) { try g.cropped(x: 2, y: 0, width: 2, height: 1) }
    let p = try g.padded(top: 1, left: 0, bottom: 0, right: 1, value: [9])
    #expect(p.width == 4 && p.height == 3 && p.pixels == [9, 9, 9, 9, 1, 2, 3, 9, 4, 5, 6, 9])
    // RGB keeps pixels whole.
    let rgb = try Image(width: 2, height: 1, channels: 3, pixels: [1, 2, 3, 4, 5, 6])
    #expect(rgb.flippedHorizontally().pixels == [4, 5, 6, 1, 2, 3])
    #expect(rgb.rotated(quarterTurns: 1).pixels == [1, 2, 3, 4, 5, 6])
  }

  @Test func channelConversions() throws {
    let rgba = try Image(
      width: 2, height: 1, channels: 4, pixels: [200, 100, 0, 255, 200, 100, 0, 0])
    #expect(rgba.droppingAlpha().pixels == [200, 100, 0, 200, 100, 0])
    #expect(
      rgba.composited(over: (red: 0, green: 0, blue: 255)).pixels == [200, 100, 0, 0, 0, 255])
    let grey = try Image(width: 2, height: 1, channels: 1, pixels: [7, 250])
    #expect(try grey.converted(toChannels: 3).pixels == [7, 7, 7, 250, 250, 250])
    #expect(try grey.converted(toChannels: 4).pixels == [7, 7, 7, 255, 250, 250, 250, 255])
    let mask = try Image(width: 2, height: 1, channels: 1, pixels: [255, 0])
    let cut = try rgba.droppingAlpha().withAlpha(mask)
    #expect(cut.pixels == [200, 100, 0, 255, 200, 100, 0, 0])
    #expect(throws: ImageError.self) { try rgba.withAlpha(rgba) }
  }

  @Test func overlayTintsWhereTheMaskIsSet() throws {
    let grey = try Image(width: 3, height: 1, channels: 1, pixels: [100, 100, 100])
    let mask = try Image(width: 3, height: 1, channels: 1, pixels: [0, 255, 128])
    let out = try grey.overlaid(mask: mask, colour: (red: 255, green: 0, blue: 0), opacity: 0.5)
    // Full mask: 100 + (255 − 100)·½ = 177.5 → 178 (red), 100 − 50 = 50 (green, blue);
    // half mask (128/255·½ ≈ 0.25): 100 + 155·0.2510 = 138.9 → 139, 100 − 25.1 → 75.
    #expect(out.pixels == [100, 100, 100, 178, 50, 50, 139, 75, 75])
    #expect(throws: ImageError.self) { try grey.overlaid(mask: grey, opacity: 2) }
  }

  @Test func floatPlanesRoundTrip() throws {
    let image = testPicture(width: 5, height: 4, channels: 3)
    let mean: [Float] = [0.485, 0.456, 0.406]
    let std: [Float] = [0.229, 0.224, 0.225]
    let planes = try image.floatPlanes(mean: mean, std: std)
    #expect(planes.count == 60)
    // Channel-major: planes[c·H·W + y·W + x].
    let (x, y, c) = (3, 2, 1)
    let expected = (Float(image[x: x, y: y, channel: c]) / 255 - mean[c]) / std[c]
    #expect(abs(planes[c * 20 + y * 5 + x] - expected) < 1e-5)
    let back = try Image(
      floatPlanes: planes, width: 5, height: 4, channels: 3, mean: mean, std: std)
    #expect(back == image)
    #expect(throws: ImageError.self) { try image.floatPlanes(mean: [0, 0], std: [1]) }
  }

  @Test func floatMapResizeAndMask() throws {
    // 2×1 map [0, 1] enlarged to 4×1: half-pixel bilinear gives [0, 0.25, 0.75, 1]
    // (torch.nn.functional.interpolate(..., mode="bilinear", align_corners=False) agrees).
    let map = try FloatMap(width: 2, height: 1, values: [0, 1])
    let big = try map.resized(width: 4, height: 1)
    #expect(big.values == [0, 0.25, 0.75, 1])
    let tall = try map.resized(width: 2, height: 3)
    #expect(tall.values == [0, 1, 0, 1, 0, 1])
    #expect(big.mask(threshold: 0.5).pixels == [0, 0, 255, 255])
    #expect(big.greyImage().pixels == [0, 64, 191, 255])
  }
}
