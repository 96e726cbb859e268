# syntax=docker/dockerfile:1
# Build: docker build -t jarchi .
# Run:   docker run --env-file .env -v jarchi-data:/data jarchi

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
# Dependencies first, in a layer of their own: source edits do not rebuild them.
COPY Cargo.toml Cargo.lock ./
RUN mkdir src && echo 'fn main() {}' > src/main.rs && touch src/lib.rs \
    && cargo build --release --locked \
    && rm -rf src
COPY src src
COPY migrations migrations
RUN touch src/main.rs src/lib.rs && cargo build --release --locked \
    && strip target/release/jarchi \
    && mkdir -p /data

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/jarchi /usr/local/bin/jarchi
# distroless's nonroot user (65532) must own the volume to create the database in it.
COPY --from=build --chown=65532:65532 /data /data
ENV DATABASE_URL=sqlite:///data/jarchi.db \
    RUST_LOG=info
VOLUME ["/data"]
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/jarchi"]
CMD ["run"]
