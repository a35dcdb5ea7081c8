//! The public pages, kept rendered for visitors who are not signed in.
//!
//! The home page, sign-up, sign-in and the public list of open needs are what a newcomer opens
//! first — from a poster, a shared link, a search engine — and they are the same for everyone
//! who is not signed in, per language. Rendering one (the list: 100 needs, filters, hydration
//! data) costs milliseconds, while what it shows changes only when a record does. So an
//! anonymous `GET` of a public page (`app::domain::paths::is_public_page`) is answered from a
//! copy made by the first such request, as long as:
//! - the sync counter is where it was when the copy was made (every write to a need goes
//!   through the change log and moves the counter, on whichever server instance made it);
//! - the copy is younger than [`MAX_AGE`] (what the counter does not see: a group's name,
//!   the reference data, the date);
//! - the request is the same: path and query, language cookie and `Accept-Language`.
//!
//! A signed-in person (any session cookie) always gets a fresh render: the header shows them.
//! Only a 200 page without `Set-Cookie` is kept. Each answer gets its own CSP nonce: the copy
//! is kept cut at the nonce and joined with a new one. While one visitor's render of a missing
//! copy runs, others asking for the same page wait for it, at most [`MAX_WAIT`].
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use std::sync::Arc;

use app::auth::{request_cookie, SESSION_COOKIE};
use app::db::Pool;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// A copy older than this is rendered again even if the counter has not moved.
pub const MAX_AGE: Duration = Duration::from_secs(30);
/// At most this many copies (filters × pages × languages); beyond, old ones go first.
pub const MAX_ENTRIES: usize = 256;
/// A page larger than this is served but not kept.
const MAX_BODY: usize = 4 * 1024 * 1024;
/// How long a visitor waits for another visitor's render of the same page before rendering it
/// again. A render that never ends then delays the visitors who came meanwhile, once; the
/// visitors after them get the new render's copy.
pub const MAX_WAIT: Duration = Duration::from_secs(5);

#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    path_and_query: String,
    lang_cookie: Option<String>,
    accept_language: Option<String>,
}

struct Copy {
    counter: i64,
    made: Instant,
    /// The body cut at each occurrence of the nonce it was rendered with.
    parts: Vec<Bytes>,
    /// The page's CSP, cut the same way.
    policy: Vec<String>,
    content_type: HeaderValue,
}

/// The kept copies, shared by every request, and the database whose counter dates them.
pub struct PageCache {
    pool: Pool,
    copies: Mutex<HashMap<Key, Copy>>,
    /// One render at a time per key: the others wait for its copy (no stampede of identical
    /// renders when a copy is missing, say at start or right after a write).
    renders: Mutex<HashMap<Key, Arc<tokio::sync::Mutex<()>>>>,
    /// [`MAX_WAIT`], shorter in tests.
    max_wait: Duration,
}

impl PageCache {
    pub fn new(pool: Pool) -> Self {
        Self {
            pool,
            copies: Mutex::default(),
            renders: Mutex::default(),
            max_wait: MAX_WAIT,
        }
    }

    fn gate(&self, key: &Key) -> Arc<tokio::sync::Mutex<()>> {
        let mut renders = self.renders.lock().unwrap_or_else(|e| e.into_inner());
        if renders.len() >= MAX_ENTRIES {
            // Only gates nobody holds or waits for.
            renders.retain(|_, gate| Arc::strong_count(gate) > 1);
        }
        renders.entry(key.clone()).or_default().clone()
    }

    /// A new gate for `key`, in place of one whose render is taking too long.
    fn new_gate(&self, key: &Key) -> Arc<tokio::sync::Mutex<()>> {
        let gate = Arc::<tokio::sync::Mutex<()>>::default();
        let mut renders = self.renders.lock().unwrap_or_else(|e| e.into_inner());
        renders.insert(key.clone(), gate.clone());
        gate
    }

    fn get(&self, key: &Key, counter: i64) -> Option<(Vec<Bytes>, Vec<String>, HeaderValue)> {
        let copies = self.copies.lock().unwrap_or_else(|e| e.into_inner());
        let copy = copies.get(key)?;
        (copy.counter == counter && copy.made.elapsed() < MAX_AGE).then(|| {
            (
                copy.parts.clone(),
                copy.policy.clone(),
                copy.content_type.clone(),
            )
        })
    }

    fn put(&self, key: Key, copy: Copy) {
        let mut copies = self.copies.lock().unwrap_or_else(|e| e.into_inner());
        if copies.len() >= MAX_ENTRIES && !copies.contains_key(&key) {
            let counter = copy.counter;
            copies.retain(|_, c| c.counter == counter && c.made.elapsed() < MAX_AGE);
            if copies.len() >= MAX_ENTRIES {
                // Still full of current copies: drop the oldest.
                if let Some(oldest) = copies
                    .iter()
                    .min_by_key(|(_, c)| c.made)
                    .map(|(k, _)| k.clone())
                {
                    copies.remove(&oldest);
                }
            }
        }
        copies.insert(key, copy);
    }
}

/// The key of a request that may be answered from a copy, or `None`.
fn key_of(request: &Request) -> Option<Key> {
    if request.method() != Method::GET || !app::domain::paths::is_public_page(request.uri().path())
    {
        return None;
    }
    let headers = request.headers();
    if request_cookie(headers, SESSION_COOKIE).is_some() {
        return None;
    }
    let lang_cookie = request_cookie(headers, app::app::LANG_COOKIE).map(str::to_owned);
    let accept_language = match headers.get(header::ACCEPT_LANGUAGE) {
        Some(v) => Some(v.to_str().ok()?.to_owned()),
        None => None,
    };
    Some(Key {
        path_and_query: request.uri().path_and_query()?.as_str().to_owned(),
        lang_cookie,
        accept_language,
    })
}

/// The nonce in a page's CSP (`'nonce-…'`).
fn nonce_of(policy: &str) -> Option<&str> {
    let start = policy.find("'nonce-")? + "'nonce-".len();
    let len = policy[start..].find('\'')?;
    Some(&policy[start..start + len]).filter(|n| !n.is_empty())
}

/// `haystack` cut at every occurrence of `needle`.
fn cut(haystack: &[u8], needle: &[u8]) -> Vec<Bytes> {
    let mut parts = Vec::new();
    let mut rest = haystack;
    while let Some(at) = rest.windows(needle.len()).position(|w| w == needle) {
        parts.push(Bytes::copy_from_slice(&rest[..at]));
        rest = &rest[at + needle.len()..];
    }
    parts.push(Bytes::copy_from_slice(rest));
    parts
}

fn join_bytes(parts: &[Bytes], nonce: &str) -> Bytes {
    let len = parts.iter().map(Bytes::len).sum::<usize>() + nonce.len() * parts.len();
    let mut out = Vec::with_capacity(len);
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(nonce.as_bytes());
        }
        out.extend_from_slice(part);
    }
    Bytes::from(out)
}

/// An answer from a copy, with a nonce of its own.
fn answer((parts, policy, content_type): (Vec<Bytes>, Vec<String>, HeaderValue)) -> Response {
    let nonce = leptos::nonce::Nonce::new();
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, content_type);
    if let Ok(policy) = HeaderValue::from_str(&policy.join(&**nonce.as_inner())) {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    (headers, Body::from(join_bytes(&parts, nonce.as_inner()))).into_response()
}

/// The middleware: answers from a copy when it may, otherwise renders and keeps a copy.
pub async fn serve(State(cache): State<Arc<PageCache>>, request: Request, next: Next) -> Response {
    let Some(key) = key_of(&request) else {
        return next.run(request).await;
    };
    // The counter before rendering: a write committed meanwhile makes this copy already old,
    // never a stale copy look current.
    let Ok(counter) = app::db::sync::counter(&cache.pool).await else {
        return next.run(request).await;
    };
    if let Some(copy) = cache.get(&key, counter) {
        return answer(copy);
    }
    let _rendering = match tokio::time::timeout(cache.max_wait, cache.gate(&key).lock_owned()).await
    {
        Ok(rendering) => rendering,
        Err(_) => {
            // The render holding the gate may never end: this one renders, and the visitors
            // after it wait for this one instead.
            tracing::warn!(path = %key.path_and_query, "a render of a public page is taking long; rendering it again");
            cache.new_gate(&key).lock_owned().await
        }
    };
    // Someone else rendered it while this one waited.
    if let Some(copy) = cache.get(&key, counter) {
        return answer(copy);
    }
    let response = next.run(request).await;
    let policy = response
        .headers()
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let content_type = response.headers().get(header::CONTENT_TYPE).cloned();
    let keep = response.status() == StatusCode::OK
        && !response.headers().contains_key(header::SET_COOKIE)
        && !response.headers().contains_key(header::CONTENT_ENCODING);
    let (Some(policy), Some(content_type), true) = (policy, content_type, keep) else {
        return response;
    };
    let Some(nonce) = nonce_of(&policy).map(str::to_owned) else {
        return response;
    };
    let (head, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(bytes) => bytes,
        Err(err) => {
            tracing::error!(%err, "could not read a rendered public page");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    cache.put(
        key,
        Copy {
            counter,
            made: Instant::now(),
            parts: cut(&bytes, nonce.as_bytes()),
            policy: policy.split(&nonce).map(str::to_owned).collect(),
            content_type,
        },
    );
    Response::from_parts(head, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nonce_is_read_from_the_policy() {
        assert_eq!(
            nonce_of("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval'"),
            Some("abc123")
        );
        assert_eq!(nonce_of("script-src 'self'"), None);
        assert_eq!(nonce_of("script-src 'nonce-'"), None);
    }

    #[test]
    fn a_cut_copy_joins_with_a_new_nonce() {
        let page = b"<script nonce=\"N1\">a</script><p>N</p><script nonce=\"N1\">b</script>";
        let parts = cut(page, b"N1");
        assert_eq!(parts.len(), 3);
        assert_eq!(
            join_bytes(&parts, "Z9"),
            Bytes::from_static(
                b"<script nonce=\"Z9\">a</script><p>N</p><script nonce=\"Z9\">b</script>"
            )
        );
        assert_eq!(
            join_bytes(&cut(b"none", b"N1"), "Z9"),
            Bytes::from_static(b"none")
        );
    }

    fn request(uri: &str, cookie: Option<&str>) -> Request {
        let mut builder = Request::builder().uri(uri);
        if let Some(cookie) = cookie {
            builder = builder.header(header::COOKIE, cookie);
        }
        builder.body(Body::empty()).unwrap()
    }

    #[test]
    fn only_anonymous_reads_of_public_pages_are_kept() {
        assert!(key_of(&request("/behov?kind=premises", None)).is_some());
        assert!(key_of(&request("/behov", Some("samverka_lang=en"))).is_some());
        assert!(key_of(&request(
            "/behov",
            Some(&format!("a=b; {SESSION_COOKIE}=x"))
        ))
        .is_none());
        for page in [
            "/",
            "/registrera",
            "/logga-in",
            "/tillganglighet",
            "/integritet",
        ] {
            assert!(key_of(&request(page, None)).is_some(), "{page}");
        }
        assert!(key_of(&request(
            "/behov/0190a8f2-3c4d-7e5f-8a9b-0c1d2e3f4a5b",
            None
        ))
        .is_some());
        for private in [
            "/behov/mina",
            "/behov/ny",
            "/personal/behov",
            "/start",
            "/erbjudanden",
            "/arenden/0190a8f2-3c4d-7e5f-8a9b-0c1d2e3f4a5b",
            "/registrera/",
        ] {
            assert!(key_of(&request(private, None)).is_none(), "{private}");
        }
        let post = Request::builder()
            .method(Method::POST)
            .uri("/behov")
            .body(Body::empty())
            .unwrap();
        assert!(key_of(&post).is_none());
        // The language is part of the key.
        assert!(
            key_of(&request("/behov", Some("samverka_lang=en")))
                != key_of(&request("/behov", Some("samverka_lang=sv")))
        );
    }

    /// A folder removed when the test ends.
    struct Scratch(std::path::PathBuf);

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// A router whose pages count their renders, behind the cache, over a real database: the
    /// counts of `/behov` and `/annat`, and of `/integritet`, whose first render never ends.
    async fn counted() -> (
        axum::Router,
        Pool,
        Arc<std::sync::atomic::AtomicUsize>,
        Arc<std::sync::atomic::AtomicUsize>,
        Scratch,
    ) {
        use std::sync::atomic::AtomicUsize;
        let dir = Scratch(
            std::env::temp_dir().join(format!("samverka-page-cache-{}", uuid::Uuid::new_v4())),
        );
        let url =
            app::config::DatabaseUrl::parse(&format!("sqlite://{}/c.db", dir.0.display())).unwrap();
        let pool = app::db::connect_and_migrate(&url).await.unwrap();
        let renders = Arc::new(AtomicUsize::new(0));
        let counter = renders.clone();
        let page = axum::routing::get(move |request: Request| {
            let counter = counter.clone();
            async move {
                let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                // Long enough for the visitors of the stampede check to arrive meanwhile.
                tokio::time::sleep(Duration::from_millis(20)).await;
                let mut response = page_answer(format!("render {n}"));
                if request.uri().query() == Some("kaka") {
                    response
                        .headers_mut()
                        .insert(header::SET_COOKIE, HeaderValue::from_static("a=b"));
                }
                response
            }
        });
        // Its first render never ends.
        let stuck = Arc::new(AtomicUsize::new(0));
        let stuck_renders = stuck.clone();
        let stalling = axum::routing::get(move || {
            let stuck = stuck.clone();
            async move {
                if stuck.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
                    std::future::pending::<()>().await;
                }
                page_answer("render after the stuck one".to_owned())
            }
        });
        let cache = PageCache {
            max_wait: Duration::from_millis(200),
            ..PageCache::new(pool.clone())
        };
        let router = axum::Router::new()
            .route("/behov", page.clone())
            .route("/annat", page)
            .route("/integritet", stalling)
            .layer(axum::middleware::from_fn_with_state(Arc::new(cache), serve));
        (router, pool, renders, stuck_renders, dir)
    }

    /// A page with a nonce, as the app renders one.
    fn page_answer(text: String) -> Response {
        (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CONTENT_SECURITY_POLICY, "script-src 'nonce-R1'"),
            ],
            format!("<script nonce=\"R1\"></script><p>{text}</p>"),
        )
            .into_response()
    }

    async fn call(router: &axum::Router, request: Request) -> (String, String) {
        use tower::ServiceExt;
        let response = router.clone().oneshot(request).await.unwrap();
        let policy = response.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .to_owned();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (policy, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_visitor_gets_the_kept_copy_with_a_new_nonce_until_the_counter_moves() {
        use std::sync::atomic::Ordering;
        let (router, pool, renders, _, _dir) = counted().await;
        let (_, first) = call(&router, request("/behov", None)).await;
        assert_eq!(first, "<script nonce=\"R1\"></script><p>render 0</p>");
        let (policy, again) = call(&router, request("/behov", None)).await;
        assert_eq!(renders.load(Ordering::SeqCst), 1, "answered from the copy");
        let nonce = nonce_of(&policy).unwrap().to_owned();
        assert_ne!(nonce, "R1");
        assert_eq!(
            again,
            format!("<script nonce=\"{nonce}\"></script><p>render 0</p>")
        );

        // Another query is another copy.
        call(&router, request("/behov?typ=storage", None)).await;
        assert_eq!(renders.load(Ordering::SeqCst), 2);

        // A write to a synced record moves the counter: rendered again.
        sqlx::query("UPDATE sync_counter SET value = value + 1 WHERE id = 1")
            .execute(&pool)
            .await
            .unwrap();
        let (_, after) = call(&router, request("/behov", None)).await;
        assert!(after.ends_with("render 2</p>"), "{after}");

        // Never for a session, another path, or an answer that sets a cookie.
        let session = format!("{SESSION_COOKIE}=abc");
        for _ in 0..2 {
            call(&router, request("/behov", Some(&session))).await;
            call(&router, request("/annat", None)).await;
            call(&router, request("/behov?kaka", None)).await;
        }
        assert_eq!(renders.load(Ordering::SeqCst), 3 + 6);

        // Many visitors at once, no copy yet: one render, every one of them answered.
        sqlx::query("UPDATE sync_counter SET value = value + 1 WHERE id = 1")
            .execute(&pool)
            .await
            .unwrap();
        let visitors: Vec<_> = (0..16)
            .map(|_| {
                let router = router.clone();
                tokio::spawn(async move { call(&router, request("/behov", None)).await })
            })
            .collect();
        for visitor in visitors {
            let (_, body) = visitor.await.unwrap();
            assert!(body.ends_with("render 9</p>"), "{body}");
        }
        assert_eq!(renders.load(Ordering::SeqCst), 10);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_render_that_never_ends_holds_up_the_next_visitor_only_a_moment() {
        let (router, _pool, _renders, stuck_renders, _dir) = counted().await;
        let stuck = {
            let router = router.clone();
            tokio::spawn(async move { call(&router, request("/integritet", None)).await })
        };
        // The stuck render has begun (and holds the gate).
        while stuck_renders.load(std::sync::atomic::Ordering::SeqCst) == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let (_, body) = tokio::time::timeout(
            Duration::from_secs(10),
            call(&router, request("/integritet", None)),
        )
        .await
        .expect("answered after the wait, not held behind the stuck render");
        assert!(body.ends_with("render after the stuck one</p>"), "{body}");
        // The visitors after it get its copy: no third render.
        let (_, copy) = call(&router, request("/integritet", None)).await;
        assert!(copy.ends_with("render after the stuck one</p>"), "{copy}");
        assert_eq!(stuck_renders.load(std::sync::atomic::Ordering::SeqCst), 2);
        assert!(!stuck.is_finished());
        stuck.abort();
    }
}
