//! The display's backlight (`/sys/class/backlight/*/brightness`): dimmed while nobody is in
//! front of the kiosk, full when someone comes or touches it. A display without a backlight
//! device (HDMI monitors) is dimmed on screen only.

use std::path::{Path, PathBuf};

/// The share of full brightness a dimmed screen keeps, in percent.
pub const DIM_PERCENT: u64 = 10;

/// A backlight device of the kernel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backlight {
    dir: PathBuf,
    max: u64,
}

impl Backlight {
    /// The first backlight under `class` (`/sys/class/backlight` on the device); `None` when
    /// there is none or it cannot be read.
    pub fn find(class: &Path) -> Option<Backlight> {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(class)
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        dirs.sort();
        dirs.into_iter().find_map(|dir| {
            let max = std::fs::read_to_string(dir.join("max_brightness"))
                .ok()?
                .trim()
                .parse()
                .ok()?;
            Some(Backlight { dir, max })
        })
    }

    /// The kiosk's display, if it has a backlight the kernel controls.
    pub fn of_this_machine() -> Option<Backlight> {
        Backlight::find(Path::new("/sys/class/backlight"))
    }

    /// Full brightness, or [`DIM_PERCENT`] of it (never off: a dark screen looks broken).
    pub fn set_dimmed(&self, dimmed: bool) -> std::io::Result<()> {
        let level = if dimmed {
            (self.max * DIM_PERCENT / 100).max(1)
        } else {
            self.max
        };
        std::fs::write(self.dir.join("brightness"), level.to_string())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn dims_the_first_backlight_to_a_tenth_and_brings_it_back() {
        let class = tempfile::tempdir().unwrap();
        for (name, max) in [("rpi_backlight", "255\n"), ("zz_other", "10\n")] {
            let dir = class.path().join(name);
            std::fs::create_dir(&dir).unwrap();
            std::fs::write(dir.join("max_brightness"), max).unwrap();
            std::fs::write(dir.join("brightness"), max).unwrap();
        }
        let b = Backlight::find(class.path()).unwrap();
        let level = || std::fs::read_to_string(class.path().join("rpi_backlight/brightness")).unwrap();
        b.set_dimmed(true).unwrap();
        assert_eq!(level(), "25");
        b.set_dimmed(false).unwrap();
        assert_eq!(level(), "255");
        assert_eq!(Backlight::find(&class.path().join("none")), None);
    }
}
