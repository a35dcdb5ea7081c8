//! Staff accounts: only administrators create them; the one-time password works.
use app::domain::account::{NewStaffAccount, StaffAccount};
use app::domain::{Me, Role};
use serde_json::json;

use crate::both_engines;
use crate::helpers::{spawn_demo_app, Engine};

both_engines!(
    only_an_administrator_creates_staff_accounts,
    |engine: Engine| async move {
        let app = spawn_demo_app(engine).await;
        let form = json!({"form": {"name": "Nils Samordnare", "email": "nils@nacka.example", "role": "staff"}});
        let users_before = app.count("users").await;

        for (who, email, status) in [
            ("volunteer", "anna@example.org", 403),
            ("staff", "sara.staff@example.org", 403),
        ] {
            let client = app.signed_in(email, app::db::demo::DEMO_PASSWORD).await;
            let response = app.post(&client, "/api/create-staff", form.clone()).await;
            assert_eq!(response.status(), status, "{who}");
            assert_eq!(
                app.get_with(&client, "/api/staff").await.status(),
                403,
                "{who}"
            );
        }
        let anonymous = app
            .post(&app.new_client(), "/api/create-staff", form.clone())
            .await;
        assert_eq!(anonymous.status(), 401);
        assert_eq!(app.count("users").await, users_before, "nobody was created");

        let admin = app
            .signed_in("admin@example.org", app::db::demo::DEMO_PASSWORD)
            .await;
        let created: NewStaffAccount = app
            .post(&admin, "/api/create-staff", form.clone())
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(created.account.role, Role::Staff);

        let nils = app
            .signed_in("nils@nacka.example", &created.temporary_password)
            .await;
        let me: Option<Me> = app.get_with(&nils, "/api/me").await.json().await.unwrap();
        assert_eq!(me.map(|m| m.role), Some(Role::Staff));
        let staff: Vec<StaffAccount> = app
            .get_with(&admin, "/api/staff")
            .await
            .json()
            .await
            .unwrap();
        assert!(staff.iter().any(|s| s.email == "nils@nacka.example"));

        let twice = app.post(&admin, "/api/create-staff", form).await;
        assert_eq!(twice.status(), 422);
        let volunteer_role = app
            .post(
                &admin,
                "/api/create-staff",
                json!({"form": {"name": "X", "email": "x@nacka.example", "role": "volunteer"}}),
            )
            .await;
        assert_eq!(volunteer_role.status(), 422);
    }
);
