//! The one-time enrolment token is worthless once the kiosk holds its own credential, and is
//! still a secret until the server has seen it used: once enrolled, the kiosk removes it from
//! the files it read it from, keeping everything else in them as written (comments included).

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

/// Why the token could not be removed from a file.
#[derive(Debug, thiserror::Error)]
pub enum ForgetError {
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path}: not TOML any more: {source}")]
    Toml { path: String, source: toml_edit::TomlError },
}

/// Removes `server.enrolment_token` from the `kiosk.toml` at `path` (through a new file renamed
/// over it, with the same permissions). `Ok(false)`: the file does not exist or holds no token.
pub fn forget_enrolment_token(path: &Path) -> Result<bool, ForgetError> {
    let io = |source| ForgetError::Io {
        path: path.display().to_string(),
        source,
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(io(e)),
    };
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|source| ForgetError::Toml {
        path: path.display().to_string(),
        source,
    })?;
    let removed = doc
        .get_mut("server")
        .and_then(toml_edit::Item::as_table_like_mut)
        .and_then(|server| server.remove("enrolment_token"))
        .is_some();
    if !removed {
        return Ok(false);
    }
    let mode = std::fs::metadata(path).map_err(io)?.permissions().mode() & 0o7777;
    crate::replace_file(path, &doc.to_string(), mode).map_err(io)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const PROVISIONED: &str = "# Provisioned for Los Angeles\n[server]\nurl = \"https://citas.example/api/\"\n\
        enrolment_token = \"K7Q2-9XPL\"  # one use\n\n[kiosk]\nid = \"LAX-1\"\noffices = [\"LAX\"]\n";

    #[test]
    fn removes_the_used_token_and_keeps_the_rest_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kiosk.toml");
        std::fs::write(&path, PROVISIONED).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();

        assert!(forget_enrolment_token(&path).unwrap());

        let after = std::fs::read_to_string(&path).unwrap();
        assert!(!after.contains("K7Q2"), "{after}");
        assert!(!after.contains("enrolment_token"), "{after}");
        assert!(after.starts_with("# Provisioned for Los Angeles\n[server]\nurl = \"https://citas.example/api/\"\n"));
        assert!(
            after.contains("[kiosk]\nid = \"LAX-1\"\noffices = [\"LAX\"]\n"),
            "{after}"
        );
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        let config = crate::Config::parse(&after, &path).unwrap();
        assert_eq!(config.enrolment_token, None);
        assert_eq!(config.kiosk_id, "LAX-1");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left"
        );
    }

    #[test]
    fn leaves_a_file_without_a_token_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kiosk.toml");
        let text = "[kiosk]\nid = \"LAX-1\"   # as typed\n";
        std::fs::write(&path, text).unwrap();
        assert!(!forget_enrolment_token(&path).unwrap());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
        assert!(!forget_enrolment_token(&dir.path().join("absent.toml")).unwrap());
    }

    #[test]
    fn names_the_file_when_it_is_not_toml() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kiosk.toml");
        std::fs::write(&path, "[server\nenrolment_token = \"x\"\n").unwrap();
        let e = forget_enrolment_token(&path).unwrap_err();
        assert!(e.to_string().starts_with(&path.display().to_string()), "{e}");
    }
}
