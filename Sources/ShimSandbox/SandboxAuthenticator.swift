import Foundation
import HTTPTypes

/// Checks the vendor's two authentication schemes against the demo users and tokens.
struct SandboxAuthenticator: Sendable {
    enum Verdict {
        case allowed
        case unauthenticated
        case forbidden
    }

    let data: DemoData

    func verdict(for headers: HTTPFields) -> Verdict {
        if let token = headers[HTTPField.Name("X-CAP-API-OAUTH-TOKEN")!] {
            return data.oauthTokens.contains(token) ? .allowed : .unauthenticated
        }
        guard let authorization = headers[.authorization], authorization.lowercased().hasPrefix("basic "),
            let decoded = Data(base64Encoded: String(authorization.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
            let pair = String(data: decoded, encoding: .utf8), let colon = pair.firstIndex(of: ":")
        else { return .unauthenticated }
        let user = String(pair[..<colon])
        let password = String(pair[pair.index(after: colon)...])
        guard data.users[user] == password else { return .unauthenticated }
        return data.readOnlyUsers.contains(user) ? .forbidden : .allowed
    }
}
