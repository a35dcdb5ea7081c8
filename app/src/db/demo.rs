//! Demo data: the seeds' municipality (Nacka), its priority areas and districts, an informal
//! night-walker group (two contacts), a sports association (verified by staff), a language
//! café, volunteers, a staff account and an administrator; the groups' needs (the night
//! walkers' 800 SEK for a phone and coffee, the café's room on Thursday evenings, the club's
//! furniture storage) and a few hundred older ones spread over districts and areas.
//!
//! Seeding is idempotent (fixed ids, `ON CONFLICT DO NOTHING`) so the run command can ask for
//! it on every start. It only runs when asked (`--demo` / `SAMVERKA_DEMO=1`).
use std::collections::BTreeMap;

use uuid::Uuid;

use super::reference::{upsert_district, upsert_priority_area};
use super::Pool;
use crate::domain::{District, LocalizedText, PriorityArea};
use crate::error::AppError;

/// The password of every demo account. Printed by the run command; never use it for real.
pub const DEMO_PASSWORD: &str = "samverka-demo";

/// A demo account, printed at start so a newcomer can sign in.
#[derive(Debug, Clone, Copy)]
pub struct DemoLogin {
    pub id: u128,
    pub name: &'static str,
    pub email: &'static str,
    pub role: &'static str,
    /// Where the person can help (district slugs).
    pub districts: &'static [&'static str],
}

pub const DEMO_LOGINS: &[DemoLogin] = &[
    DemoLogin {
        id: 0x5a_0001,
        name: "Anna Lindqvist",
        email: "anna@example.org",
        role: "volunteer",
        districts: &["sicklaon", "fisksatra"],
    },
    DemoLogin {
        id: 0x5a_0002,
        name: "Omar Haddad",
        email: "omar@example.org",
        role: "volunteer",
        districts: &["fisksatra", "saltsjobaden"],
    },
    DemoLogin {
        id: 0x5a_0003,
        name: "Karin Berg",
        email: "karin@example.org",
        role: "volunteer",
        districts: &["sicklaon"],
    },
    DemoLogin {
        id: 0x5a_0004,
        name: "Jonas Ek",
        email: "jonas@example.org",
        role: "volunteer",
        districts: &["boo", "orminge"],
    },
    DemoLogin {
        id: 0x5a_0005,
        name: "Leyla Nasser",
        email: "leyla@example.org",
        role: "volunteer",
        districts: &["orminge"],
    },
    DemoLogin {
        id: 0x5a_0010,
        name: "Sara Handläggare",
        email: "sara.staff@example.org",
        role: "staff",
        districts: &[],
    },
    DemoLogin {
        id: 0x5a_0020,
        name: "Ali Administratör",
        email: "admin@example.org",
        role: "admin",
        districts: &[],
    },
];

const PRIORITY_AREAS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "gemenskap",
        "Gemenskap, sammanhang och livskvalitet",
        "Community, belonging and quality of life",
        "Verksamheter för gemenskap och ett meningsfullt sammanhang, psykisk och fysisk hälsa och en meningsfull fritid.",
        "Activities for community and a meaningful context, mental and physical health and meaningful leisure.",
    ),
    (
        "trygghet",
        "Trygg i hela Nacka",
        "Safe throughout Nacka",
        "Att värna det lokala, öka den upplevda tryggheten och arbeta förebyggande med unga.",
        "Caring for the local area, making people feel safer and preventive work with young people.",
    ),
    (
        "hallbarhet",
        "En hållbar och miljösmart kommun",
        "A sustainable, environmentally smart municipality",
        "Ökad medvetenhet och beteendeförändring för en hållbar och miljösmart kommun.",
        "Awareness and changed habits for a sustainable, environmentally smart municipality.",
    ),
];

const DISTRICTS: &[(&str, &str)] = &[
    ("sicklaon", "Sicklaön"),
    ("boo", "Boo"),
    ("fisksatra", "Fisksätra"),
    ("saltsjobaden", "Saltsjöbaden"),
    ("alta", "Älta"),
    ("orminge", "Orminge"),
];

struct DemoActor {
    id: u128,
    name: &'static str,
    kind: &'static str,
    org_number: Option<&'static str>,
    description: &'static str,
    districts: &'static [&'static str],
    areas: &'static [&'static str],
    /// (login id, role in the group)
    members: &'static [(u128, &'static str)],
    /// Verified by the demo staff account, with this note.
    verified: Option<&'static str>,
}

const ACTORS: &[DemoActor] = &[
    DemoActor {
        id: 0x6a_0001,
        name: "Föräldranärvaro Sicklaön",
        kind: "informal",
        org_number: None,
        description: "Föräldrar som nattvandrar på Sicklaön fredag och lördag kväll. Vi är ingen förening – bara vuxna som finns på plats.",
        districts: &["sicklaon"],
        areas: &["trygghet"],
        members: &[(0x5a_0001, "contact"), (0x5a_0003, "contact")],
        verified: None,
    },
    DemoActor {
        id: 0x6a_0002,
        name: "Fisksätra Idrottsförening",
        kind: "association",
        // A made-up number that passes the format and check-digit rules.
        org_number: Some("8024567896"),
        description: "Fotboll och friidrott för barn och unga i Fisksätra och Saltsjöbaden.",
        districts: &["fisksatra", "saltsjobaden"],
        areas: &["gemenskap"],
        members: &[(0x5a_0002, "contact")],
        verified: Some("Kontrollerat mot föreningsregistret och träffat styrelsen."),
    },
    DemoActor {
        id: 0x6a_0003,
        name: "Språkcafé Orminge",
        kind: "informal",
        org_number: None,
        description: "Vi träffas och pratar svenska över en kopp kaffe – alla nivåer är välkomna.",
        districts: &["orminge", "boo"],
        areas: &["gemenskap"],
        members: &[(0x5a_0005, "contact")],
        verified: None,
    },
];

/// Seeds the demo data. Safe to call on every start.
#[tracing::instrument(skip(pool))]
pub async fn seed(pool: &Pool) -> Result<(), AppError> {
    for (i, (slug, sv, en, desc_sv, desc_en)) in PRIORITY_AREAS.iter().enumerate() {
        let area = PriorityArea {
            id: stable_id("area", slug),
            slug: (*slug).to_owned(),
            name: LocalizedText {
                sv: (*sv).to_owned(),
                en: (*en).to_owned(),
            },
            description: LocalizedText {
                sv: (*desc_sv).to_owned(),
                en: (*desc_en).to_owned(),
            },
        };
        upsert_priority_area(pool, &area, i as i64).await?;
    }
    for (i, (slug, name)) in DISTRICTS.iter().enumerate() {
        let district = District {
            id: stable_id("district", slug),
            slug: (*slug).to_owned(),
            name: (*name).to_owned(),
        };
        upsert_district(pool, &district, i as i64).await?;
    }

    let password_hash = crate::auth::hash_password(DEMO_PASSWORD.to_owned()).await?;
    let at = super::now();
    for login in DEMO_LOGINS {
        let id = Uuid::from_u128(login.id).to_string();
        sqlx::query(
            "INSERT INTO users (id, display_name, email, password_hash, role, privacy_accepted_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING",
        )
        .bind(&id)
        .bind(login.name)
        .bind(login.email)
        .bind(&password_hash)
        .bind(login.role)
        .bind(&at)
        .execute(pool)
        .await?;
        link_by_slug(pool, Link::UserDistrict, &id, login.districts).await?;
    }

    for actor in ACTORS {
        let id = Uuid::from_u128(actor.id).to_string();
        sqlx::query(
            "INSERT INTO actors (id, name, kind, org_number, description) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(&id)
        .bind(actor.name)
        .bind(actor.kind)
        .bind(actor.org_number)
        .bind(actor.description)
        .execute(pool)
        .await?;
        link_by_slug(pool, Link::ActorDistrict, &id, actor.districts).await?;
        link_by_slug(pool, Link::ActorPriorityArea, &id, actor.areas).await?;
        for (user, role) in actor.members {
            sqlx::query(
                "INSERT INTO actor_members (actor_id, user_id, role) VALUES ($1, $2, $3) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(&id)
            .bind(Uuid::from_u128(*user).to_string())
            .bind(*role)
            .execute(pool)
            .await?;
        }
        // Its history starts with the registration.
        let founder = Uuid::from_u128(actor.members[0].0);
        seed_event(pool, actor, "registered", founder, actor.kind, &at).await?;
        if let Some(note) = actor.verified {
            sqlx::query(
                "UPDATE actors SET verified_at = $2, verified_by = $3, verified_note = $4 \
                 WHERE id = $1 AND verified_at IS NULL",
            )
            .bind(&id)
            .bind(&at)
            .bind(Uuid::from_u128(0x5a_0010).to_string())
            .bind(note)
            .execute(pool)
            .await?;
            let staff = Uuid::from_u128(0x5a_0010);
            seed_event(pool, actor, "verified", staff, note, &at).await?;
        }
    }
    seed_offers(pool).await?;
    seed_needs(pool).await?;
    seed_activities(pool).await
}

/// The night walkers' Friday walk (four places, the next eight weeks: the first full with a
/// waiting list, the second half taken) and the language café's Thursday helpers, each posted
/// by its contact and signed up to by the volunteers through the one write path; and a year
/// of past walks with confirmed hours, written by the server (fixed ids: reseeding changes
/// nothing).
async fn seed_activities(pool: &Pool) -> Result<(), AppError> {
    use crate::domain::activity::{
        occasion_id, Dates, Hours, OccasionData, OccasionStatus, Schedule, ShiftCount, ShiftSpec,
        SignUpData, SignUpStatus,
    };
    use crate::domain::need::{NeedData, NeedDetails, NeedStatus, Urgency};
    use crate::domain::offer::{Known, TimeOfDay};
    use crate::sync::protocol::{KindOp, NeedOp, Op};

    let time = |t: &str| TimeOfDay::parse(t).expect("demo times parse");
    let today = super::sync::today();
    let days_to = |weekday: u8| i64::from((weekday + 7 - today.weekday()) % 7).max(1);
    let (walkers, cafe) = (Uuid::from_u128(0x6a_0001), Uuid::from_u128(0x6a_0003));
    let (anna, omar, karin, jonas, leyla) = (
        Uuid::from_u128(0x5a_0001),
        Uuid::from_u128(0x5a_0002),
        Uuid::from_u128(0x5a_0003),
        Uuid::from_u128(0x5a_0004),
        Uuid::from_u128(0x5a_0005),
    );
    let first_friday = today.plus_days(days_to(5));
    let first_thursday = today.plus_days(days_to(4));
    let walk = |from| Schedule {
        starts: time("21:00"),
        ends: time("00:00"),
        dates: Dates::Weekly {
            weekdays: vec![5],
            from,
            until: from.plus_days(7 * 7),
            except: vec![],
        },
        shifts: vec![ShiftSpec {
            id: 1,
            label: String::new(),
            places: 4,
            waiting_list: true,
        }],
    };
    let activity =
        |group, title: &str, tasks: &str, place: &str, schedule, district, area| NeedData {
            group,
            title: title.to_owned(),
            details: NeedDetails::Activity {
                tasks: tasks.to_owned(),
                place: place.to_owned(),
                schedule,
            },
            areas: vec![stable_id("area", area)],
            district: stable_id("district", district),
            urgency: Urgency::Normal,
            needed_by: None,
            status: NeedStatus::Open,
        };
    let walk_id = stable_id("need", "night-walk");
    let cafe_id = stable_id("need", "language-cafe-helpers");
    let posted = [
        (
            anna,
            walk_id,
            activity(
                walkers,
                "Nattvandring på fredagar",
                "Vi går i par genom centrum och vid busstorget, pratar med ungdomar och finns \
                 där. Reflexväst och telefon får du av oss.",
                "Samling vid Sickla köpkvarter, huvudentrén",
                walk(first_friday),
                "sicklaon",
                "trygghet",
            ),
        ),
        (
            leyla,
            cafe_id,
            activity(
                cafe,
                "Värdar till språkcaféet",
                "Dukar fram fika, tar emot nya och samtalar på lätt svenska.",
                "Orminge bibliotek",
                Schedule {
                    starts: time("17:30"),
                    ends: time("19:30"),
                    dates: Dates::Weekly {
                        weekdays: vec![4],
                        from: first_thursday,
                        until: first_thursday.plus_days(7 * 7),
                        except: vec![],
                    },
                    shifts: vec![ShiftSpec {
                        id: 1,
                        label: "Värd".into(),
                        places: 2,
                        waiting_list: true,
                    }],
                },
                "orminge",
                "gemenskap",
            ),
        ),
    ];
    let reference = super::reference::load(pool).await?;
    let known = Known::from_reference(&reference);
    for (contact, id, data) in posted {
        let actor = super::sync::actor(&mut *pool.acquire().await?, contact).await?;
        let change = (id, Op::Need(NeedOp::Create(data)));
        super::sync::write(pool, &actor, contact, &[change], known.clone()).await?;
    }
    // Sign-ups, each by the volunteer (the server decides the places): the first walk full
    // with Anna waiting, two on the second, one café evening half taken.
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let second_friday = first_friday.plus_days(7);
    let sign_ups = [
        (karin, walk_id, walkers, first_friday, "walk-1-karin"),
        (jonas, walk_id, walkers, first_friday, "walk-1-jonas"),
        (omar, walk_id, walkers, first_friday, "walk-1-omar"),
        (leyla, walk_id, walkers, first_friday, "walk-1-leyla"),
        (anna, walk_id, walkers, first_friday, "walk-1-anna"),
        (karin, walk_id, walkers, second_friday, "walk-2-karin"),
        (jonas, walk_id, walkers, second_friday, "walk-2-jonas"),
        (karin, cafe_id, cafe, first_thursday, "cafe-1-karin"),
    ];
    for (n, (volunteer, need, group, date, slug)) in sign_ups.into_iter().enumerate() {
        let actor = super::sync::actor(&mut *pool.acquire().await?, volunteer).await?;
        let data = SignUpData {
            occasion: occasion_id(need, date),
            need,
            group,
            shift: 1,
            volunteer,
            name: String::new(),
            title: String::new(),
            group_name: String::new(),
            place: String::new(),
            starts_at: 0,
            ends_at: 0,
            status: SignUpStatus::Requested,
            requested_at: now - 86_400 + n as i64 * 60,
            attended: None,
            hours: None,
            notice: None,
        };
        let change = (stable_id("sign-up", slug), Op::SignUp(KindOp::Create(data)));
        super::sync::write(pool, &actor, volunteer, &[change], known.clone()).await?;
    }

    // A year of past Friday walks, two or three walkers each, their hours confirmed by Anna.
    let walk_data = walk(first_friday);
    let name_of = |id: Uuid| {
        DEMO_LOGINS
            .iter()
            .find(|l| Uuid::from_u128(l.id) == id)
            .map_or("", |l| l.name)
    };
    let names = [karin, jonas, omar].map(|v| (v, name_of(v)));
    let mut changes = Vec::new();
    for week in 1..=52 {
        let date = first_friday.plus_days(-7 * week);
        let occasion = walk_data.occasion(date);
        let id = occasion_id(walk_id, date);
        let walkers_this_week = 2 + (week % 2) as usize;
        changes.push((
            id,
            Op::Occasion(KindOp::Create(OccasionData {
                need: walk_id,
                group: walkers,
                district: stable_id("district", "sicklaon"),
                title: "Nattvandring på fredagar".into(),
                place: "Samling vid Sickla köpkvarter, huvudentrén".into(),
                date,
                starts_at: occasion.starts_at,
                ends_at: occasion.ends_at,
                shifts: vec![ShiftCount {
                    id: 1,
                    label: String::new(),
                    places: 4,
                    waiting_list: true,
                    confirmed: walkers_this_week as u16,
                    waiting: 0,
                }],
                status: OccasionStatus::Scheduled,
                moved_from: None,
                open: false,
            })),
        ));
        for (volunteer, name) in names.iter().take(walkers_this_week) {
            changes.push((
                stable_id("past-sign-up", &format!("{week}-{volunteer}")),
                Op::SignUp(KindOp::Create(SignUpData {
                    occasion: id,
                    need: walk_id,
                    group: walkers,
                    shift: 1,
                    volunteer: *volunteer,
                    name: (*name).to_owned(),
                    title: "Nattvandring på fredagar".into(),
                    group_name: "Föräldranärvaro Sicklaön".into(),
                    place: "Samling vid Sickla köpkvarter, huvudentrén".into(),
                    starts_at: occasion.starts_at,
                    ends_at: occasion.ends_at,
                    status: SignUpStatus::Confirmed,
                    requested_at: occasion.starts_at - 5 * 86_400,
                    attended: Some(true),
                    hours: Some(Hours {
                        minutes: occasion.minutes(),
                        reason: String::new(),
                        confirmed_by: Some(anna),
                    }),
                    notice: None,
                })),
            ));
        }
    }
    let system = crate::sync::kinds::Actor::system();
    super::sync::write(pool, &system, anna, &changes, known).await?;
    Ok(())
}

/// The groups' needs, written by each group's contact through the one write path (fixed ids:
/// reseeding changes nothing). The older ones are then moved along their states by the server
/// and dated back, so that lists and filters show something real.
async fn seed_needs(pool: &Pool) -> Result<(), AppError> {
    use crate::domain::need::{NeedData, NeedDetails, NeedStatus, PremisesWhen, Urgency};
    use crate::domain::offer::{Known, TimeOfDay};
    use crate::sync::protocol::{NeedOp, Op};

    let time = |t: &str| TimeOfDay::parse(t).expect("demo times parse");
    let today = super::sync::today();
    let (walkers, club, cafe) = (
        Uuid::from_u128(0x6a_0001),
        Uuid::from_u128(0x6a_0002),
        Uuid::from_u128(0x6a_0003),
    );
    let (anna, omar, leyla) = (
        Uuid::from_u128(0x5a_0001),
        Uuid::from_u128(0x5a_0002),
        Uuid::from_u128(0x5a_0005),
    );
    let district = |slug| stable_id("district", slug);
    let area = |slug| stable_id("area", slug);
    let need = |group, title: &str, details, district, areas: Vec<Uuid>, urgency| NeedData {
        group,
        title: title.to_owned(),
        details,
        areas,
        district,
        urgency,
        needed_by: None,
        status: NeedStatus::Open,
    };
    let named = [
        (
            anna,
            "night-walkers-phone",
            need(
                walkers,
                "Telefon och fika till nattvandringen",
                NeedDetails::MicroGrant {
                    amount_ore: 80_000,
                    purpose: "En enkel mobiltelefon som vi turas om att bära, och kaffe och bullar till kvällarna.".into(),
                    enables: "Ungdomar och föräldrar kan nå oss på ett nummer, och vi orkar stå ute till två.".into(),
                    payee: Some(anna),
                },
                district("sicklaon"),
                vec![area("trygghet")],
                Urgency::High,
            ),
        ),
        (
            leyla,
            "language-cafe-room",
            need(
                cafe,
                "Lokal för språkcafé på torsdagskvällar",
                NeedDetails::Premises {
                    when: PremisesWhen::Weekly {
                        weekday: 4,
                        from: time("18:00"),
                        to: time("20:00"),
                    },
                    people: 15,
                    accessibility: "Entréplan eller hiss – flera av oss går med rollator.".into(),
                },
                district("orminge"),
                vec![area("gemenskap")],
                Urgency::Normal,
            ),
        ),
        (
            omar,
            "club-storage",
            NeedData {
                needed_by: Some(today.plus_days(14)),
                ..need(
                    club,
                    "Förvaring av möbler från klubbstugan",
                    NeedDetails::Storage {
                        what: "Bord, stolar och två skåp medan klubbstugan renoveras.".into(),
                        volume: "Ungefär ett flyttlass".into(),
                        until: Some(today.plus_days(90)),
                    },
                    district("fisksatra"),
                    vec![area("gemenskap")],
                    Urgency::Normal,
                )
            },
        ),
    ];
    let reference = super::reference::load(pool).await?;
    let known = Known::from_reference(&reference);
    for (contact, slug, data) in named {
        let actor = super::sync::actor(&mut *pool.acquire().await?, contact).await?;
        let change = (stable_id("need", slug), Op::Need(NeedOp::Create(data)));
        super::sync::write(pool, &actor, contact, &[change], known.clone()).await?;
    }

    // A few hundred older needs, spread over groups, districts, areas, kinds and states.
    older_needs(pool, 0..300).await?;
    Ok(())
}

/// Needs number `range` of a generated history, spread over the demo groups, districts, areas,
/// kinds and states, created up to a year ago (the demo has 300; the page benchmark 10,000).
/// Written through the one write path; a need seeded before is left as it is.
pub async fn older_needs(pool: &Pool, range: std::ops::Range<usize>) -> Result<(), AppError> {
    use crate::domain::need::{
        AdminHelp, NeedData, NeedDetails, NeedPatch, NeedStatus, PremisesWhen, Urgency,
    };
    use crate::domain::offer::{Known, TimeOfDay};
    use crate::sync::kinds::Actor;
    use crate::sync::protocol::{KindOp, NeedOp, Op};

    let time = |t: &str| TimeOfDay::parse(t).expect("demo times parse");
    let groups = [
        (Uuid::from_u128(0x6a_0001), Uuid::from_u128(0x5a_0001)),
        (Uuid::from_u128(0x6a_0002), Uuid::from_u128(0x5a_0002)),
        (Uuid::from_u128(0x6a_0003), Uuid::from_u128(0x5a_0005)),
    ];
    let anna = groups[0].1;
    let district = |slug| stable_id("district", slug);
    let area = |slug| stable_id("area", slug);
    let known = Known::from_reference(&super::reference::load(pool).await?);
    let districts: Vec<Uuid> = DISTRICTS.iter().map(|(slug, _)| district(slug)).collect();
    let areas: Vec<Uuid> = PRIORITY_AREAS.iter().map(|a| area(a.0)).collect();
    let titles = [
        "Bidrag till reflexvästar",
        "Lokal för föräldramöte",
        "Hjälp med bokföringen",
        "Förvaring av julmarknadens bord",
        "Tack till alla som städade stranden",
        "Fler vuxna till fredagsfotbollen",
        "Hjälp att söka föreningsbidrag",
        "Bidrag till fika på läxhjälpen",
    ];
    let states = [
        NeedStatus::Open,
        NeedStatus::Open,
        NeedStatus::Fulfilled,
        NeedStatus::Closed,
        NeedStatus::InProgress,
        NeedStatus::Withdrawn,
    ];
    let mut creates: Vec<(Uuid, Vec<(Uuid, Op)>)> =
        groups.iter().map(|g| (g.1, Vec::new())).collect();
    let mut moves: Vec<(Uuid, Op)> = Vec::new();
    let mut dates: Vec<(Uuid, i64)> = Vec::new();
    let mut requests = Vec::new();
    for i in range {
        let (group, _) = groups[i % groups.len()];
        let details = match i % 6 {
            0 => NeedDetails::MicroGrant {
                amount_ore: ((i as i64 * 37) % 49 + 1) * 10_000,
                purpose: "Material till verksamheten".into(),
                enables: String::new(),
                payee: Some(groups[i % groups.len()].1),
            },
            1 => NeedDetails::Premises {
                when: PremisesWhen::Weekly {
                    weekday: (i % 7) as u8 + 1,
                    from: time("17:00"),
                    to: time("19:00"),
                },
                people: (i % 30) as u32 + 5,
                accessibility: String::new(),
            },
            2 => NeedDetails::Storage {
                what: "Material mellan säsongerna".into(),
                volume: "Några kartonger".into(),
                until: None,
            },
            3 => NeedDetails::AdminHelp {
                help: [
                    AdminHelp::Accounts,
                    AdminHelp::Application,
                    AdminHelp::Website,
                ][i % 3],
                description: String::new(),
            },
            4 => NeedDetails::Recognition {
                whom: "Alla frivilliga i höstas".into(),
                reason: "För kvällarna i kylan".into(),
            },
            _ => NeedDetails::Other {
                text: "Vi behöver fler vuxna som kan vara med ibland.".into(),
            },
        };
        let data = NeedData {
            group,
            title: titles[i % titles.len()].to_owned(),
            details,
            areas: vec![areas[i % areas.len()]],
            district: districts[(i * 7) % districts.len()],
            urgency: [Urgency::Low, Urgency::Normal, Urgency::High][(i / 3) % 3],
            needed_by: None,
            status: NeedStatus::Open,
        };
        let id = stable_id("older-need", &i.to_string());
        // Not tied to the kind (every sixth need is of one kind), so each kind has needs in
        // every state.
        let state = states[(i / 6) % states.len()];
        if data.asks_municipality() {
            // A request to the municipality: its case's history is written as it happened.
            let days = (i as i64 * 3) % 400 + 15;
            dates.push((id, days));
            requests.push((i, id, data, days));
            continue;
        }
        creates[i % groups.len()]
            .1
            .push((id, Op::Need(NeedOp::Create(data))));
        if state != NeedStatus::Open {
            let patch = NeedPatch {
                status: Some(state),
                ..NeedPatch::default()
            };
            moves.push((id, Op::Need(NeedOp::Update(patch))));
        }
        dates.push((id, (i as i64 * 3) % 400 + 1));
    }
    let mut created = 0;
    for (contact, changes) in creates {
        let actor = super::sync::actor(&mut *pool.acquire().await?, contact).await?;
        let outcomes = super::sync::write(pool, &actor, contact, &changes, known.clone()).await?;
        created += outcomes
            .iter()
            .filter(|o| {
                matches!(
                    o,
                    crate::sync::protocol::Outcome::Applied { version: Some(_) }
                )
            })
            .count();
    }
    if created == 0 {
        return Ok(()); // seeded before
    }
    // Staff and the groups moved them on over the past year.
    super::sync::write(pool, &Actor::system(), anna, &moves, known.clone()).await?;
    // The requests to the municipality, each with its case's history as it happened.
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut granted: BTreeMap<(Uuid, u16), i64> = BTreeMap::new();
    let system = Actor::system();
    for (i, id, data, days) in requests {
        let contact = groups[i % groups.len()].1;
        let actor = super::sync::actor(&mut *pool.acquire().await?, contact).await?;
        let opened = now - days * 86_400;
        let steps = history(i, &data, Path::of(i, days), opened, contact, &mut granted);
        let case = crate::domain::case::case_id(id);
        let mut changes = vec![(&actor, contact, id, Op::Need(NeedOp::Create(data)))];
        for step in steps {
            changes.push((&system, Uuid::nil(), case, Op::Case(KindOp::Update(step))));
        }
        super::sync::write_as_of(pool, &changes, known.clone(), opened).await?;
    }
    for (id, days) in dates {
        let at = super::format_time(time::OffsetDateTime::now_utc() - time::Duration::days(days));
        sqlx::query("UPDATE needs SET created_at = $2 WHERE id = $1")
            .bind(id.to_string())
            .bind(at)
            .execute(pool)
            .await?;
    }
    Ok(())
}

/// The demo's case handler.
const SARA: (u128, &str) = (0x5a_0010, "Sara Handläggare");

/// Where an older request's case got to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Path {
    Received,
    MoreInfo,
    InReview,
    AwaitingSecond,
    Approved,
    Paid,
    FollowedUp,
    Rejected,
    Withdrawn,
    ClosedGranted,
    ClosedRejected,
}

impl Path {
    /// Requests of the last six weeks are somewhere on the way, older ones are done with: most
    /// granted, some rejected, a few withdrawn.
    fn of(i: usize, days: i64) -> Path {
        const UNDER_WAY: [Path; 9] = [
            Path::Received,
            Path::MoreInfo,
            Path::InReview,
            Path::AwaitingSecond,
            Path::Approved,
            Path::Paid,
            Path::FollowedUp,
            Path::Rejected,
            Path::Withdrawn,
        ];
        if days <= 45 {
            UNDER_WAY[i % UNDER_WAY.len()]
        } else if i % 5 == 4 {
            Path::ClosedRejected
        } else if i % 11 == 3 {
            Path::Withdrawn
        } else {
            Path::ClosedGranted
        }
    }
}

/// The steps an older request's case went through along its [`Path`], by whom and when. A
/// grant that would take the group's year over three quarters of the limit is rejected for
/// that reason instead (so that a handler trying the demo can still grant).
fn history(
    i: usize,
    request: &crate::domain::need::NeedData,
    path: Path,
    opened: i64,
    contact: Uuid,
    granted: &mut BTreeMap<(Uuid, u16), i64>,
) -> Vec<crate::domain::case::CaseStep> {
    use crate::domain::case::{CaseAction as A, CaseRole, CaseRules, CaseStep};
    use crate::domain::need::{NeedDetails, NeedKind};
    use crate::domain::offer::Date;
    let rules = CaseRules::with_max_per_request(crate::domain::need::DEFAULT_MAX_GRANT_ORE);
    let hour = 3_600;
    let staff = |action, at: i64, who: (u128, &str)| CaseStep {
        at,
        by: Some(Uuid::from_u128(who.0)),
        role: CaseRole::Staff,
        by_name: who.1.to_owned(),
        ..CaseStep::of(action)
    };
    let group = |action, at: i64, note: &str| CaseStep {
        at,
        by: Some(contact),
        role: CaseRole::GroupContact,
        note: note.to_owned(),
        ..CaseStep::of(action)
    };
    let assign = staff(A::Assign, opened + 20 * hour, SARA);
    let decided_at = opened + 3 * 24 * hour;
    let requested = match &request.details {
        NeedDetails::MicroGrant { amount_ore, .. } => Some(*amount_ore),
        _ => None,
    };
    let year = Date::at_unix(decided_at).year();
    let room = requested.is_none_or(|amount| {
        granted.get(&(request.group, year)).copied().unwrap_or(0) + amount
            <= rules.max_per_group_year_ore * 3 / 4
    });
    let approve = CaseStep {
        amount_ore: requested,
        given: match request.details.kind() {
            NeedKind::Premises => "Fritidsgårdens samlingssal, enligt önskemål".into(),
            NeedKind::Storage => "Plats i kommunens förråd vid Sickla".into(),
            NeedKind::AdminHelp => "Två träffar med föreningskonsulenten".into(),
            NeedKind::MicroGrant | NeedKind::Recognition | NeedKind::Other | NeedKind::Activity => {
                String::new()
            }
        },
        reason: rules.reasons[i % 2].clone(),
        ..staff(A::Approve, decided_at, SARA)
    };
    let reject = |reason: &str| CaseStep {
        reason: reason.to_owned(),
        ..staff(A::Reject, decided_at, SARA)
    };
    let pay = CaseStep {
        paid_on: Some(Date::at_unix(opened + 6 * 24 * hour)),
        paid_how: if requested.is_some() {
            "Swish"
        } else {
            "Överenskommet med gruppen"
        }
        .into(),
        payee: requested.and(Some(contact)),
        ..staff(A::Pay, opened + 6 * 24 * hour, SARA)
    };
    let report = CaseStep {
        participants: Some((i % 40) as u32 + 6),
        ..group(
            A::FollowUp,
            opened + 13 * 24 * hour,
            "Det blev av som vi tänkt. Tack!",
        )
    };
    let close = staff(A::Close, opened + 14 * 24 * hour, SARA);
    let question = CaseStep {
        note: "Kan ni berätta lite mer om hur många som kommer?".into(),
        ..staff(A::AskMoreInfo, opened + 22 * hour, SARA)
    };
    let mut grant = |steps: Vec<CaseStep>| {
        *granted.entry((request.group, year)).or_default() += requested.unwrap_or(0);
        steps
    };
    let reject_closed = |reason: &str| vec![assign.clone(), reject(reason), close.clone()];
    match path {
        Path::Received => Vec::new(),
        Path::MoreInfo => vec![assign, question],
        Path::InReview => vec![assign],
        Path::Withdrawn => vec![group(
            A::Withdraw,
            opened + 2 * 24 * hour,
            "Vi löste det själva.",
        )],
        Path::Rejected => vec![assign, reject(&rules.reasons[2 + i % 3])],
        Path::ClosedRejected => reject_closed(&rules.reasons[2 + i % 3]),
        _ if !room => reject_closed(&rules.reasons[2]),
        Path::AwaitingSecond => vec![
            assign,
            CaseStep {
                needs_second: true,
                ..approve
            },
        ],
        Path::Approved => grant(vec![assign, approve]),
        Path::Paid => grant(vec![assign, approve, pay]),
        Path::FollowedUp => grant(vec![assign, approve, pay, report]),
        Path::ClosedGranted => grant(vec![assign, approve, pay, report, close]),
    }
}

/// Anna's offers, written as Anna through the one write path every synced record takes (with
/// fixed ids: reseeding is refused as "exists already" and changes nothing).
async fn seed_offers(pool: &Pool) -> Result<(), AppError> {
    use crate::domain::offer::{Availability, OfferData, TimeOfDay, WeeklyWindow};
    use crate::sync::protocol::{OfferOp, Op};
    let anna = Uuid::from_u128(0x5a_0001);
    let time = |t: &str| TimeOfDay::parse(t).expect("demo times parse");
    let offers = [
        OfferData {
            availability: Availability::Weekly {
                windows: vec![WeeklyWindow {
                    weekday: 5,
                    from: time("22:00"),
                    to: time("02:00"),
                }],
                valid_from: None,
                valid_until: None,
            },
            districts: vec![stable_id("district", "fisksatra")],
            areas: vec![stable_id("area", "trygghet")],
            skills: vec!["första hjälpen".into()],
            languages: vec!["svenska".into(), "engelska".into()],
            note: "Nattvandring, gärna med någon jag känner.".into(),
            paused: false,
        },
        OfferData {
            availability: Availability::Flexible,
            districts: vec![stable_id("district", "sicklaon")],
            areas: vec![],
            skills: vec!["läxhjälp".into()],
            languages: vec!["svenska".into()],
            note: "En timme då och då, helst eftermiddagar.".into(),
            paused: false,
        },
    ];
    let changes: Vec<(Uuid, Op)> = offers
        .into_iter()
        .enumerate()
        .map(|(i, offer)| {
            (
                stable_id("offer", &i.to_string()),
                Op::Offer(OfferOp::Create(offer)),
            )
        })
        .collect();
    let known = crate::domain::offer::Known::from_reference(&super::reference::load(pool).await?);
    let actor = super::sync::actor(&mut *pool.acquire().await?, anna).await?;
    super::sync::write(pool, &actor, anna, &changes, known).await?;
    Ok(())
}

/// One step of a demo group's history, under a fixed id so that reseeding adds nothing.
async fn seed_event(
    pool: &Pool,
    actor: &DemoActor,
    kind: &str,
    by: Uuid,
    note: &str,
    at: &str,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO actor_events (id, actor_id, user_id, kind, note, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING",
    )
    .bind(stable_id(kind, actor.name).to_string())
    .bind(Uuid::from_u128(actor.id).to_string())
    .bind(by.to_string())
    .bind(kind)
    .bind(note)
    .bind(at)
    .execute(pool)
    .await?;
    Ok(())
}

/// The join tables the demo data fills by slug.
#[derive(Clone, Copy)]
enum Link {
    UserDistrict,
    ActorDistrict,
    ActorPriorityArea,
}

impl Link {
    fn insert_sql(self) -> &'static str {
        match self {
            Link::UserDistrict => {
                "INSERT INTO user_districts (user_id, district_id) \
                 SELECT $1, id FROM districts WHERE slug = $2 ON CONFLICT DO NOTHING"
            }
            Link::ActorDistrict => {
                "INSERT INTO actor_districts (actor_id, district_id) \
                 SELECT $1, id FROM districts WHERE slug = $2 ON CONFLICT DO NOTHING"
            }
            Link::ActorPriorityArea => {
                "INSERT INTO actor_priority_areas (actor_id, priority_area_id) \
                 SELECT $1, id FROM priority_areas WHERE slug = $2 ON CONFLICT DO NOTHING"
            }
        }
    }
}

/// Links one record to reference rows named by slug (unknown slugs are skipped).
async fn link_by_slug(pool: &Pool, link: Link, id: &str, slugs: &[&str]) -> Result<(), AppError> {
    for slug in slugs {
        sqlx::query(link.insert_sql())
            .bind(id)
            .bind(*slug)
            .execute(pool)
            .await?;
    }
    Ok(())
}

/// A fixed id per demo record, so reseeding finds the same rows.
pub fn stable_id(kind: &str, slug: &str) -> Uuid {
    Uuid::new_v5(
        &Uuid::NAMESPACE_URL,
        format!("https://samverka.invalid/demo/{kind}/{slug}").as_bytes(),
    )
}
