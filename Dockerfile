# syntax=docker/dockerfile:1
# gw as a container image: built in a Rust image, run from a distroless one as a non-root user.
#   docker build -t gw .
#   docker run -p 8080:8080 gw                       # the embedded default pack (built-in emulator)
#   docker run -p 8080:8080 -v $PWD/pack.yaml:/etc/gw/pack.yaml gw run -c /etc/gw/pack.yaml --listen 0.0.0.0:8080
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
# BuildKit cache mounts keep the registry and the dependency builds between image builds.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin gw \
    && mkdir -p /out/audit && cp target/release/gw /out/gw

# glibc + CA certificates, no shell; uid 65532.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /out/gw /usr/local/bin/gw
# Audit trails land in the working directory unless the pack says otherwise: a volume there.
COPY --from=build --chown=nonroot:nonroot /out/audit /var/lib/gw
WORKDIR /var/lib/gw
USER nonroot
EXPOSE 8080
ENV GW_LISTEN=0.0.0.0:8080
ENTRYPOINT ["/usr/local/bin/gw"]
CMD ["run"]
