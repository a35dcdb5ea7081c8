use crate::both_engines;
use crate::helpers::{spawn_app, spawn_demo_app, spawn_sibling_of, visit, Engine};

both_engines!(
    home_page_renders_in_swedish_by_default,
    |engine: Engine| async move {
        let app = spawn_demo_app(engine).await;

        let response = app
            .client
            .get(app.url("/"))
            .header("Accept-Language", "en-US,en")
            .send()
            .await
            .unwrap();

        assert_eq!(response.status(), 200);
        let html = response.text().await.unwrap();
        assert!(
            html.contains(r#"<html lang="sv""#),
            "html lang: {}",
            &html[..200]
        );
        assert!(html.contains("Samverka – engagemang en timme i taget"));
        assert!(
            html.contains("Trygg i hela Nacka"),
            "priority areas are rendered on the server"
        );
        assert!(html.contains("Fisksätra"));
    }
);

both_engines!(
    home_page_renders_in_english_when_chosen,
    |engine: Engine| async move {
        let app = spawn_demo_app(engine).await;

        let response = app
            .client
            .get(app.url("/"))
            .header("Cookie", "samverka_lang=en")
            .send()
            .await
            .unwrap();

        let html = response.text().await.unwrap();
        assert!(html.contains(r#"<html lang="en""#));
        assert!(html.contains("getting involved, one hour at a time"));
        assert!(html.contains("Safe throughout Nacka"));
    }
);

both_engines!(
    unknown_path_answers_the_localized_404_page,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;

        let sv = app.get("/finns/inte").await;
        let en = app
            .client
            .get(app.url("/finns/inte"))
            .header("Cookie", "samverka_lang=en")
            .send()
            .await
            .unwrap();

        assert_eq!(sv.status(), 404);
        assert!(sv.text().await.unwrap().contains("Vi hittar inte sidan"));
        assert_eq!(en.status(), 404);
        assert!(en
            .text()
            .await
            .unwrap()
            .contains("We cannot find that page"));
    }
);

both_engines!(
    error_page_answers_500_without_internals,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;

        let response = app.get("/fel").await;

        assert_eq!(response.status(), 500);
        let html = response.text().await.unwrap();
        assert!(html.contains("Något gick fel"));
        assert!(!html.to_lowercase().contains("sqlx") && !html.contains("panicked"));
    }
);

both_engines!(
    language_switch_remembers_the_choice_and_returns,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;

        let response = app.get("/sprak/en?tillbaka=/tillganglighet").await;

        assert_eq!(response.status(), 303);
        assert_eq!(response.headers()["location"], "/tillganglighet");
        let cookie = response.headers()["set-cookie"].to_str().unwrap();
        assert!(cookie.starts_with("samverka_lang=en;"), "{cookie}");
        assert!(
            cookie.contains("Path=/") && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
    }
);

both_engines!(
    language_switch_refuses_foreign_redirects_and_unknown_languages,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;

        let foreign = app.get("/sprak/sv?tillbaka=//evil.example/").await;
        let unknown = app.get("/sprak/de").await;

        assert_eq!(foreign.headers()["location"], "/");
        assert_eq!(unknown.status(), 404);
    }
);

both_engines!(
    a_form_posted_before_the_page_is_interactive_gets_a_4xx_and_no_url_secrets,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;

        let response = app
            .client
            .post(app.url("/logga-in"))
            .form(&[("contact", "anna@example.org"), ("password", "hemligt")])
            .send()
            .await
            .unwrap();

        assert!(response.status().is_client_error(), "{}", response.status());
    }
);

both_engines!(
    the_public_pages_are_kept_for_visitors_with_a_nonce_each_and_never_for_a_signed_in_person,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        let (anna, _) = app.volunteer("anna@example.org").await;
        for path in [
            "/",
            "/registrera",
            "/logga-in",
            "/tillganglighet",
            "/integritet",
        ] {
            let visitor = app.new_client();
            let (n1, first) = visit(&app, &visitor, path).await;
            let (n2, second) = visit(&app, &visitor, path).await;
            assert_ne!(n1, n2, "{path}: every answer has its own nonce");
            assert!(!second.contains(&n1), "{path}");
            assert_eq!(first.replace(&n1, "N"), second.replace(&n2, "N"), "{path}");

            // Anna's page is hers (her name in the header), and the next visitor's is not.
            let (_, hers) = visit(&app, &anna, path).await;
            assert!(hers.contains("Volontär anna@example.org"), "{path}");
            let (_, theirs) = visit(&app, &visitor, path).await;
            assert!(!theirs.contains("Volontär anna@example.org"), "{path}");
        }
    }
);

/// Leptos lists a server's routes by rendering the app with resource loading switched off for
/// the whole process. A page rendered by one server while another in the same process started
/// used to wait for its resources forever (a test hung about one run in ten). One engine: this
/// is about the process, not the database.
#[tokio::test]
async fn pages_render_while_another_server_starts_in_the_same_process() {
    let app = spawn_app(Engine::Sqlite).await;
    let starting = {
        let app_database = app.database_url.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                for _ in 0..15 {
                    spawn_sibling_of(&app_database).await;
                }
            });
        })
    };
    let visitor = app.new_client();
    let mut rendered = 0;
    // A fresh query each time: the page cache keeps no copy, every answer is a render.
    while !starting.is_finished() || rendered < 20 {
        let path = format!("/?render={rendered}");
        let response = visitor
            .get(app.url(&path))
            .timeout(std::time::Duration::from_secs(10))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{path} answered within 10 s: {e}"));
        assert_eq!(response.status(), 200, "{path}");
        assert!(response.text().await.unwrap().contains("</html>"), "{path}");
        rendered += 1;
    }
    starting.join().unwrap();
}
