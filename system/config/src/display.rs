//! kiosk.toml's `[display]`: how the panel is mounted (rotation), how large it is (its
//! diagonal, for the density rule of [`kiosk_core::display::Panel`]) and an explicit scale.
//! The app reads this section alone before its window exists ([`display_of`]): the picture
//! must be turned before the first frame, even on a kiosk whose other settings are still
//! missing, and a mistake here must not keep it from starting (it starts upright, and the
//! full check names the mistake).

use std::path::PathBuf;

use kiosk_core::display::Rotation;
use serde::Deserialize;
use toml::Spanned;

use crate::{Checker, Config, ConfigError, read_layers};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDisplay {
    rotation: Option<Spanned<i64>>,
    diagonal_inches: Option<Spanned<f64>>,
    scale: Option<Spanned<f64>>,
}

/// The panel as kiosk.toml describes it; every field optional.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Display {
    /// Clockwise, as the panel is mounted (Touch Display 2 on its side: 90 or 270).
    pub rotation: Rotation,
    /// The panel's diagonal (3 to 100 inches), when known.
    pub diagonal_inches: Option<f32>,
    /// The UI's scale factor (0.5 to 4), overriding the size and density rules.
    pub scale: Option<f32>,
}

// Every float in a Display was checked finite: equality is an equivalence.
impl Eq for Display {}

pub(crate) fn check_display(c: &mut Checker<'_>) -> Option<Display> {
    let rotation = c.optional(
        "display.rotation",
        |r| r.display.as_ref()?.rotation.as_ref(),
        Rotation::None,
        |d| Rotation::from_degrees(*d).ok_or_else(|| "0, 90, 180 or 270 (degrees, clockwise)".into()),
    );
    let diagonal_inches = c.optional(
        "display.diagonal_inches",
        |r| r.display.as_ref()?.diagonal_inches.as_ref(),
        None,
        |d| in_range(*d, 3.0, 100.0, "3 to 100 (inches)").map(Some),
    );
    let scale = c.optional(
        "display.scale",
        |r| r.display.as_ref()?.scale.as_ref(),
        None,
        |s| in_range(*s, 0.5, 4.0, "0.5 to 4").map(Some),
    );
    Some(Display {
        rotation: rotation?,
        diagonal_inches: diagonal_inches?,
        scale: scale?,
    })
}

fn in_range(value: f64, low: f64, high: f64, says: &str) -> Result<f32, String> {
    if value.is_finite() && (low..=high).contains(&value) {
        #[allow(clippy::cast_possible_truncation)] // within 0.5..=100: exact enough as f32
        Ok(value as f32)
    } else {
        Err(says.to_owned())
    }
}

/// The `[display]` section of the files [`Config::load_named_or_device`] reads, checked on its
/// own: the rest of the configuration may be missing or wrong.
pub fn display_of(named: &[PathBuf]) -> Result<Display, ConfigError> {
    let paths = Config::named_or_device(named);
    let layers = read_layers(&paths.iter().map(PathBuf::as_path).collect::<Vec<_>>())
        .map_err(|problems| ConfigError { problems })?;
    let mut c = Checker {
        layers: &layers,
        problems: Vec::new(),
    };
    match check_display(&mut c) {
        Some(display) if c.problems.is_empty() => Ok(display),
        _ => Err(ConfigError { problems: c.problems }),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::path::Path;

    use super::*;

    const REST: &str = "[server]\nurl = \"https://example.invalid/\"\n[kiosk]\nid = \"K1\"\noffices = [\"LAX\"]\n";

    #[test]
    fn a_panel_on_its_side_with_its_size_is_read() {
        let text = format!("{REST}[display]\nrotation = 90\ndiagonal_inches = 7\n");
        let config = Config::parse(&text, Path::new("kiosk.toml")).unwrap();
        assert_eq!(config.display.rotation, Rotation::Clockwise90);
        assert_eq!(config.display.diagonal_inches, Some(7.0));
        assert_eq!(config.display.scale, None);
    }

    #[test]
    fn without_a_display_section_the_panel_is_upright_and_sized_by_its_pixels() {
        let config = Config::parse(REST, Path::new("kiosk.toml")).unwrap();
        assert_eq!(config.display, Display::default());
    }

    #[test]
    fn rejects_a_rotation_that_is_not_a_quarter_turn_naming_the_line() {
        let text = format!("{REST}[display]\nrotation = 45\n");
        let err = Config::parse(&text, Path::new("kiosk.toml")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "kiosk.toml:7: display.rotation: 0, 90, 180 or 270 (degrees, clockwise)"
        );
    }

    #[test]
    fn rejects_a_nonsense_diagonal_or_scale() {
        let text = format!("{REST}[display]\ndiagonal_inches = 0.5\nscale = 10.0\nbrightness = 3\n");
        let err = Config::parse(&text, Path::new("kiosk.toml")).unwrap_err();
        assert!(err.to_string().contains("brightness"), "{err}");
        let text = format!("{REST}[display]\ndiagonal_inches = 0.5\nscale = 10.0\n");
        let err = Config::parse(&text, Path::new("kiosk.toml")).unwrap_err().to_string();
        assert!(err.contains("display.diagonal_inches: 3 to 100"), "{err}");
        assert!(err.contains("display.scale: 0.5 to 4"), "{err}");
    }

    #[test]
    fn the_display_is_read_alone_from_a_kiosk_not_set_up_yet() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().join("base.toml");
        let provisioned = dir.path().join("provisioned.toml");
        // The image's file turns the panel; nothing is provisioned, so the whole
        // configuration is incomplete, but the picture is turned from the first frame.
        std::fs::write(&base, "[display]\nrotation = 270\n").unwrap();
        let named = [base, provisioned.clone()];
        assert!(Config::load_named_or_device(&named).is_err());
        assert_eq!(display_of(&named).unwrap().rotation, Rotation::Clockwise270);
        // A later layer overrides it, field by field.
        std::fs::write(&provisioned, "[display]\nrotation = 0\nscale = 1.25\n").unwrap();
        let display = display_of(&named).unwrap();
        assert_eq!(display.rotation, Rotation::None);
        assert_eq!(display.scale, Some(1.25));
        // A mistake in the section is named.
        std::fs::write(&provisioned, "[display]\nrotation = \"left\"\n").unwrap();
        assert!(display_of(&named).unwrap_err().to_string().contains("provisioned.toml"));
    }
}
