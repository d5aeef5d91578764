import Testing

@testable import AtomForge

@Suite("YAML decoder")
struct YAMLDecoderTests {
    struct Server: Decodable, Equatable {
        var host: String
        var port: Int
        var tls: Bool?
        var weights: [Double]
    }

    @Test("decodes nested values")
    func decodes() throws {
        let server = try YAMLDecoder().decode(
            Server.self, from: "host: local\nport: 80\ntls: true\nweights: [0.5, 1]\n")
        #expect(server == Server(host: "local", port: 80, tls: true, weights: [0.5, 1]))
    }

    @Test("a wrong type names the key path, the line and what was found")
    func typeMismatch() {
        #expect {
            _ = try YAMLDecoder().decode(Server.self, from: "host: a\nport: lots\nweights: []\n")
        } throws: { error in
            let error = error as? YAMLError
            return error?.location == SourceLocation(line: 2, column: 7)
                && error?.message == "port: expected a whole number, found 'lots'"
        }
    }

    @Test("a quoted number is text, and the message says so")
    func quotedNumber() {
        #expect {
            _ = try YAMLDecoder().decode(Server.self, from: "host: a\nport: \"80\"\nweights: []\n")
        } throws: { error in
            (error as? YAMLError)?.message.contains("(quoted, so it is text)") == true
        }
    }

    @Test("a missing key is named")
    func missingKey() {
        #expect {
            _ = try YAMLDecoder().decode(Server.self, from: "host: a\nweights: []\n")
        } throws: { error in
            (error as? YAMLError)?.message == "the file is missing the required key 'port'"
        }
    }

    @Test("an item of a list is located by its index")
    func listItem() {
        #expect {
            _ = try YAMLDecoder().decode(Server.self, from: "host: a\nport: 1\nweights: [1, x]\n")
        } throws: { error in
            let error = error as? YAMLError
            return error?.message.hasPrefix("weights[1]:") == true && error?.location?.column == 14
        }
    }
}
