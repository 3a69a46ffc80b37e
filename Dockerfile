# promo-shim: build with the official Swift image, run as a non-root user on a minimal runtime image.
# The Swift version must be at least the highest swift-tools-version of the resolved dependency
# graph (6.2 today); `.ci/check-toolchain` fails CI when it is not.
FROM swift:6.2-noble AS build
WORKDIR /build
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --static-swift-stdlib --product promo-shim \
    && cp "$(swift build -c release --show-bin-path)/promo-shim" /build/promo-shim

# The binary links the Swift runtime and Foundation statically; what it still loads (libc, libm,
# libstdc++, libgcc_s, libz) is in the base image. ca-certificates is data: the trust roots for an
# https upstream.
FROM ubuntu:noble
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --no-create-home --home-dir /app shim
WORKDIR /app
COPY --from=build /build/promo-shim /usr/local/bin/promo-shim
COPY mappings ./mappings
USER 10001:10001
# Configuration by environment variables (see README): SHIM_UPSTREAM is required.
ENV SHIM_HOST=0.0.0.0 \
    SHIM_PORT=8080 \
    SHIM_ADMIN_HOST=0.0.0.0 \
    SHIM_ADMIN_PORT=9901 \
    SHIM_MAPPINGS=/app/mappings \
    SHIM_USAGE_LOG=-
EXPOSE 8080 9901
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD ["promo-shim", "healthcheck", "--path", "/health"]
ENTRYPOINT ["promo-shim"]
CMD ["serve"]
