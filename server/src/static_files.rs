//! The app's own files — `/pkg/…` (wasm, its split chunks, JS, CSS), the icons, the favicon and
//! the web manifest — read into memory once at start and answered before any other layer.
//!
//! They are the same for every visitor and change only with a new build, so nothing about them
//! needs a session, the access rules or a render: a request for one is answered from memory
//! (about 1 MB of files and their precompressed copies), the `.br` or `.gz` copy made by
//! `cargo leptos build --precompress` when the browser accepts it. Files whose names carry their
//! content's hash (`hash-files` in `Cargo.toml`) are cached by browsers for a year, `immutable`;
//! the others (favicon, manifest, icons) are revalidated with their `ETag` (a 304 costs no body).
//!
//! The same list is the service worker's app shell ([`shell_files`]), so the two cannot drift.
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Folders of the site whose every file is served from memory.
const DIRS: &[&str] = &["pkg", "icons"];
/// And these single files.
const FILES: &[&str] = &["favicon.svg", "manifest.webmanifest"];

/// A year: the longest cache lifetime browsers honour.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Kept, but asked about again (with `If-None-Match`) before each use.
const REVALIDATE: &str = "no-cache";

/// The encodings we keep copies in, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

impl Encoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Brotli => "br",
            Encoding::Gzip => "gzip",
            Encoding::Identity => "identity",
        }
    }

    /// The best encoding of ours that an `Accept-Encoding` header allows (`q=0` refuses one).
    pub fn preferred(accept: &str) -> Encoding {
        let allowed = |wanted: Encoding| {
            accept.split(',').any(|item| {
                let mut parts = item.split(';');
                let name = parts.next().unwrap_or("").trim();
                let refused = parts.any(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.trim().parse::<f32>().ok())
                        .is_some_and(|q| q <= 0.0)
                });
                name.eq_ignore_ascii_case(wanted.as_str()) && !refused
            })
        };
        [Encoding::Brotli, Encoding::Gzip]
            .into_iter()
            .find(|e| allowed(*e))
            .unwrap_or(Encoding::Identity)
    }
}

struct File {
    content_type: HeaderValue,
    cache_control: HeaderValue,
    etag: HeaderValue,
    identity: Bytes,
    brotli: Option<Bytes>,
    gzip: Option<Bytes>,
}

impl File {
    fn body(&self, encoding: Encoding) -> (Encoding, &Bytes) {
        match encoding {
            Encoding::Brotli => self
                .brotli
                .as_ref()
                .map(|b| (Encoding::Brotli, b))
                .unwrap_or((Encoding::Identity, &self.identity)),
            Encoding::Gzip => self
                .gzip
                .as_ref()
                .map(|b| (Encoding::Gzip, b))
                .unwrap_or((Encoding::Identity, &self.identity)),
            Encoding::Identity => (Encoding::Identity, &self.identity),
        }
    }
}

/// Every file of the app, by its path on the site (`/pkg/samverka.….wasm`).
#[derive(Default)]
pub struct StaticFiles {
    files: HashMap<String, File>,
}

impl StaticFiles {
    /// Reads the built site at `site_root`. `hashed_names`: the build puts content hashes into
    /// the names under `/pkg` (then they never change and may be cached for good). A site
    /// without a built front end (the integration tests) gives an empty set.
    pub fn load(site_root: &Path, hashed_names: bool) -> Self {
        let mut files = HashMap::new();
        for path in shell_files(site_root) {
            let on_disk = site_root.join(path.trim_start_matches('/'));
            let Ok(identity) = std::fs::read(&on_disk) else {
                continue;
            };
            let sibling = |ext: &str| {
                let mut name = on_disk.clone().into_os_string();
                name.push(ext);
                std::fs::read(name).ok().map(Bytes::from)
            };
            let immutable =
                hashed_names && path.starts_with("/pkg/") && !path.starts_with("/pkg/snippets/");
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            identity.hash(&mut hasher);
            let etag = HeaderValue::from_str(&format!("\"{:016x}\"", hasher.finish()))
                .expect("hex in quotes is a header value");
            let mime = mime_guess::from_path(&on_disk).first_or_octet_stream();
            files.insert(
                path,
                File {
                    content_type: HeaderValue::from_str(mime.as_ref())
                        .unwrap_or(HeaderValue::from_static("application/octet-stream")),
                    cache_control: HeaderValue::from_static(if immutable {
                        IMMUTABLE
                    } else {
                        REVALIDATE
                    }),
                    etag,
                    brotli: sibling(".br"),
                    gzip: sibling(".gz"),
                    identity: Bytes::from(identity),
                },
            );
        }
        Self { files }
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The answer for `path`, or `None` when it is not one of the app's files.
    fn answer(&self, path: &str, headers: &HeaderMap) -> Option<Response> {
        let file = self.files.get(path)?;
        let mut out = HeaderMap::new();
        out.insert(header::CACHE_CONTROL, file.cache_control.clone());
        out.insert(header::ETAG, file.etag.clone());
        out.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        let unchanged = headers
            .get_all(header::IF_NONE_MATCH)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|tag| {
                let tag = tag.trim();
                tag == "*" || tag.trim_start_matches("W/") == file.etag
            });
        if unchanged {
            return Some((StatusCode::NOT_MODIFIED, out).into_response());
        }
        let accept = headers
            .get(header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let (encoding, body) = file.body(Encoding::preferred(accept));
        out.insert(header::CONTENT_TYPE, file.content_type.clone());
        if encoding != Encoding::Identity {
            out.insert(
                header::CONTENT_ENCODING,
                HeaderValue::from_static(encoding.as_str()),
            );
        }
        Some((out, Body::from(body.clone())).into_response())
    }
}

/// The middleware: a `GET` or `HEAD` of one of the app's files is answered here; everything
/// else goes on.
pub async fn serve(
    State(files): State<Arc<StaticFiles>>,
    request: Request,
    next: Next,
) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD) {
        if let Some(response) = files.answer(request.uri().path(), request.headers()) {
            return response;
        }
    }
    next.run(request).await
}

/// Every file of the app shell as a site path (`/pkg/…`, `/icons/…`, `/favicon.svg`, …),
/// sorted, leaving out the precompressed copies (the plain name stands for them),
/// wasm-bindgen's TypeScript types (`samverka.d.ts`, `samverka.d.<hash>.ts` with hashed names)
/// and wasm-split's manifest, which only the server reads.
pub fn shell_files(site_root: &Path) -> Vec<String> {
    let mut files = Vec::new();
    for dir in DIRS {
        collect(site_root, &site_root.join(dir), &mut files);
    }
    for file in FILES {
        if site_root.join(file).is_file() {
            files.push(format!("/{file}"));
        }
    }
    files.sort();
    files
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(root, &path, out);
        } else if !matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("br" | "gz" | "ts")
        ) && !entry
            .file_name()
            .to_string_lossy()
            .starts_with("__wasm_split_manifest")
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

    #[test]
    fn the_best_accepted_encoding_is_chosen() {
        use Encoding::*;
        assert_eq!(Encoding::preferred("gzip, deflate, br, zstd"), Brotli);
        assert_eq!(Encoding::preferred("gzip"), Gzip);
        assert_eq!(Encoding::preferred("BR;q=0.5, gzip;q=1"), Brotli);
        assert_eq!(Encoding::preferred("br;q=0, gzip"), Gzip);
        assert_eq!(Encoding::preferred("br; q=0.0"), Identity);
        assert_eq!(Encoding::preferred(""), Identity);
        assert_eq!(Encoding::preferred("deflate, brotli"), Identity);
    }

    /// A folder removed when the test ends.
    struct Site(std::path::PathBuf);

    impl Drop for Site {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn site() -> Site {
        let dir = std::env::temp_dir().join(format!("samverka-static-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(dir.join("pkg/snippets")).unwrap();
        std::fs::create_dir_all(dir.join("icons")).unwrap();
        std::fs::write(dir.join("pkg/samverka.Abc.wasm"), b"wasm!").unwrap();
        std::fs::write(dir.join("pkg/samverka.Abc.wasm.br"), b"br").unwrap();
        std::fs::write(dir.join("pkg/samverka.Abc.wasm.gz"), b"gz").unwrap();
        std::fs::write(dir.join("pkg/samverka.d.ts"), b"types").unwrap();
        std::fs::write(dir.join("pkg/samverka.d.Qrs.ts"), b"types").unwrap();
        std::fs::write(dir.join("pkg/__wasm_split_manifest.Tuv.json"), b"{}").unwrap();
        std::fs::write(dir.join("pkg/snippets/inline.js"), b"js").unwrap();
        std::fs::write(dir.join("icons/icon-192.png"), b"png").unwrap();
        std::fs::write(dir.join("favicon.svg"), b"<svg/>").unwrap();
        std::fs::write(dir.join("sw.js"), b"worker").unwrap();
        Site(dir)
    }

    fn get(files: &StaticFiles, path: &str, pairs: &[(&'static str, &str)]) -> Option<Response> {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        files.answer(path, &headers)
    }

    async fn body(response: Response) -> Vec<u8> {
        axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap()
            .to_vec()
    }

    #[test]
    fn the_shell_is_every_file_but_copies_and_types() {
        let site = site();
        assert_eq!(
            shell_files(&site.0),
            [
                "/favicon.svg",
                "/icons/icon-192.png",
                "/pkg/samverka.Abc.wasm",
                "/pkg/snippets/inline.js",
            ]
        );
    }

    #[tokio::test]
    async fn a_file_is_sent_in_the_accepted_encoding_with_its_caching() {
        let site = site();
        let files = StaticFiles::load(&site.0, true);
        assert_eq!(files.len(), 4);

        let br = get(
            &files,
            "/pkg/samverka.Abc.wasm",
            &[("accept-encoding", "gzip, br")],
        )
        .unwrap();
        assert_eq!(br.status(), StatusCode::OK);
        assert_eq!(br.headers()[header::CONTENT_ENCODING], "br");
        assert_eq!(br.headers()[header::CONTENT_TYPE], "application/wasm");
        assert_eq!(br.headers()[header::CACHE_CONTROL], IMMUTABLE);
        assert_eq!(br.headers()[header::VARY], "accept-encoding");
        let etag = br.headers()[header::ETAG].to_str().unwrap().to_owned();
        assert_eq!(body(br).await, b"br");

        let gz = get(
            &files,
            "/pkg/samverka.Abc.wasm",
            &[("accept-encoding", "gzip")],
        )
        .unwrap();
        assert_eq!(gz.headers()[header::CONTENT_ENCODING], "gzip");
        assert_eq!(body(gz).await, b"gz");

        let plain = get(&files, "/pkg/samverka.Abc.wasm", &[]).unwrap();
        assert!(!plain.headers().contains_key(header::CONTENT_ENCODING));
        assert_eq!(
            plain.headers()[header::ETAG],
            etag.as_str(),
            "one tag for every encoding"
        );
        assert_eq!(body(plain).await, b"wasm!");

        // No precompressed copy: the plain bytes, whatever is accepted.
        let svg = get(&files, "/favicon.svg", &[("accept-encoding", "br")]).unwrap();
        assert!(!svg.headers().contains_key(header::CONTENT_ENCODING));
        assert_eq!(svg.headers()[header::CONTENT_TYPE], "image/svg+xml");
        assert_eq!(
            svg.headers()[header::CACHE_CONTROL],
            REVALIDATE,
            "not a hashed name"
        );
        assert_eq!(
            get(&files, "/pkg/snippets/inline.js", &[])
                .unwrap()
                .headers()[header::CACHE_CONTROL],
            REVALIDATE,
            "wasm-bindgen's snippets keep their names"
        );

        // Asked again with the tag: nothing to send.
        let again = get(
            &files,
            "/pkg/samverka.Abc.wasm",
            &[("if-none-match", &etag)],
        )
        .unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        assert!(body(again).await.is_empty());
        let other = get(
            &files,
            "/pkg/samverka.Abc.wasm",
            &[("if-none-match", "\"x\"")],
        )
        .unwrap();
        assert_eq!(other.status(), StatusCode::OK);

        // Not ours: left to the rest of the app (pages, the 404 page).
        assert!(get(&files, "/pkg/samverka.Abc.wasm.br", &[]).is_none());
        assert!(get(&files, "/pkg/samverka.d.ts", &[]).is_none());
        assert!(get(&files, "/sw.js", &[]).is_none());
        assert!(get(&files, "/", &[]).is_none());
    }

    #[test]
    fn without_hashed_names_nothing_is_immutable() {
        let site = site();
        let files = StaticFiles::load(&site.0, false);
        let wasm = get(&files, "/pkg/samverka.Abc.wasm", &[]).unwrap();
        assert_eq!(wasm.headers()[header::CACHE_CONTROL], REVALIDATE);
    }

    #[test]
    fn a_site_without_a_front_end_has_no_files() {
        let files = StaticFiles::load(Path::new("/nonexistent/samverka-site"), true);
        assert!(files.is_empty());
    }
}
