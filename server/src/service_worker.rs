//! `GET /sw.js`: the service worker from `public/sw.js`, with this build's cache name and file
//! list filled in.
//!
//! The cache name must change with every build, or phones would keep an old wasm next to new
//! HTML; the list must name every file, split chunks included, or a page first opened offline
//! would have no code. Both are read from the built site once, at start-up, so they always
//! match the files actually served.
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::Path;

/// Files under these folders of the site are the app shell.
const SHELL_DIRS: &[&str] = &["pkg", "icons"];
/// And these single files.
const SHELL_FILES: &[&str] = &["favicon.svg", "manifest.webmanifest"];

/// The service worker's script for the site at `site_root`, or `None` when the site has no
/// `sw.js` (a server started without a built front end, as in the integration tests).
pub fn script(site_root: &Path) -> Option<String> {
    let template = std::fs::read_to_string(site_root.join("sw.js")).ok()?;
    let mut files = Vec::new();
    for dir in SHELL_DIRS {
        collect(site_root, &site_root.join(dir), &mut files);
    }
    for file in SHELL_FILES {
        if site_root.join(file).is_file() {
            files.push(format!("/{file}"));
        }
    }
    files.sort();
    // The build id: every shell file's name and bytes. (DefaultHasher is stable for one
    // binary, which is all this needs: a new binary comes with a new build anyway.)
    let mut hasher = DefaultHasher::new();
    for file in &files {
        file.hash(&mut hasher);
        if let Ok(bytes) = std::fs::read(site_root.join(file.trim_start_matches('/'))) {
            bytes.hash(&mut hasher);
        }
    }
    let build = format!("{:016x}", hasher.finish());
    let assets = serde_json::to_string(&files).unwrap_or_else(|_| "[]".to_owned());
    Some(
        template
            .replace("__SAMVERKA_BUILD__", &build)
            .replace("__SAMVERKA_ASSETS__", &assets),
    )
}

/// Every file under `dir` as a site path, leaving out the precompressed copies (the server
/// picks those by `Accept-Encoding` for the plain name) and wasm-bindgen's TypeScript types.
fn collect(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(root, &path, out);
        } else if !matches!(path.extension().and_then(|e| e.to_str()), Some("br" | "gz"))
            && !path.to_string_lossy().ends_with(".d.ts")
        {
            if let Ok(relative) = path.strip_prefix(root) {
                out.push(format!(
                    "/{}",
                    relative.to_string_lossy().replace('\\', "/")
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("samverka-sw-{}", uuid_like()));
        std::fs::create_dir_all(dir.join("pkg")).unwrap();
        std::fs::write(
            dir.join("sw.js"),
            "const B = \"__SAMVERKA_BUILD__\"; const A = __SAMVERKA_ASSETS__;",
        )
        .unwrap();
        std::fs::write(dir.join("pkg/samverka.wasm"), b"wasm").unwrap();
        std::fs::write(dir.join("pkg/samverka.wasm.br"), b"br").unwrap();
        std::fs::write(dir.join("pkg/samverka.d.ts"), b"types").unwrap();
        std::fs::write(dir.join("pkg/split_1.wasm"), b"chunk").unwrap();
        std::fs::write(dir.join("favicon.svg"), b"<svg/>").unwrap();
        dir
    }

    fn uuid_like() -> String {
        format!(
            "{:?}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        )
    }

    #[test]
    fn the_script_lists_every_shell_file_but_not_the_compressed_copies() {
        let dir = site();
        let script = script(&dir).unwrap();
        assert!(
            script.contains(r#"["/favicon.svg","/pkg/samverka.wasm","/pkg/split_1.wasm"]"#),
            "{script}"
        );
        assert!(!script.contains("__SAMVERKA"));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn the_cache_name_changes_when_a_file_changes() {
        let dir = site();
        let before = script(&dir).unwrap();
        std::fs::write(dir.join("pkg/split_1.wasm"), b"another chunk").unwrap();
        let after = script(&dir).unwrap();
        assert_ne!(before, after);
        assert_eq!(
            after,
            script(&dir).unwrap(),
            "the same files, the same name"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn no_template_no_script() {
        assert!(script(Path::new("/nonexistent-samverka-site")).is_none());
    }
}
