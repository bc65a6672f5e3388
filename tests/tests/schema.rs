//! The committed `schema.graphql` is exactly what the server serves.
//! Regenerate with `cargo run -- schema --out schema.graphql` (or `just schema`).

#[test]
fn committed_schema_matches_the_live_schema() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema.graphql");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let live = grapevine_api::graphql::sdl();
    assert!(
        committed == live,
        "schema.graphql is out of date: run `cargo run -- schema --out schema.graphql` and commit it"
    );
}
