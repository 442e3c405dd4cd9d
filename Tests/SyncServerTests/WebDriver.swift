import Foundation

/// Debian's chromium, headless, driven over W3C WebDriver by chromedriver: the real browser the
/// state office uses, started for one test and ended with it.
///
/// The commands go through curl (via `ChildProcess`, off the cooperative pool); FoundationNetworking
/// fails on chromedriver's answer to `POST /session` ("Failed writing header").
struct WebDriver {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let driver: Process
    let endpoint: String
    let session: String

    static let chromedriver = "/usr/bin/chromedriver"

    /// Starts chromedriver on a port the OS picks and opens a headless browser session.
    static func start(in directory: URL, width: Int = 1280, height: Int = 900) async throws -> WebDriver {
        guard FileManager.default.isExecutableFile(atPath: chromedriver) else {
            throw Failure(
                description:
                    "chromedriver fehlt: scripts/install-system-packages.sh installiert chromium und chromium-driver")
        }
        let log = directory.appendingPathComponent("chromedriver.out")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let driver = Process()
        driver.executableURL = URL(fileURLWithPath: chromedriver)
        driver.arguments = ["--port=0"]
        driver.standardOutput = try FileHandle(forWritingTo: log)
        driver.standardError = FileHandle.nullDevice
        try driver.run()
        var port: Int?
        for _ in 0..<100 where port == nil {
            try await Task.sleep(for: .milliseconds(100))
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let range = text.range(of: "started successfully on port ") {
                port = Int(text[range.upperBound...].prefix { $0.isNumber })
            }
        }
        guard let port else {
            await stop(driver)
            throw Failure(description: "chromedriver meldet keinen Port")
        }
        let endpoint = "http://127.0.0.1:\(port)"
        let arguments = [
            "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--lang=de-DE",
            "--window-size=\(width),\(height)", "--user-data-dir=" + directory.appendingPathComponent("profil").path,
        ]
        let capabilities: [String: Any] = [
            "capabilities": ["alwaysMatch": ["browserName": "chrome", "goog:chromeOptions": ["args": arguments]]]
        ]
        do {
            let answer = try await Self.send(endpoint, "POST", "/session", capabilities)
            guard let id = (answer as? [String: Any])?["sessionId"] as? String else {
                throw Failure(description: "WebDriver-Sitzung ohne Id: \(answer)")
            }
            return WebDriver(driver: driver, endpoint: endpoint, session: id)
        } catch {
            await stop(driver)
            throw error
        }
    }

    /// Ends the browser and chromedriver; call it also when the test failed.
    func quit() async {
        _ = try? await Self.send(endpoint, "DELETE", "/session/\(session)", nil)
        await Self.stop(driver)
    }

    /// chromedriver ignores SIGTERM while it serves a session; SIGKILL ends it. The wait happens
    /// off the cooperative pool (`Process.waitUntilExit` spins a run loop).
    static func stop(_ driver: Process) async {
        guard driver.isRunning else { return }
        kill(driver.processIdentifier, SIGKILL)
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                driver.waitUntilExit()
                continuation.resume()
            }
        }
    }

    /// One WebDriver command; its `value`, or a `Failure` with the driver's message.
    static func send(_ endpoint: String, _ method: String, _ path: String, _ body: [String: Any]?) async throws -> Any {
        var arguments = ["-s", "--max-time", "60", "-X", method, "-H", "Content-Type: application/json"]
        if let body {
            arguments += [
                "--data-binary", String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self),
            ]
        }
        arguments.append(endpoint + path)
        let (status, data) = try await ChildProcess.run("/usr/bin/curl", arguments)
        guard status == 0, let answer = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw Failure(
                description:
                    "WebDriver \(method) \(path): curl \(status), \(String(decoding: data.prefix(300), as: UTF8.self))")
        }
        let value = answer["value"] ?? NSNull()
        if let error = (value as? [String: Any])?["error"] as? String {
            let message = (value as? [String: Any])?["message"] as? String ?? ""
            throw Failure(description: "WebDriver \(method) \(path): \(error): \(message.prefix(300))")
        }
        return value
    }

    @discardableResult
    func command(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> Any {
        try await Self.send(endpoint, method, "/session/\(session)" + path, body)
    }

    func open(_ url: String) async throws { try await command("POST", "/url", ["url": url]) }

    /// The first element matching a CSS selector.
    func element(_ selector: String) async throws -> String {
        let value = try await command("POST", "/element", ["using": "css selector", "value": selector])
        guard let id = (value as? [String: Any])?.values.first as? String else {
            throw Failure(description: "kein Element für \(selector)")
        }
        return id
    }

    func text(_ selector: String) async throws -> String {
        try await command("GET", "/element/\(try await element(selector))/text") as? String ?? ""
    }

    func type(_ text: String, into selector: String) async throws {
        try await command("POST", "/element/\(try await element(selector))/value", ["text": text])
    }

    func click(_ selector: String) async throws {
        try await command("POST", "/element/\(try await element(selector))/click", [:])
    }

    /// Runs a script in the page (WebDriver's scripts are not subject to the page's CSP).
    func execute(_ script: String) async throws -> Any {
        try await command("POST", "/execute/sync", ["script": script, "args": []])
    }

    /// An async script: the page calls `arguments[0]` with the result.
    func executeAsync(_ script: String) async throws -> Any {
        try await command("POST", "/execute/async", ["script": script, "args": []])
    }

    /// A PNG of the whole page: the window is made as tall as the document first.
    func screenshot(to file: URL, width: Int = 1280) async throws {
        let height = try await execute("return document.documentElement.scrollHeight") as? Int ?? 900
        try await command("POST", "/window/rect", ["width": width, "height": min(max(height + 120, 600), 12_000)])
        guard let encoded = try await command("GET", "/screenshot") as? String, let png = Data(base64Encoded: encoded)
        else { throw Failure(description: "kein Bildschirmfoto") }
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try png.write(to: file)
    }
}
