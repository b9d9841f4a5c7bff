//! Compiles the Slint UI with the bundled translations; element lookups in tests need the
//! debug info, so debug builds carry it (and any build made with `SLINT_EMIT_DEBUG_INFO` set,
//! as tests/bench/touch.sh makes its optimised ones).

fn main() {
    let config = slint_build::CompilerConfiguration::new()
        .with_bundled_translations("lang")
        .with_debug_info(
            std::env::var("PROFILE").as_deref() == Ok("debug") || std::env::var_os("SLINT_EMIT_DEBUG_INFO").is_some(),
        );
    if let Err(e) = slint_build::compile_with_config("ui/app.slint", config) {
        // A build script reports by failing the build.
        panic!("compiling the UI: {e}");
    }
}
