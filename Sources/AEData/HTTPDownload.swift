import AEFilterCore
import Glibc

/// A small HTTP/1.1 client for plain-http downloads: GET with an optional
/// byte range, redirects, and a receive timeout. Enough for the dataset mirror.
public enum HTTPDownload {
    public struct Response {
        public var status: Int
        public var headers: [String: String]
    }

    /// Fetches `url` from byte `offset` on, handing the body to `sink` as it arrives.
    /// Returns the response; throws on network errors.
    public static func get(
        _ url: String, from offset: Int = 0, timeoutSeconds: Int = 30, redirects: Int = 5,
        sink: ([UInt8]) throws -> Void, onResponse: (Response) -> Void = { _ in }
    ) throws -> Response {
        guard url.hasPrefix("http://") else { throw DataError("\(url): only http:// URLs are supported") }
        let rest = url.dropFirst(7)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = String(rest[..<slash])
        let path = slash == rest.endIndex ? "/" : String(rest[slash...])
        let colon = authority.lastIndex(of: ":")
        let host = colon.map { String(authority[..<$0]) } ?? authority
        let port = colon.map { String(authority[authority.index(after: $0)...]) } ?? "80"

        let fd = try connect(host: host, port: port, timeoutSeconds: timeoutSeconds)
        defer { close(fd) }
        var request = "GET \(path) HTTP/1.1\r\nHost: \(authority)\r\nUser-Agent: ae-filter\r\nConnection: close\r\n"
        if offset > 0 { request += "Range: bytes=\(offset)-\r\n" }
        request += "\r\n"
        try sendAll(fd, Array(request.utf8))

        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        func receive() throws -> Int {
            while true {
                let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n >= 0 { return n }
                if errno == EINTR { continue }
                throw DataError("\(url): \(errno == EAGAIN ? "timed out" : String(cString: strerror(errno)))")
            }
        }
        // Headers.
        var headerEnd: Int?
        while headerEnd == nil {
            let n = try receive()
            guard n > 0 else { throw DataError("\(url): connection closed before the response headers") }
            buffer += chunk[0..<n]
            headerEnd = find([13, 10, 13, 10], in: buffer)
            if buffer.count > 1 << 16, headerEnd == nil { throw DataError("\(url): response headers too large") }
        }
        let headerText = String(decoding: buffer[0..<headerEnd!], as: UTF8.self)
        var lines = headerText.split(separator: "\r\n").map(String.init)
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/1."), let status = Int(statusLine[1]) else {
            throw DataError("\(url): not an HTTP response")
        }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingSpaces
        }
        if (301...308).contains(status), status != 304, let location = headers["location"], redirects > 0 {
            let next = location.hasPrefix("/") ? "http://\(authority)\(location)" : location
            return try get(
                next, from: offset, timeoutSeconds: timeoutSeconds, redirects: redirects - 1, sink: sink,
                onResponse: onResponse)
        }
        let response = Response(status: status, headers: headers)
        onResponse(response)
        guard status == 200 || status == 206 else { return response }
        if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            throw DataError("\(url): chunked responses are not supported")
        }
        let expected = headers["content-length"].flatMap(Int.init)
        var received = buffer.count - (headerEnd! + 4)
        if received > 0 { try sink(Array(buffer[(headerEnd! + 4)...])) }
        while expected.map({ received < $0 }) ?? true {
            let n = try receive()
            if n == 0 { break }
            received += n
            try sink(Array(chunk[0..<n]))
        }
        if let expected, received < expected {
            throw DataError("\(url): connection closed after \(received) of \(expected) bytes")
        }
        return response
    }

    static func connect(host: String, port: String, timeoutSeconds: Int) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, port, &hints, &list)
        guard status == 0, let first = list else {
            throw DataError("\(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var lastError: Int32 = 0
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            if fd >= 0 {
                var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                if Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return fd }
                lastError = errno
                close(fd)
            }
            entry = info.pointee.ai_next
        }
        throw DataError("\(host):\(port): \(String(cString: strerror(lastError)))")
    }

    static func sendAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw DataError("send failed: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        return (0...(haystack.count - needle.count)).first { i in haystack[i..<i + needle.count].elementsEqual(needle) }
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
