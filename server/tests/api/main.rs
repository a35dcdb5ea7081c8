#![recursion_limit = "512"]
//! Integration tests: the real server on port 0 against a fresh SQLite file and a fresh
//! PostgreSQL database per test (see `helpers`).
mod helpers;
mod malformed;

mod accounts;
mod activities;
mod activities_bench;
mod admin;
mod authorization;
mod calendar;
mod cases;
mod cases_bench;
mod finding;
mod finding_bench;
mod groups;
mod health;
mod load;
mod migrations;
mod needs;
mod needs_bench;
mod offers;
mod pages;
mod phone;
mod reference;
mod startup;
mod sync;
mod sync_bench;
mod sync_sim;
mod trust;
