// OTEL_* environment variables read as the OpenTelemetry SDKs read them.
import Testing
import Tracing

@Suite struct TracingConfigurationTests {
    @Test func noEndpointMeansNoExport() throws {
        #expect(try TracingConfiguration.fromEnvironment([:]) == nil)
        #expect(try TracingConfiguration.fromEnvironment(["OTEL_EXPORTER_OTLP_ENDPOINT": " ", "OTEL_SERVICE_NAME": "x"]) == nil)
    }

    @Test(arguments: [
        ("http://collector:4318", "http://collector:4318/v1/traces"),
        ("http://collector:4318/", "http://collector:4318/v1/traces"),
        ("https://otlp.example/api//", "https://otlp.example/api/v1/traces"),
        ("http://127.0.0.1:4318/otlp", "http://127.0.0.1:4318/otlp/v1/traces"),
    ])
    func theBaseEndpointGetsV1TracesAppendedOnce(_ base: String, _ expected: String) throws {
        let configuration = try #require(try TracingConfiguration.fromEnvironment(["OTEL_EXPORTER_OTLP_ENDPOINT": base]))
        #expect(configuration.endpoint.absoluteString == expected)
    }

    @Test func theTracesEndpointIsUsedAsIsAndPreferred() throws {
        let configuration = try #require(try TracingConfiguration.fromEnvironment([
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://base:4318",
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://traces:9999/custom/path",
        ]))
        #expect(configuration.endpoint.absoluteString == "http://traces:9999/custom/path")
    }

    @Test func defaultsAreJSONAndServiceNameThreadmeter() throws {
        let configuration = try #require(try TracingConfiguration.fromEnvironment(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"]))
        #expect(configuration.wireProtocol == .httpJSON)
        #expect(configuration.serviceName == "threadmeter")
        #expect(configuration.headers.isEmpty)
        #expect(configuration.batching.batchSize == 512)
        #expect(configuration.batching.flushInterval == 1)
    }

    @Test func headersAreTrimmedAndPercentDecodedAndTheTracesOnesWin() throws {
        let configuration = try #require(try TracingConfiguration.fromEnvironment([
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318",
            "OTEL_EXPORTER_OTLP_HEADERS": " api-key = secret%20value%2C1 ,x-tenant=acme,,Authorization=Basic%20abc%3D",
            "OTEL_EXPORTER_OTLP_TRACES_HEADERS": "x-tenant=traces-team",
            "OTEL_SERVICE_NAME": "billing-proxy",
            "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
        ]))
        #expect(configuration.headers == [
            .init("api-key", "secret value,1"), .init("Authorization", "Basic abc="), .init("x-tenant", "traces-team"),
        ])
        #expect(configuration.serviceName == "billing-proxy")
        #expect(configuration.wireProtocol == .httpProtobuf)
    }

    @Test func unusableSettingsAreStartupErrorsNamingTheVariable() {
        let base = ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"]
        #expect(throws: TracingConfiguration.ConfigurationError.self) {
            try TracingConfiguration.fromEnvironment(["OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4318"])
        }
        #expect(throws: TracingConfiguration.ConfigurationError(variable: "OTEL_EXPORTER_OTLP_PROTOCOL", message: "must be http/json or http/protobuf (grpc is not supported), got grpc")) {
            try TracingConfiguration.fromEnvironment(base.merging(["OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"]) { $1 })
        }
        #expect(throws: TracingConfiguration.ConfigurationError.self) {
            try TracingConfiguration.fromEnvironment(base.merging(["OTEL_EXPORTER_OTLP_HEADERS": "no-equals-sign"]) { $1 })
        }
        #expect(throws: TracingConfiguration.ConfigurationError.self) {
            try TracingConfiguration.fromEnvironment(base.merging(["OTEL_EXPORTER_OTLP_HEADERS": "k=bad%zzescape"]) { $1 })
        }
        #expect(throws: TracingConfiguration.ConfigurationError.self) {
            try TracingConfiguration.fromEnvironment(base.merging(["OTEL_EXPORTER_OTLP_HEADERS": "bad name=1"]) { $1 })
        }
    }
}
