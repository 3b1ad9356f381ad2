import CAECurl
import Glibc

/// What a download does with a response, as it arrives. Each method returns
/// whether to go on; false aborts the transfer.
public protocol HTTPReceiver: AnyObject {
    /// The first body bytes of a 200 or 206 response are coming; `rangeStart`
    /// is where a 206's Content-Range starts.
    func begin(status: Int, rangeStart: Int?) -> Bool
    /// Body bytes of that response.
    func receive(_ bytes: UnsafeRawBufferPointer) -> Bool
    /// Called often while data moves and about once a second while it does not.
    func tick() -> Bool
}

/// One HTTP or HTTPS GET through libcurl, which is loaded on first use
/// (``load()``). libcurl follows redirects, takes proxies from the
/// environment (`http_proxy`, `https_proxy`, `ALL_PROXY`, `no_proxy`) and
/// decodes chunked replies; a connect timeout and a low-speed limit take the
/// place of a total timeout, so a slow but moving download is never cut.
public struct HTTPDownload {
    public var url: String
    /// When above 0, asks for the bytes from here on (a Range header); the
    /// server may still send the whole file, with status 200.
    public var offset = 0
    /// The CA bundle HTTPS servers are verified with; nil for libcurl's own.
    public var caFile: String?
    public var connectTimeoutSeconds = 30
    /// The transfer fails when fewer than `lowSpeedBytes` a second arrive for `lowSpeedSeconds`.
    public var lowSpeedBytes = 1000
    public var lowSpeedSeconds = 60
    public var maxRedirects = 5

    public init(url: String) { self.url = url }

    /// How a transfer ended.
    public struct Outcome {
        /// The last response's HTTP status, 0 when none arrived.
        public var status: Int
        /// Why the transfer failed, or nil when the whole response arrived.
        public var failure: String?
        /// Whether the receiver asked to stop it.
        public var stoppedByReceiver: Bool
    }

    /// The library `load()` opens.
    public static let library = "libcurl.so.4"

    /// Loads libcurl, once; a clear error when it is missing.
    public static func load() throws(DataError) { try loaded.get() }

    private static let loaded = Result { () throws(DataError) in try load(library: library) }

    /// Loads `library` as libcurl (tests name one that does not exist).
    public static func load(library: String) throws(DataError) {
        var error = [CChar](repeating: 0, count: 512)
        guard CAECurl_load(library, &error, error.count) == 0 else {
            let reason = String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw DataError("downloading needs libcurl (\(reason)); install the package libcurl4 (Debian, Ubuntu)")
        }
    }

    /// Runs the GET, handing what arrives to `receiver`. Call ``load()`` first.
    public func run(_ receiver: any HTTPReceiver) -> Outcome {
        let box = ReceiverBox(receiver)
        var sink = CAECurl_sink()
        sink.context = Unmanaged.passUnretained(box).toOpaque()
        sink.begin = { context, status, start in
            ReceiverBox.from(context).begin(status: status, rangeStart: start)
        }
        sink.body = { context, bytes, count in
            ReceiverBox.from(context).receive(UnsafeRawBufferPointer(start: bytes, count: count))
        }
        sink.tick = { context in ReceiverBox.from(context).tick() }
        var result = CAECurl_result()
        withExtendedLifetime(box) {
            url.withCString { url in
                (offset > 0 ? "\(offset)-" : nil).withOptionalCString { range in
                    caFile.withOptionalCString { caFile in
                        var request = CAECurl_request(
                            url: url, range: range, ca_file: caFile, user_agent: nil,
                            connect_timeout_seconds: connectTimeoutSeconds, low_speed_bytes: lowSpeedBytes,
                            low_speed_seconds: lowSpeedSeconds, max_redirects: maxRedirects)
                        "ae-filter".withCString { agent in
                            request.user_agent = agent
                            _ = CAECurl_get(&request, &sink, &result)
                        }
                    }
                }
            }
        }
        let stopped = box.stopped
        guard result.code != 0 else { return Outcome(status: result.status, failure: nil, stoppedByReceiver: false) }
        var message = withUnsafeBytes(of: result.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        if Int(result.code) == CAECurl_couldnt_connect, result.os_errno != 0 {
            // libcurl's own text carries a timing ("after 0 ms"); the reason is enough.
            message = "cannot connect (\(String(cString: strerror(result.os_errno))))"
        }
        // Connecting, or naming the host, failed through a proxy: it is the proxy that failed.
        if [CAECurl_couldnt_connect, 5, 28].contains(Int(result.code)), result.status == 0,
            let proxy = ProxySetting.forURL(url)
        {
            message += " through the proxy \(proxy.value) that \(proxy.variable) names"
        }
        return Outcome(status: result.status, failure: message, stoppedByReceiver: stopped)
    }
}

/// Holds the receiver behind the C context pointer, and notes whether it stopped the transfer.
private final class ReceiverBox {
    let receiver: any HTTPReceiver
    var stopped = false

    init(_ receiver: any HTTPReceiver) { self.receiver = receiver }

    static func from(_ context: UnsafeMutableRawPointer?) -> ReceiverBox {
        Unmanaged<ReceiverBox>.fromOpaque(context!).takeUnretainedValue()
    }

    func begin(status: Int, rangeStart: Int64) -> Int32 {
        verdict(receiver.begin(status: status, rangeStart: rangeStart < 0 ? nil : Int(rangeStart)))
    }

    func receive(_ bytes: UnsafeRawBufferPointer) -> Int32 { verdict(receiver.receive(bytes)) }

    func tick() -> Int32 { verdict(receiver.tick()) }

    private func verdict(_ goOn: Bool) -> Int32 {
        if !goOn { stopped = true }
        return goOn ? 0 : 1
    }
}

extension Optional where Wrapped == String {
    fileprivate func withOptionalCString<R>(_ body: (UnsafePointer<CChar>?) -> R) -> R {
        switch self {
        case .some(let text): text.withCString { body($0) }
        case .none: body(nil)
        }
    }
}
