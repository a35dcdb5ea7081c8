//! Where the device keeps its copy and its outbox: a small key → text store. The browser's is
//! `localStorage` (through gloo-storage, in `sync::browser`); tests use [`MemoryStore`].
use std::collections::BTreeMap;

/// The store refused to keep more (the browser's quota).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreFull;

pub trait Store {
    fn get(&self, key: &str) -> Option<String>;
    fn set(&mut self, key: &str, value: &str) -> Result<(), StoreFull>;
    fn remove(&mut self, key: &str);
}

/// A store in memory, with an optional quota in bytes (to test a full phone).
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    pub items: BTreeMap<String, String>,
    pub quota: Option<usize>,
}

impl Store for MemoryStore {
    fn get(&self, key: &str) -> Option<String> {
        self.items.get(key).cloned()
    }

    fn set(&mut self, key: &str, value: &str) -> Result<(), StoreFull> {
        if let Some(quota) = self.quota {
            let others: usize = self
                .items
                .iter()
                .filter(|(k, _)| k.as_str() != key)
                .map(|(k, v)| k.len() + v.len())
                .sum();
            if others + key.len() + value.len() > quota {
                return Err(StoreFull);
            }
        }
        self.items.insert(key.to_owned(), value.to_owned());
        Ok(())
    }

    fn remove(&mut self, key: &str) {
        self.items.remove(key);
    }
}
