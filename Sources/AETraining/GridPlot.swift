/// PSNR against noise level, one line per noise model, as a small SVG: the
/// model's as a solid line with dots, the best of the noisy input and the
/// 3×3 median as a dashed line of the same colour.
public enum GridPlot {
    /// One noise model's points: level, the model's PSNR, the best baseline's.
    public struct Series: Sendable {
        public let name: String
        public let points: [(level: Double, model: Double, baseline: Double)]

        public init(name: String, points: [(level: Double, model: Double, baseline: Double)]) {
            self.name = name
            self.points = points
        }
    }

    static let colours = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    public static func svg(_ series: [Series], title: String) -> String {
        let width = 640.0
        let height = 400.0
        let left = 60.0
        let right = 150.0
        let top = 34.0
        let bottom = 45.0
        let values = series.flatMap { $0.points.flatMap { [$0.model, $0.baseline] } }.filter(\.isFinite)
        let levels = series.flatMap { $0.points.map(\.level) }
        let low = ((values.min() ?? 0) - 1).rounded(.down)
        let high = ((values.max() ?? 1) + 1).rounded(.up)
        // Ticks every tenth, or every whole level for models whose levels are counts.
        let highest = levels.max() ?? 1
        let tick = highest > 2 ? (highest / 5).rounded(.up) : 0.1
        let maxLevel = max((highest / tick).rounded(.up) * tick, tick)
        func x(_ level: Double) -> Double { left + (width - left - right) * level / maxLevel }
        func y(_ p: Double) -> Double { top + (height - top - bottom) * (high - min(max(p, low), high)) / (high - low) }
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(left)" y="18">\(escaped(title))</text>
            <line x1="\(left)" y1="\(height - bottom)" x2="\(width - right)" y2="\(height - bottom)" stroke="black"/>
            <line x1="\(left)" y1="\(top)" x2="\(left)" y2="\(height - bottom)" stroke="black"/>
            <text x="\((width - right + left) / 2)" y="\(height - 8)" text-anchor="middle">noise level</text>
            <text x="14" y="\((height - bottom + top) / 2)" text-anchor="middle" transform="rotate(-90 14 \((height - bottom + top) / 2))">test PSNR (dB)</text>

            """
        let step = high - low > 20 ? 5.0 : 2.0
        var mark = (low / step).rounded(.up) * step
        while mark <= high {
            svg +=
                "<line x1=\"\(left - 4)\" y1=\"\(y(mark))\" x2=\"\(width - right)\" y2=\"\(y(mark))\" stroke=\"#ddd\"/>"
            svg += "<text x=\"\(left - 8)\" y=\"\(y(mark) + 4)\" text-anchor=\"end\">\(Int(mark))</text>\n"
            mark += step
        }
        for i in 0...Int((maxLevel / tick).rounded()) {
            let level = tick * Double(i)
            svg +=
                "<text x=\"\(x(level))\" y=\"\(height - bottom + 16)\" text-anchor=\"middle\">\(label(level))</text>\n"
        }
        for (index, item) in series.enumerated() {
            let colour = colours[index % colours.count]
            let points = item.points.filter { $0.model.isFinite }
            let model = points.map { "\(x($0.level)),\(y($0.model))" }.joined(separator: " ")
            let baseline = item.points.filter { $0.baseline.isFinite }.map { "\(x($0.level)),\(y($0.baseline))" }
            svg += "<polyline points=\"\(model)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\"/>\n"
            svg +=
                "<polyline points=\"\(baseline.joined(separator: " "))\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1\" stroke-dasharray=\"5 4\"/>\n"
            for p in points {
                svg += "<circle cx=\"\(x(p.level))\" cy=\"\(y(p.model))\" r=\"3\" fill=\"\(colour)\"/>\n"
            }
            let legendY = top + 10 + Double(index) * 18
            svg +=
                "<line x1=\"\(width - right + 12)\" y1=\"\(legendY - 4)\" x2=\"\(width - right + 32)\" y2=\"\(legendY - 4)\" stroke=\"\(colour)\" stroke-width=\"2\"/>"
            svg += "<text x=\"\(width - right + 38)\" y=\"\(legendY)\">\(escaped(item.name))</text>\n"
        }
        let noteY = top + 14 + Double(series.count) * 18
        svg +=
            "<line x1=\"\(width - right + 12)\" y1=\"\(noteY - 4)\" x2=\"\(width - right + 32)\" y2=\"\(noteY - 4)\" stroke=\"black\" stroke-dasharray=\"5 4\"/>"
        svg += "<text x=\"\(width - right + 38)\" y=\"\(noteY)\">best of noisy</text>\n"
        svg += "<text x=\"\(width - right + 38)\" y=\"\(noteY + 14)\">and 3×3 median</text>\n"
        return svg + "</svg>\n"
    }

    static func label(_ level: Double) -> String {
        let tenths = Int((level * 10).rounded())
        return level >= 2 ? "\(Int(level.rounded()))" : "\(tenths / 10).\(tenths % 10)"
    }

    /// Text for an SVG text node: names come from modules and users.
    static func escaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out += scalar.value < 0x20 || scalar.value == 0x7f ? "?" : String(scalar)
            }
        }
        return out
    }
}
