//! Groups: registration (informal and formal), visibility, invitations, conversion,
//! verification, leaving; every role, including attempts on someone else's group.
use app::domain::account::{GroupSummary, GroupView, Invitation, MyGroup};
use app::domain::{ActorKind, MemberRole};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::both_engines;
use crate::helpers::{spawn_app, spawn_demo_app, Engine, TestApp};

const NIGHT_WALKERS: u128 = 0x6a_0001;
const FISKSATRA_IF: u128 = 0x6a_0002;

async fn register(app: &TestApp, client: &reqwest::Client, form: Value) -> reqwest::Response {
    app.post(client, "/api/register-group", json!({ "form": form }))
        .await
}

async fn view(app: &TestApp, client: &reqwest::Client, id: Uuid) -> GroupView {
    let response = app.get_with(client, &format!("/api/group?id={id}")).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn errors(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), 422);
    response.json::<Value>().await.unwrap()["Validation"].clone()
}

fn demo(id: u128) -> Uuid {
    Uuid::from_u128(id)
}

async fn demo_user(app: &TestApp, email: &str) -> reqwest::Client {
    app.signed_in(email, app::db::demo::DEMO_PASSWORD).await
}

both_engines!(
    an_informal_group_registers_without_an_organisation_number,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        let (client, me) = app.volunteer("anna@example.org").await;
        let district = app.first_district().await;

        let response = register(
            &app,
            &client,
            json!({
                "kind": "informal", "name": "Nattvandrarna i Orminge",
                "description": "Vuxna som går runt i centrum på fredagskvällar.",
                "org_number": "", "districts": [district], "priority_areas": [],
            }),
        )
        .await;

        assert_eq!(response.status(), 200);
        let id: Uuid = response.json().await.unwrap();
        let group = view(&app, &client, id).await;
        assert_eq!(group.kind, ActorKind::Informal);
        assert_eq!(group.org_number, None);
        assert_eq!(group.my_role, Some(MemberRole::Contact));
        let members = group.members.expect("a member sees the members");
        assert_eq!(members.len(), 1);
        assert_eq!(members[0].user_id, me);
        assert_eq!(group.contact_count, 1);
        let history = group.history.expect("and the history");
        assert_eq!(
            history[0].kind,
            app::domain::account::GroupEventKind::Registered
        );
    }
);

both_engines!(
    an_association_with_a_wrong_check_digit_is_refused_then_accepted_once,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        let (client, _) = app.volunteer("omar@example.org").await;
        let district = app.first_district().await;
        let form = |number: &str| {
            json!({
                "kind": "association", "name": "Boo Schackklubb", "description": "Schack för alla åldrar.",
                "org_number": number, "districts": [district], "priority_areas": [],
            })
        };

        let wrong = register(&app, &client, form("802456-7895")).await;
        assert_eq!(
            errors(wrong).await["org_number"],
            json!(["org_number_check_digit"])
        );
        let personal = register(&app, &client, form("19850312-1234")).await;
        assert_eq!(
            errors(personal).await["org_number"],
            json!(["org_number_wrong_prefix"])
        );
        let personnummer = register(&app, &client, form("850312-1234")).await;
        assert_eq!(
            errors(personnummer).await["org_number"],
            json!(["org_number_personnummer"])
        );
        assert_eq!(app.count("actors").await, 0, "nothing stored");

        let right = register(&app, &client, form("8024567896")).await;
        assert_eq!(right.status(), 200);
        let id: Uuid = right.json().await.unwrap();
        assert_eq!(
            view(&app, &client, id).await.org_number.as_deref(),
            Some("802456-7896")
        );

        let twice = register(&app, &client, form("16802456-7896")).await;
        assert_eq!(
            errors(twice).await["org_number"],
            json!(["org_number_taken"])
        );
        assert_eq!(app.count("actors").await, 1);
    }
);

both_engines!(
    registering_a_group_needs_a_signed_in_person,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        let district = app.first_district().await;

        let response = register(
            &app,
            &app.new_client(),
            json!({
                "kind": "informal", "name": "X", "description": "Y", "org_number": "",
                "districts": [district], "priority_areas": [],
            }),
        )
        .await;

        assert_eq!(response.status(), 401);
        assert_eq!(app.count("actors").await, 0);
    }
);

both_engines!(
    members_and_history_are_shown_to_the_group_and_staff_only,
    |engine: Engine| async move {
        let app = spawn_demo_app(engine).await;
        let walkers = demo(NIGHT_WALKERS);
        let staff = demo_user(&app, "sara.staff@example.org").await;
        let outsider = demo_user(&app, "jonas@example.org").await;
        let contact = demo_user(&app, "anna@example.org").await;

        let public = view(&app, &app.new_client(), walkers).await;
        let other = view(&app, &outsider, walkers).await;
        let by_staff = view(&app, &staff, walkers).await;
        let by_contact = view(&app, &contact, walkers).await;

        assert_eq!(public.name, "Föräldranärvaro Sicklaön");
        for hidden in [&public, &other] {
            assert_eq!(hidden.members, None);
            assert_eq!(hidden.history, None);
            assert_eq!(hidden.my_role, None);
        }
        assert_eq!(by_staff.members.as_ref().map(Vec::len), Some(2));
        assert_eq!(by_contact.members.as_ref().map(Vec::len), Some(2));
        assert_eq!(by_contact.contact_count, 2);
        let missing = app
            .get_with(&staff, &format!("/api/group?id={}", Uuid::new_v4()))
            .await;
        assert_eq!(missing.status(), 404);
    }
);

both_engines!(
    contacts_invite_members_and_nobody_else_can,
    |engine: Engine| async move {
        let app = spawn_demo_app(engine).await;
        let walkers = demo(NIGHT_WALKERS);
        let contact = demo_user(&app, "anna@example.org").await;
        let outsider = demo_user(&app, "jonas@example.org").await;
        let staff = demo_user(&app, "sara.staff@example.org").await;
        let invites_before = app.count("actor_invites").await;

        for (who, client, status) in [
            ("anonymous", app.new_client(), 401),
            ("outsider", outsider.clone(), 403),
            ("staff", staff.clone(), 403),
        ] {
            let response = app
                .post(
                    &client,
                    "/api/create-invite",
                    json!({"group": walkers, "role": "member"}),
                )
                .await;
            assert_eq!(response.status(), status, "{who}");
        }
        let nowhere = app
            .post(
                &contact,
                "/api/create-invite",
                json!({"group": Uuid::new_v4(), "role": "member"}),
            )
            .await;
        assert_eq!(nowhere.status(), 404);
        let bad_role = app
            .post(
                &contact,
                "/api/create-invite",
                json!({"group": walkers, "role": "owner"}),
            )
            .await;
        assert_eq!(errors(bad_role).await["role"], json!(["choose_one"]));
        assert_eq!(
            app.count("actor_invites").await,
            invites_before,
            "nothing made"
        );

        let invitation: Invitation = app
            .post(
                &contact,
                "/api/create-invite",
                json!({"group": walkers, "role": "member"}),
            )
            .await
            .json()
            .await
            .unwrap();
        // Typed by hand from a note: lower case, with the dash.
        let joined = app
            .post(
                &outsider,
                "/api/accept-invite",
                json!({"code": invitation.code.to_lowercase()}),
            )
            .await;
        assert_eq!(joined.status(), 200);
        assert_eq!(joined.json::<Uuid>().await.unwrap(), walkers);
        let mine: Vec<MyGroup> = app
            .get_with(&outsider, "/api/my-groups")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].role, MemberRole::Member);
        // The group's contacts come with it, by name: the two the demo made, never a member.
        let contacts: Vec<&str> = mine[0].contacts.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(contacts.len(), 2, "{contacts:?}");
        assert!(contacts.contains(&"Anna Lindqvist"), "{contacts:?}");
        assert!(!contacts.contains(&"Jonas Ek"), "{contacts:?}");
        assert!(mine[0]
            .contacts
            .iter()
            .all(|c| c.role == MemberRole::Contact));
        let annas: Vec<MyGroup> = app
            .get_with(&contact, "/api/my-groups")
            .await
            .json()
            .await
            .unwrap();
        let walkers_for_anna = annas.iter().find(|g| g.id == walkers).unwrap();
        assert_eq!(walkers_for_anna.contacts, mine[0].contacts);

        // A member may not invite.
        let by_member = app
            .post(
                &outsider,
                "/api/create-invite",
                json!({"group": walkers, "role": "member"}),
            )
            .await;
        assert_eq!(by_member.status(), 403);

        let unknown = app
            .post(
                &outsider,
                "/api/accept-invite",
                json!({"code": "2222-22222"}),
            )
            .await;
        assert_eq!(errors(unknown).await["code"], json!(["invite_invalid"]));
    }
);

both_engines!(
    a_contact_invitation_works_once_and_makes_a_second_contact,
    |engine: Engine| async move {
        let app = spawn_app(engine).await;
        let (anna, _) = app.volunteer("anna@example.org").await;
        let (karin, _) = app.volunteer("karin@example.org").await;
        let (omar, _) = app.volunteer("omar@example.org").await;
        let district = app.first_district().await;
        let group: Uuid = register(&app, &anna, json!({
            "kind": "informal", "name": "Läxhjälp Fisksätra", "description": "Läxhjälp i biblioteket.",
            "org_number": "", "districts": [district], "priority_areas": [],
        })).await.json().await.unwrap();

        let invitation: Invitation = app
            .post(
                &anna,
                "/api/create-invite",
                json!({"group": group, "role": "contact"}),
            )
            .await
            .json()
            .await
            .unwrap();
        let first = app
            .post(
                &karin,
                "/api/accept-invite",
                json!({"code": invitation.code}),
            )
            .await;
        let second = app
            .post(
                &omar,
                "/api/accept-invite",
                json!({"code": invitation.code}),
            )
            .await;

        assert_eq!(first.status(), 200);
        assert_eq!(errors(second).await["code"], json!(["invite_invalid"]));
        let seen = view(&app, &karin, group).await;
        assert_eq!(seen.my_role, Some(MemberRole::Contact));
        assert_eq!(seen.contact_count, 2);
    }
);

both_engines!(
    an_informal_group_becomes_an_association_and_keeps_its_history,
    |engine: Engine| async move {
        let app = spawn_demo_app(engine).await;
        let walkers = demo(NIGHT_WALKERS);
        let contact = demo_user(&app, "anna@example.org").await;
        let outsider = demo_user(&app, "jonas@example.org").await;
        let form =
            json!({"group": walkers, "form": {"kind": "association", "org_number": "802479-2338"}});

        let refused = app
            .post(&outsider, "/api/convert-group", form.clone())
            .await;
        assert_eq!(refused.status(), 403);
        assert_eq!(
            view(&app, &contact, walkers).await.kind,
            ActorKind::Informal,
            "unchanged"
        );

        let taken = app
            .post(
                &contact,
                "/api/convert-group",
                json!({"group": walkers,
            "form": {"kind": "association", "org_number": "802456-7896"}}),
            )
            .await;
        assert_eq!(
            errors(taken).await["org_number"],
            json!(["org_number_taken"])
        );

        let converted = app.post(&contact, "/api/convert-group", form.clone()).await;
        assert_eq!(converted.status(), 200);
        let group = view(&app, &contact, walkers).await;
        assert_eq!(group.kind, ActorKind::Association);
        assert_eq!(group.org_number.as_deref(), Some("802479-2338"));
        assert_eq!(group.members.map(|m| m.len()), Some(2), "same members");
        let kinds: Vec<_> = group.history.unwrap().into_iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds.last(),
            Some(&app::domain::account::GroupEventKind::Converted),
            "an unverified group has nothing to clear"
        );

        let again = app.post(&contact, "/api/convert-group", form).await;
        assert_eq!(again.status(), 409);
    }
);

both_engines!(
    staff_verify_a_group_with_a_note_and_volunteers_cannot,
    |engine: Engine| async move {
        let app = spawn_demo_app(engine).await;
        let walkers = demo(NIGHT_WALKERS);
        let contact = demo_user(&app, "anna@example.org").await;
        let staff = demo_user(&app, "sara.staff@example.org").await;

        let by_contact = app
            .post(
                &contact,
                "/api/verify-group",
                json!({"group": walkers, "note": "Vi är äkta"}),
            )
            .await;
        assert_eq!(by_contact.status(), 403);
        assert_eq!(view(&app, &contact, walkers).await.verified, None);

        let no_note = app
            .post(
                &staff,
                "/api/verify-group",
                json!({"group": walkers, "note": "  "}),
            )
            .await;
        assert_eq!(errors(no_note).await["note"], json!(["required"]));
        let nowhere = app
            .post(
                &staff,
                "/api/verify-group",
                json!({"group": Uuid::new_v4(), "note": "x"}),
            )
            .await;
        assert_eq!(nowhere.status(), 404);

        let verified = app
            .post(&staff, "/api/verify-group", json!({"group": walkers, "note": "Träffade båda kontaktpersonerna på fritidsgården."}))
            .await;
        assert_eq!(verified.status(), 200);
        // Everyone sees the badge; only the group and staff see who verified it and how.
        let badge = view(&app, &app.new_client(), walkers)
            .await
            .verified
            .expect("a badge for everyone");
        assert_eq!(badge.detail, None);
        for insider in [&contact, &staff] {
            let badge = view(&app, insider, walkers).await.verified.unwrap();
            let detail = badge.detail.expect("the group and staff see who and how");
            assert_eq!(detail.by, "Sara Handläggare");
            assert!(detail.note.contains("fritidsgården"));
        }
    }
);

both_engines!(only_staff_list_every_group, |engine: Engine| async move {
    let app = spawn_demo_app(engine).await;
    let volunteer = demo_user(&app, "anna@example.org").await;
    let staff = demo_user(&app, "sara.staff@example.org").await;

    assert_eq!(app.get_with(&volunteer, "/api/groups").await.status(), 403);
    let groups: Vec<GroupSummary> = app
        .get_with(&staff, "/api/groups")
        .await
        .json()
        .await
        .unwrap();

    assert_eq!(groups.len(), 3);
    assert!(!groups[0].verified, "unverified first: the work to do");
    assert_eq!(groups[0].id, demo(NIGHT_WALKERS));
    assert_eq!(groups[2].id, demo(FISKSATRA_IF));
});

both_engines!(
    members_leave_but_the_last_contact_stays_and_outsiders_remove_nobody,
    |engine: Engine| async move {
        let app = spawn_demo_app(engine).await;
        let club = demo(FISKSATRA_IF);
        let omar = demo_user(&app, "omar@example.org").await; // the club's only contact
        let outsider = demo_user(&app, "jonas@example.org").await;
        let omar_id = Uuid::from_u128(0x5a_0002);

        let by_outsider = app
            .post(
                &outsider,
                "/api/remove-member",
                json!({"group": club, "user": omar_id}),
            )
            .await;
        assert_eq!(by_outsider.status(), 403);
        let last = app
            .post(
                &omar,
                "/api/remove-member",
                json!({"group": club, "user": omar_id}),
            )
            .await;
        assert_eq!(last.status(), 403, "the last contact cannot leave");
        assert_eq!(view(&app, &omar, club).await.contact_count, 1);

        let invitation: Invitation = app
            .post(
                &omar,
                "/api/create-invite",
                json!({"group": club, "role": "member"}),
            )
            .await
            .json()
            .await
            .unwrap();
        app.post(
            &outsider,
            "/api/accept-invite",
            json!({"code": invitation.code}),
        )
        .await;
        let jonas_id = Uuid::from_u128(0x5a_0004);
        let leaves = app
            .post(
                &outsider,
                "/api/remove-member",
                json!({"group": club, "user": jonas_id}),
            )
            .await;
        assert_eq!(leaves.status(), 200);
        assert_eq!(
            view(&app, &omar, club).await.members.map(|m| m.len()),
            Some(1)
        );
    }
);
