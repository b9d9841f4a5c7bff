//! What the screens read through the engine, in one place: the cached catalogue (fetched when
//! the cache has none or cannot be read), an office's slots from the cache after a fresh delta,
//! a booking found by its code with its office, and an account's appointments. The engine's
//! own ticket-making reads the catalogue through [`cached_catalogue`] too, so it is parsed one
//! way only.

use chrono::{DateTime, Utc};
use kiosk_core::office::{Office, Slot, SlotId};
use kiosk_store::{Store, StoreError};

use crate::api::{Booking, Catalogue, CatalogueOffice};
use crate::engine::{EngineError, SyncEngine};

/// The catalogue in the store, if one is cached and it reads as a catalogue.
pub fn cached_catalogue(store: &Store) -> Result<Option<Catalogue>, StoreError> {
    Ok(store.catalogue()?.and_then(|(_, body)| parse(&body)))
}

fn parse(body: &str) -> Option<Catalogue> {
    match serde_json::from_str::<Catalogue>(body) {
        Ok(c) => Some(c),
        Err(e) => {
            tracing::warn!(error = %e, "the cached catalogue does not read as a catalogue");
            None
        }
    }
}

/// A booking found by its code, and its office from the catalogue (`None`: not in it).
#[derive(Debug, Clone, PartialEq)]
pub struct FoundBooking {
    pub booking: Booking,
    pub office: Option<CatalogueOffice>,
}

impl SyncEngine {
    /// The offices and countries a visit needs: the cached catalogue, or a fresh one when the
    /// cache has none that reads.
    pub async fn catalogue(&self) -> Result<Catalogue, EngineError> {
        if let Some(c) = self.with_store(|s| cached_catalogue(s)).await? {
            return Ok(c);
        }
        self.sync_catalogue(Utc::now()).await?;
        self.with_store(|s| cached_catalogue(s))
            .await?
            .ok_or_else(|| EngineError::Payload("the catalogue could not be read".into()))
    }

    /// The office `id` of the catalogue (`None`: the catalogue has no such office).
    pub async fn catalogue_office(&self, id: &str) -> Result<Option<CatalogueOffice>, EngineError> {
        let find = |c: Catalogue| c.offices.into_iter().find(|o| o.id == id);
        let cached = self.with_store(|s| cached_catalogue(s)).await?.and_then(find);
        if cached.is_some() {
            return Ok(cached);
        }
        // An office the cache does not know yet: the catalogue may have grown.
        self.sync_catalogue(Utc::now()).await?;
        Ok(self.with_store(|s| cached_catalogue(s)).await?.and_then(find))
    }

    /// The slots of `office` within the calendar's horizon, from the cache after a fresh delta
    /// (the cache answers alone when the network does not).
    pub async fn office_slots(&self, office: &Office, now: DateTime<Utc>) -> Result<Vec<Slot>, EngineError> {
        if let Err(e) = self.sync_office(&office.id.0, now).await {
            tracing::warn!(error = %e, office = %office.id.0, "showing cached availability");
        }
        let id = office.id.0.clone();
        let (from, to) = kiosk_core::calendar::horizon(now);
        let cached = self.with_store(move |s| s.slots(&id, from, to)).await?;
        Ok(cached
            .into_iter()
            .map(|c| Slot {
                id: SlotId(c.id),
                office: office.id.clone(),
                start: c.start,
                minutes: c.minutes,
                capacity: c.capacity,
                remaining: c.remaining,
            })
            .collect())
    }

    /// The booking with `code`, with its office.
    pub async fn find_booking(&self, code: &str) -> Result<FoundBooking, EngineError> {
        let booking = self.client().booking(code).await?;
        let office = self.catalogue_office(&booking.office_id).await?;
        Ok(FoundBooking { booking, office })
    }

    /// The appointments of the account signed in with `token`.
    pub async fn my_bookings(&self, token: &str) -> Result<Vec<Booking>, EngineError> {
        Ok(self.client().my_bookings(token).await?.bookings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cached_catalogue_that_does_not_read_is_not_taken_for_one() {
        let mut store = Store::open_in_memory().expect("an in-memory store");
        assert_eq!(cached_catalogue(&store).expect("read"), None, "nothing cached");
        store
            .save_catalogue("\"v1\"", "{\"offices\": 3}", Utc::now())
            .expect("save");
        assert_eq!(cached_catalogue(&store).expect("read"), None);
        store
            .save_catalogue(
                "\"v2\"",
                "{\"offices\": [], \"countries\": [], \"states\": [], \"procedures\": [], \"documents\": []}",
                Utc::now(),
            )
            .expect("save");
        let c = cached_catalogue(&store).expect("read").expect("a catalogue");
        assert!(c.offices.is_empty());
    }
}
