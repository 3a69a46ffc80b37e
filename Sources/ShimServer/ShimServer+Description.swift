extension ShimServer: CustomStringConvertible {
    /// Names the listeners and the upstream, never the configuration's secrets: the service
    /// lifecycle logs its services' descriptions at debug level.
    package var description: String {
        "ShimServer(proxy: \(configuration.host):\(configuration.port), admin: \(configuration.adminHost):\(configuration.adminPort), upstream: \(configuration.upstream))"
    }
}
