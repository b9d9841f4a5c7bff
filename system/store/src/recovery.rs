//! A database the card damaged: what counts as damage (only SQLite's own "corrupt" and "not a
//! database", never a full disk, a read-only mount, a busy file or a permission), moving it
//! aside, and salvaging from it what the server cannot give back. A salvage that could not
//! finish (the new file could not be written) is tried again at every later start; a file
//! salvaged is wiped, since it holds visitors' data.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, ErrorCode, OpenFlags};

use crate::Result;

/// What opening the file found.
pub(crate) enum Integrity {
    Sound,
    /// SQLite says the file is damaged: why, in its words.
    Damaged(String),
}

/// SQLite's own word that the file is damaged (not that the disk or the mount failed).
fn is_damage(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase)
    )
}

/// Checks the file at `path`. Any failure that is not damage is an error: the file is left
/// where it is and the start-up tries again later.
pub(crate) fn integrity(path: &Path) -> Result<Integrity> {
    let check = || -> rusqlite::Result<String> {
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
    };
    match check() {
        Ok(result) if result == "ok" => Ok(Integrity::Sound),
        Ok(result) => Ok(Integrity::Damaged(result)),
        Err(e) if is_damage(&e) => Ok(Integrity::Damaged(e.to_string())),
        Err(e) => Err(e.into()),
    }
}

const MARK: &str = ".corrupt-";

/// Moves the damaged file (and its WAL) aside as `PATH.corrupt-STAMP`.
pub(crate) fn move_aside(path: &Path, now: DateTime<Utc>) -> Result<PathBuf> {
    let stamp = now.format("%Y%m%dT%H%M%S%.fZ");
    let target = PathBuf::from(format!("{}{MARK}{stamp}", path.display()));
    std::fs::rename(path, &target)?;
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", path.display()));
        if side.exists() {
            std::fs::rename(&side, format!("{}{suffix}", target.display()))?;
        }
    }
    Ok(target)
}

/// The files moved aside from `path` and not salvaged yet, newest first.
pub(crate) fn pending(path: &Path) -> Vec<PathBuf> {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return Vec::new();
    };
    let prefix = format!("{}{MARK}", name.to_string_lossy());
    let mut found: Vec<PathBuf> = std::fs::read_dir(if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    })
    .into_iter()
    .flatten()
    .flatten()
    .map(|e| e.path())
    .filter(|p| {
        p.file_name()
            .map(|n| n.to_string_lossy())
            .is_some_and(|n| n.starts_with(&prefix) && !n.ends_with("-wal") && !n.ends_with("-shm"))
    })
    .collect();
    // The stamp sorts as the time it was moved.
    found.sort_unstable_by(|a, b| b.cmp(a));
    found
}

/// What is copied from a damaged database into its replacement: what the server cannot give
/// back (the outbox, confirmed bookings and their tickets, the audit log, staff PINs and the
/// PIN pad's lock, an out-of-service notice, the device's credential). The cache is not
/// copied: the next sync refills it.
const SALVAGED: [(&str, &str); 8] = [
    ("device", "id, device_id, credential"),
    (
        "outbox",
        "id, kind, payload, created_at, attempts, next_attempt_at, last_error",
    ),
    (
        "bookings",
        "code, outbox_id, office_id, slot_id, start, body, confirmed_at",
    ),
    (
        "print_jobs",
        "id, booking_code, ticket, reason, state, attempts, last_error, created_at, printed_at",
    ),
    ("audit", "id, at, staff_id, action, detail"),
    ("staff", "id, pin_hash, created_at, failed_attempts, locked_until"),
    ("pin_pad", "id, failures, locked_until"),
    ("out_of_service", "id, message, staff_id, since"),
];

/// Copies, table by table, whatever can still be read from the damaged file `old`, in one
/// transaction. A table whose pages are the damaged ones (or that did not exist yet) is lost
/// and logged; any other failure (the new file cannot be written) is an error and `old` is
/// kept for the next start. Salvaged, `old` is wiped.
pub(crate) fn salvage(conn: &mut Connection, old: &Path) -> Result<()> {
    let uri = format!("file:{}?mode=ro", old.display());
    match conn.execute("ATTACH DATABASE ?1 AS old", [&uri]) {
        Ok(_) => {}
        // Nothing in it can be read: there is nothing to salvage.
        Err(e) if is_damage(&e) => {
            tracing::error!(file = %old.display(), error = %e, "nothing can be salvaged from the damaged database");
            wipe(old);
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    }
    let copied = copy_tables(conn);
    if let Err(e) = conn.execute("DETACH DATABASE old", []) {
        tracing::error!(error = %e, "could not detach the damaged database");
    }
    copied?;
    wipe(old);
    Ok(())
}

fn copy_tables(conn: &mut Connection) -> Result<()> {
    let tx = conn.transaction()?;
    for (table, columns) in SALVAGED {
        let sql = format!("INSERT OR IGNORE INTO main.{table}({columns}) SELECT {columns} FROM old.{table}");
        match tx.execute(&sql, []) {
            Ok(n) => tracing::warn!(table, rows = n, "salvaged from the damaged database"),
            Err(e) if is_damage(&e) || e.to_string().contains("no such table") => {
                tracing::error!(table, error = %e, "this table could not be read from the damaged database");
            }
            Err(e) => return Err(e.into()),
        }
    }
    tx.commit()?;
    Ok(())
}

/// Removes a salvaged file and its WAL: they hold visitors' data.
fn wipe(old: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let file = PathBuf::from(format!("{}{suffix}", old.display()));
        match std::fs::remove_file(&file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => tracing::error!(file = %file.display(), error = %e, "could not wipe a salvaged database"),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::{DeviceCredential, OutboxKind, Store};

    #[test]
    fn a_file_that_cannot_be_opened_is_not_taken_for_damage() {
        let dir = tempfile::tempdir().unwrap();
        // Not SQLite's "corrupt": a path that cannot be opened as a file at all.
        let path = dir.path().join("k.db");
        std::fs::create_dir(&path).unwrap();
        std::fs::write(path.join("keep"), b"x").unwrap();
        assert!(Store::open(&path).is_err());
        assert!(path.join("keep").exists(), "it was moved aside");
        assert!(pending(&path).is_empty(), "{:?}", pending(&path));
    }

    #[test]
    fn a_salvage_an_earlier_start_left_is_finished_and_the_file_wiped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        let staff = kiosk_core::staff::StaffId::parse("ana").unwrap();
        let now = chrono::Utc::now();
        {
            let (mut s, _) = Store::open(&dir.path().join("before.db")).unwrap();
            s.set_device_credential(&DeviceCredential {
                device_id: "dev-1".into(),
                credential: "c".into(),
            })
            .unwrap();
            s.enqueue(OutboxKind::Confirm, &serde_json::json!({"slot_id": "s1"}), now)
                .unwrap();
            s.take_out_of_service(&staff, None, now).unwrap();
            s.conn
                .execute("INSERT INTO pin_pad(id, failures) VALUES (1, 4)", [])
                .unwrap();
            s.conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
        }
        // An earlier start moved it aside and could not write the new file.
        let old = dir.path().join("k.db.corrupt-20261201T000000Z");
        std::fs::rename(dir.path().join("before.db"), &old).unwrap();
        let (store, _) = Store::open(&path).unwrap();
        assert_eq!(store.device_credential().unwrap().unwrap().device_id, "dev-1");
        assert_eq!(store.outbox_depth().unwrap(), 1, "the pending confirmation is lost");
        assert!(
            store.out_of_service().unwrap().is_some(),
            "the kiosk came back in service"
        );
        let failures: i64 = store
            .conn
            .query_row("SELECT failures FROM pin_pad WHERE id = 1", [], |r| r.get(0))
            .unwrap();
        assert_eq!(failures, 4, "the PIN pad's failures were forgotten");
        assert!(!old.exists(), "the salvaged file, with visitors' data, is still there");
        assert!(pending(&path).is_empty());
    }

    #[test]
    fn a_file_with_nothing_readable_is_wiped_not_retried_for_ever() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        let old = dir.path().join("k.db.corrupt-20261201T000000Z");
        std::fs::write(&old, b"this is not a database, it is what a bad SD card leaves behind").unwrap();
        Store::open(&path).unwrap();
        assert!(!old.exists());
    }

    #[test]
    fn the_newest_file_moved_aside_comes_first() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        for name in [
            "k.db.corrupt-20261101T000000Z",
            "k.db.corrupt-20261201T000000Z",
            "k.db.corrupt-20261201T000000Z-wal",
            "other.db.corrupt-20261201T000000Z",
        ] {
            std::fs::write(dir.path().join(name), b"").unwrap();
        }
        let found: Vec<String> = pending(&path)
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            found,
            ["k.db.corrupt-20261201T000000Z", "k.db.corrupt-20261101T000000Z"]
        );
    }
}
