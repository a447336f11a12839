# glacier-mock as a container: docker build -t glacier-mock . && docker run -p 8080:8080 glacier-mock

# Build stage: the same steps as scripts/start.sh (install-deps.sh, then the release preset).
FROM debian:bookworm AS build
WORKDIR /src
COPY . .
RUN bash scripts/install-deps.sh \
 && cmake --preset release \
 && cmake --build --preset release -j "$(nproc)" --target glacier-mock

# Runtime stage: the binary and the Debian packages holding the shared libraries it links
# (`ldd build/release/glacier-mock`): Boost.URL, spdlog, fmt, OpenSSL's libcrypto and SQLite.
# libstdc++6, libgcc-s1 and libc6 are already part of bookworm-slim.
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libboost-url1.81.0 libspdlog1.10 libfmt9 libssl3 libsqlite3-0 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin glacier \
 && install -d -o glacier -g glacier /data
COPY --from=build /src/build/release/glacier-mock /usr/local/bin/glacier-mock

# A numeric user, so that "run as non-root" checks can verify it without /etc/passwd.
USER 10001:10001
# No config file is copied: the built-in defaults apply, and GLACIER_MOCK_* variables,
# a mounted --config file or flags change them. /data is there, writable, for
# GLACIER_MOCK_DATA_DIR=/data with a volume mounted on it; by default nothing is kept on disk.
ENV GLACIER_MOCK_HOST=0.0.0.0
EXPOSE 8080
# --healthcheck reads the same settings (GLACIER_MOCK_PORT etc.) and asks /_mock/health.
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=3 \
  CMD ["/usr/local/bin/glacier-mock", "--healthcheck"]
# Exec form: glacier-mock is PID 1 and gets SIGTERM from `docker stop` directly.
ENTRYPOINT ["/usr/local/bin/glacier-mock"]
