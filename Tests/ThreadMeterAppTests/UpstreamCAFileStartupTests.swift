// UPSTREAM_CA_FILE problems stop the binary before it listens: one stderr line, exit status 2.
import Foundation
import Testing
import TestSupport
@testable import ThreadMeterApp

@Suite struct UpstreamCAFileStartupTests {
    static func caFile(_ name: String, contents: String?) async throws -> String {
        let path = try await TestCertificates.shared().directory + "/startup-\(name).pem"
        if let contents { try contents.write(toFile: path, atomically: true, encoding: .utf8) }
        return path
    }

    @Test(arguments: [
        ("missing", nil, "cannot read"),
        ("empty", "just text, no PEM\n", "holds no PEM certificate"),
        ("broken", "-----BEGIN CERTIFICATE-----\nMIIB!!notbase64\n-----END CERTIFICATE-----\n", "does not parse"),
    ] as [(String, String?, String)])
    func aBadCAFileExitsWithStatusTwoAndOneLine(_ name: String, _ contents: String?, _ reason: String) async throws {
        let path = try await Self.caFile(name, contents: contents)
        let (status, text) = try await CrashRecoveryTests.runToExit(environment: [
            "PORT": "0", "DATABASE_PATH": ":memory:", "UPSTREAM_CA_FILE": path, "PATH": "/usr/bin:/bin",
        ])
        #expect(status == 2)
        #expect(text.split(separator: "\n").count == 1, "\(text)")
        #expect(text.contains("UPSTREAM_CA_FILE"))
        #expect(text.contains(reason), "\(text)")
    }

    @Test func aCAFileOfPEMCertificatesIsAcceptedAndReachesTheUpstreamSettings() async throws {
        let caFile = try await TestCertificates.shared().caFile
        let configuration = try ServiceConfiguration.load(environment: ["UPSTREAM_CA_FILE": caFile, "OPENAI_API_KEY": "k", "OPENAI_MODEL": "m"],
                                                          arguments: [])
        #expect(configuration.upstreamConfiguration.caFile == caFile)
        #expect(ServiceConfiguration.helpText.contains("--upstream-ca-file"))
    }
}
