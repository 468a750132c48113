include!("app_commands.rs");

fn main() {
    // Every app command gets an explicit permission: without this, Tauri
    // lets any window call every command.
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(APP_COMMANDS)),
    )
    .expect("failed to run the Tauri build script");
}
