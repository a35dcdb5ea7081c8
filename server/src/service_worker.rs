//! `GET /sw.js`: the service worker from `public/sw.js`, with this build's cache name and file
//! lists filled in.
//!
//! The cache name must change with every build, or phones would keep an old wasm next to new
//! HTML. The worker knows every file of the build (it answers them from its cache), but fetches
//! at install only what a volunteer needs offline: the app's core (the main module, its JS and
//! CSS, icons) and the code of [`OFFLINE_PAGES`] and of the sync engine. Those pages open
//! without network after a first visit; every other page's code is kept the first time it is
//! used. A first visit on a thin connection so no longer downloads the staff pages' code.
//! The lists are read from the built site once, at start-up, so they always match the files
//! actually served.
use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use std::path::Path;

/// The pages a volunteer or a group contact uses on the move: fetched at install, with their
/// code, so they open offline even if not visited yet. The home page is in the main module, the
/// others in [`OFFLINE_CODE`]'s `person_pages` (`lazy_page!` in `app.rs`).
pub const OFFLINE_PAGES: &[&str] = &[
    "/",
    "/start",
    "/erbjudanden",
    "/erbjudanden/ny",
    "/erbjudanden/andra",
    "/andringar",
    "/behov/mina",
    "/behov/ny",
    "/behov/andra",
    "/pass",
    "/pass/timmar",
];

/// The split modules (their names start the split manifest's keys) the offline pages need: the
/// signed-in person's pages and the device's sync engine.
const OFFLINE_CODE: &[&str] = &["person_pages", "open_device"];

/// The service worker's script for the site at `site_root`, or `None` when the site has no
/// `sw.js` (a server started without a built front end, as in the integration tests).
pub fn script(site_root: &Path) -> Option<String> {
    let template = std::fs::read_to_string(site_root.join("sw.js")).ok()?;
    let files = crate::static_files::shell_files(site_root);
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
    let eager = eager_files(&files, split_manifest(site_root).as_ref());
    Some(
        template
            .replace("__SAMVERKA_BUILD__", &build)
            .replace("__SAMVERKA_ASSETS__", &json(&files))
            .replace("__SAMVERKA_EAGER__", &json(&eager))
            .replace("__SAMVERKA_PAGES__", &json(OFFLINE_PAGES)),
    )
}

/// A list as a JSON array, for the script's constants.
fn json<T: serde::Serialize>(list: &[T]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".to_owned())
}

/// wasm-split's manifest (`pkg/__wasm_split_manifest[.hash].json`): for each lazy function, the
/// chunks (names under `pkg/`, without `.wasm`) it needs.
fn split_manifest(site_root: &Path) -> Option<HashMap<String, Vec<String>>> {
    let entry = std::fs::read_dir(site_root.join("pkg"))
        .ok()?
        .flatten()
        .find(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with("__wasm_split_manifest") && name.ends_with(".json")
        })?;
    serde_json::from_slice(&std::fs::read(entry.path()).ok()?).ok()
}

/// What the worker fetches at install: every file that is not a split chunk, and the chunks of
/// the offline pages and the sync engine. Without a manifest (a build without `--split`), all.
fn eager_files(files: &[String], manifest: Option<&HashMap<String, Vec<String>>>) -> Vec<String> {
    let Some(manifest) = manifest else {
        return files.to_vec();
    };
    let chunk = |name: &str| format!("/pkg/{name}.wasm");
    let chunks: BTreeSet<String> = manifest.values().flatten().map(|c| chunk(c)).collect();
    let needed: BTreeSet<String> = manifest
        .iter()
        .filter(|(key, _)| OFFLINE_CODE.iter().any(|code| key.starts_with(code)))
        .flat_map(|(_, needs)| needs.iter().map(|c| chunk(c)))
        .collect();
    files
        .iter()
        .filter(|f| !chunks.contains(*f) || needed.contains(*f))
        .cloned()
        .collect()
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
    fn install_fetches_the_core_and_the_offline_pages_code_only() {
        let dir = site();
        std::fs::write(dir.join("pkg/staff.wasm"), b"staff chunk").unwrap();
        std::fs::write(dir.join("pkg/shared.wasm"), b"shared").unwrap();
        std::fs::write(
            dir.join("pkg/__wasm_split_manifest.Xyz.json"),
            r#"{"person_pages": ["split_1", "shared"],
                "staff_pages": ["staff", "shared"],
                "open_device_5e6f": ["split_1"]}"#,
        )
        .unwrap();
        std::fs::write(
            dir.join("sw.js"),
            "E = __SAMVERKA_EAGER__; A = __SAMVERKA_ASSETS__; P = __SAMVERKA_PAGES__;",
        )
        .unwrap();
        let script = script(&dir).unwrap();
        assert!(
            script.contains(
                r#"E = ["/favicon.svg","/pkg/samverka.wasm","/pkg/shared.wasm","/pkg/split_1.wasm"];"#
            ),
            "the staff page's chunk waits until it is used: {script}"
        );
        assert!(
            script.contains(r#""/pkg/staff.wasm""#),
            "but is one of the app's files"
        );
        assert!(script.contains(r#"P = ["/","/start","/erbjudanden","#));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn without_a_manifest_every_file_is_fetched_at_install() {
        let files = vec!["/pkg/a.wasm".to_owned(), "/pkg/b.wasm".to_owned()];
        assert_eq!(eager_files(&files, None), files);
    }

    #[test]
    fn no_template_no_script() {
        assert!(script(Path::new("/nonexistent-samverka-site")).is_none());
    }
}
