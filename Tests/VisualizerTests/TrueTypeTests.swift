import Drawing
import Foundation
import Testing
import Visualizer

@Suite("Text on the canvas")
struct TrueTypeTests {
    /// With the SDL build and Debian's DejaVu Sans, labels are TrueType: Greek and lower case
    /// have glyphs of their own (the bitmap font has neither); without it the bitmap font draws.
    @Test func greekAndLowerCaseHaveTheirOwnGlyphs() throws {
        guard let font = TrueTypeFont() else {
            // Only a build without SDL, or a machine without the font, has none.
            #expect(!visualizerHasSDL || !FileManager.default.fileExists(atPath: TrueTypeFont.defaultPath))
            return
        }
        let theta = try #require(font.mask("θ", size: 24)), o = try #require(font.mask("o", size: 24))
        let capitalO = try #require(font.mask("O", size: 24))
        #expect(theta.alpha.contains { $0 > 200 } && theta.height >= 20)
        #expect(theta.alpha != o.alpha && o.alpha != capitalO.alpha && o.width < capitalO.width)
        // Written on a canvas: ink where the glyphs are, antialiased edges, the text's own width.
        let previous = Typefaces.installed
        defer { Typefaces.installed = previous }
        Typefaces.installed = font
        var canvas = Canvas(width: 200, height: 40)
        canvas.write("π θ σ return", x: 4, y: 4, size: 16, .black)
        #expect(canvas.pixels.contains(.black) && canvas.pixels.contains { $0 != .black && $0 != .white })
        #expect(canvas.textWidth("return", size: 16) < canvas.textWidth("RETURN", size: 16))
        #expect(font.mask("", size: 16) == nil && font.mask("a", size: 0) == nil)
    }

    @Test func theHUDFitsANarrowScene() {
        let previous = Typefaces.installed
        defer { Typefaces.installed = previous }
        for typeface in [nil, TrueTypeFont() as (any Typeface)?] {
            Typefaces.installed = typeface
            let hud = "episode 12  step 480  return 480.0  action 1"
            let canvas = SceneRenderer.render(BitFlipLikeScene(), hud: hud)
            // Nothing of the line is cut off at the right edge: the last columns stay white.
            #expect((0..<40).allSatisfy { canvas[canvas.width - 3, $0] == .white })
            #expect(canvas.pixels.contains(Color.hud))
        }
    }
}

/// A narrow scene (200 px), as BitFlip's is.
private struct BitFlipLikeScene: Scene {
    var size: (width: Int, height: Int) { (200, 80) }
    func draw(on canvas: inout Canvas, overlay: Overlay?) {}
}
