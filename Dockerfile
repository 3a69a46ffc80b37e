# promo-shim: build with the official Swift image, run as a non-root user on a slim runtime image.
FROM swift:6.1-jammy AS build
WORKDIR /build
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --static-swift-stdlib --product promo-shim \
    && cp "$(swift build -c release --show-bin-path)/promo-shim" /build/promo-shim

FROM ubuntu:jammy
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates libcurl4 libxml2 tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app shim
WORKDIR /app
COPY --from=build /build/promo-shim /usr/local/bin/promo-shim
COPY mappings ./mappings
USER shim
# Configuration by environment variables (see README): SHIM_UPSTREAM is required.
ENV SHIM_HOST=0.0.0.0 \
    SHIM_PORT=8080 \
    SHIM_ADMIN_HOST=0.0.0.0 \
    SHIM_ADMIN_PORT=9901 \
    SHIM_MAPPINGS=/app/mappings \
    SHIM_USAGE_LOG=-
EXPOSE 8080 9901
ENTRYPOINT ["promo-shim"]
CMD ["serve"]
