import AEData
import Testing

/// The proxy a URL goes through, as libcurl picks it from the environment.
@Suite struct ProxySettingTests {
    static func proxy(_ url: String, _ environment: [String: String]) -> ProxySetting? {
        ProxySetting.forURL(url) { environment[$0] }
    }

    @Test func eachSchemeHasItsVariables() {
        let environment = ["http_proxy": "h", "HTTPS_PROXY": "s", "ALL_PROXY": "a"]
        #expect(Self.proxy("http://example.org/x", environment) == ProxySetting(variable: "http_proxy", value: "h"))
        #expect(Self.proxy("https://example.org/x", environment) == ProxySetting(variable: "HTTPS_PROXY", value: "s"))
        #expect(Self.proxy("ftp://example.org/x", environment) == ProxySetting(variable: "ALL_PROXY", value: "a"))
        // libcurl ignores HTTP_PROXY in upper case (it can come from a CGI request header).
        #expect(Self.proxy("http://example.org/", ["HTTP_PROXY": "x"]) == nil)
        #expect(Self.proxy("http://example.org/", [:]) == nil)
    }

    @Test(arguments: [
        ("example.org", true), (".example.org", true), ("org", true), ("*", true), ("ample.org", false),
        ("other.net, example.org", true), ("", false),
    ])
    func noProxyExempts(noProxy: String, exempt: Bool) {
        let found = Self.proxy("http://user@www.example.org:8080/f", ["http_proxy": "p", "no_proxy": noProxy])
        #expect((found == nil) == exempt)
    }
}
