//! A test phone over the real sync endpoints, and the group steps the sync tests share.
use serde_json::{json, Value};
use uuid::Uuid;

use app::sync::protocol::*;

use crate::helpers::TestApp;

/// A phone: its device id, its next number, and where it stands per scope.
pub struct Phone {
    client: reqwest::Client,
    device: Uuid,
    seq: u64,
    pub cursors: Value,
    /// What it holds: record id → data (or nothing).
    pub held: std::collections::BTreeMap<String, Value>,
}

impl Phone {
    pub fn new(client: &reqwest::Client) -> Phone {
        Phone {
            client: client.clone(),
            device: Uuid::new_v4(),
            seq: 0,
            cursors: json!({}),
            held: Default::default(),
        }
    }

    /// Sends one change to a need; answers (status, outcome or error).
    pub async fn send(
        &mut self,
        app: &TestApp,
        record: Uuid,
        op: Value,
        made_on: Option<String>,
    ) -> (u16, Value) {
        self.send_kind(app, "need", record, op, made_on).await
    }

    /// Sends one change to a record of `kind`; answers (status, outcome or error).
    pub async fn send_kind(
        &mut self,
        app: &TestApp,
        kind: &str,
        record: Uuid,
        op: Value,
        made_on: Option<String>,
    ) -> (u16, Value) {
        self.seq += 1;
        let mut change = json!({"id": Uuid::new_v4(), "seq": self.seq, "record": record,
                                "kind": kind, "op": op});
        if let Some(day) = made_on {
            change["made_on"] = json!(day);
        }
        let body = json!({"protocol": PROTOCOL, "device": self.device, "changes": [change]});
        let response = app.post(&self.client, PUSH_PATH, body).await;
        let status = response.status().as_u16();
        let answer: Value = response.json().await.unwrap();
        if status != 200 {
            self.seq -= 1; // not taken: the number is free again
            return (status, answer);
        }
        (status, answer["results"][0]["outcome"].clone())
    }

    /// Pulls until the server has nothing more; answers the last page.
    pub async fn pull(&mut self, app: &TestApp) -> Value {
        loop {
            let body = json!({"protocol": PROTOCOL, "cursors": self.cursors, "limit": 1});
            let response = app.post(&self.client, PULL_PATH, body).await;
            assert_eq!(response.status(), 200);
            let page: Value = response.json().await.unwrap();
            if page["reset"] == true {
                self.held.clear();
                self.cursors = json!({});
            }
            for record in page["records"].as_array().unwrap() {
                let id = record["id"].as_str().unwrap().to_owned();
                if record["data"].is_null() {
                    self.held.remove(&id);
                } else {
                    self.held.insert(id, record["data"]["body"].clone());
                }
            }
            for dropped in page["dropped"].as_array().unwrap() {
                self.cursors
                    .as_object_mut()
                    .unwrap()
                    .remove(dropped.as_str().unwrap());
            }
            for (scope, cursor) in page["cursors"].as_object().unwrap() {
                self.cursors[scope] = cursor.clone();
            }
            if page["more"] == false {
                return page;
            }
        }
    }
}

/// A group registered by `contact` in `district`; answers its id.
pub async fn group(app: &TestApp, contact: &reqwest::Client, district: Uuid, name: &str) -> Uuid {
    let response = app
        .post(
            contact,
            "/api/register-group",
            json!({"form": {"kind": "informal", "name": name, "description": "Vi hjälps åt.",
                            "org_number": "", "districts": [district], "priority_areas": []}}),
        )
        .await;
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, 200, "{body}");
    serde_json::from_value(body).unwrap()
}

pub async fn join(app: &TestApp, contact: &reqwest::Client, who: &reqwest::Client, group: Uuid) {
    let invitation: Value = app
        .post(
            contact,
            "/api/create-invite",
            json!({"group": group, "role": "member"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let joined = app
        .post(
            who,
            "/api/accept-invite",
            json!({"code": invitation["code"]}),
        )
        .await;
    assert_eq!(joined.status(), 200);
}
