import PostgresStore
import Testing

@Suite struct PostgresURLTests {
    @Test func bothSchemes_userPasswordHostPortDatabase_andQueryParameters_becomeLibpqKeywords() throws {
        let url = try PostgresURL("postgres://meter:s3cret@db.internal:6543/usage?sslmode=require&application_name=tm1")
        #expect(url["user"] == "meter")
        #expect(url["password"] == "s3cret")
        #expect(url["host"] == "db.internal")
        #expect(url["port"] == "6543")
        #expect(url["dbname"] == "usage")
        #expect(url["sslmode"] == "require")
        #expect(url["application_name"] == "tm1")
        #expect(url.description == "postgres://db.internal:6543/usage")
        let long = try PostgresURL("postgresql://127.0.0.1/usage")
        #expect(long["host"] == "127.0.0.1")
        #expect(long["port"] == nil)
    }

    @Test func percentEncodedPassword_isDecoded() throws {
        let url = try PostgresURL("postgres://meter:p%40ss%2Fword@localhost/usage")
        #expect(url["password"] == "p@ss/word")
    }

    @Test(arguments: [
        "mysql://u@h/db",
        "postgres://",
        "postgres://h:notaport/db",
        "postgres://h:70000/db",
        "postgres://h/db?no_such_option=1",
        "postgres://h/db with space",
        "postgres://[::1/db",
    ])
    func malformedURL_isRefusedWithAReason(_ text: String) {
        let error = #expect(throws: PostgresError.self) { try PostgresURL(text) }
        #expect(error?.kind == .invalidURL)
        #expect(error?.message.isEmpty == false)
    }

    @Test func theReasonNeverShowsThePassword() {
        do {
            _ = try PostgresURL("postgres://u:hunter2@h/db?bogus=hunter2")
            Issue.record("accepted an unknown parameter")
        } catch {
            #expect(!error.message.contains("hunter2"), "\(error.message)")
        }
    }
}
