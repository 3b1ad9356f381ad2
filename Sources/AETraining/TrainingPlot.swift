import AEFilterCore

/// The training curve, test PSNR against iteration, as a small SVG.
public enum TrainingPlot {
    public static func svg(_ history: [EvaluationPoint]) -> String {
        let width = 640.0
        let height = 360.0
        let left = 60.0
        let right = 20.0
        let top = 20.0
        let bottom = 45.0
        let points = history.filter { $0.testMSE.isFinite && $0.testMSE > 0 }
        let maxIteration = Double(points.map(\.iteration).max() ?? 1)
        let psnrs = points.map(\.testPSNR)
        let low = ((psnrs.min() ?? 0) - 0.5).rounded(.down)
        let high = ((psnrs.max() ?? 1) + 0.5).rounded(.up)
        func x(_ i: Double) -> Double { left + (width - left - right) * i / maxIteration }
        func y(_ p: Double) -> Double { top + (height - top - bottom) * (high - p) / max(high - low, 1e-9) }
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <line x1="\(left)" y1="\(height - bottom)" x2="\(width - right)" y2="\(height - bottom)" stroke="black"/>
            <line x1="\(left)" y1="\(top)" x2="\(left)" y2="\(height - bottom)" stroke="black"/>
            <text x="\((width + left) / 2)" y="\(height - 8)" text-anchor="middle">iteration</text>
            <text x="14" y="\((height - bottom + top) / 2)" text-anchor="middle" transform="rotate(-90 14 \((height - bottom + top) / 2))">test PSNR (dB)</text>

            """
        var tick = low
        while tick <= high {
            svg +=
                "<line x1=\"\(left - 4)\" y1=\"\(y(tick))\" x2=\"\(width - right)\" y2=\"\(y(tick))\" stroke=\"#ddd\"/>"
            svg += "<text x=\"\(left - 8)\" y=\"\(y(tick) + 4)\" text-anchor=\"end\">\(Int(tick))</text>\n"
            tick += 1
        }
        for i in 0...4 {
            let value = maxIteration * Double(i) / 4
            svg += "<text x=\"\(x(value))\" y=\"\(height - bottom + 16)\" text-anchor=\"middle\">\(Int(value))</text>\n"
        }
        let path = points.map { "\(x(Double($0.iteration))),\(y($0.testPSNR))" }.joined(separator: " ")
        svg += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\"/>\n"
        for p in points {
            svg += "<circle cx=\"\(x(Double(p.iteration)))\" cy=\"\(y(p.testPSNR))\" r=\"3\" fill=\"#1f77b4\"/>\n"
        }
        return svg + "</svg>\n"
    }
}
