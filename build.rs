//! `sqlx::migrate!` embeds `migrations/` when the crate compiles; without this, a new
//! migration file would be left out of builds until some Rust source changed too.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
