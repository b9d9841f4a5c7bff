//! The display a kiosk stands behind: which layout class a window gets and how much the UI is
//! scaled on it. The screens are designed in logical pixels for three classes (the Pi's 7"
//! 800x480, landscape 1280x720..1280x800, portrait 720x1280); a larger panel (a totem's
//! 1080x1920, a 1920x1080 screen) draws the same layout scaled, so its type and touch targets
//! grow with it instead of leaving most of the screen empty.

/// The short side a layout is designed for, in logical pixels; panels with a longer short side
/// are scaled up by quarters until theirs is no longer than this much larger.
const DESIGN_SHORT_SIDE: f32 = 720.0;
/// Never smaller than designed (a touch target is 60 logical pixels), never absurdly large.
const MIN_SCALE: f32 = 1.0;
const MAX_SCALE: f32 = 4.0;

/// The layout class of a window, from its size in logical pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DisplayClass {
    /// 800x480 and anything no taller than 600: every pixel counts.
    SmallLandscape,
    Landscape,
    Portrait,
}

impl DisplayClass {
    pub fn of(width: f32, height: f32) -> DisplayClass {
        if height > width {
            DisplayClass::Portrait
        } else if height < 600.0 {
            DisplayClass::SmallLandscape
        } else {
            DisplayClass::Landscape
        }
    }
}

/// The scale factor for a panel of `width` x `height` physical pixels: 1 up to a short side of
/// about 720 (the Pi's displays, 10" 1280x800 panels), then in quarter steps (1080 gives 1.5,
/// 2160 gives 3). `requested` (kiosk.toml's `[display] scale`, or `SLINT_SCALE_FACTOR`) wins
/// when it is a sane number.
pub fn scale_factor(width: u32, height: u32, requested: Option<f32>) -> f32 {
    if let Some(s) = requested.filter(|s| s.is_finite() && (0.5..=MAX_SCALE).contains(s)) {
        return s;
    }
    #[allow(clippy::cast_precision_loss)] // panel sizes are far below f32's exact range
    let short = width.min(height) as f32;
    let quarters = (short / DESIGN_SHORT_SIDE * 4.0).floor() / 4.0;
    quarters.clamp(MIN_SCALE, MAX_SCALE)
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // quarters are exact in binary floating point
mod tests {
    use super::*;

    #[test]
    fn the_pis_displays_and_ten_inch_panels_are_drawn_unscaled() {
        assert_eq!(scale_factor(800, 480, None), 1.0);
        assert_eq!(scale_factor(720, 1280, None), 1.0);
        assert_eq!(scale_factor(1280, 720, None), 1.0);
        assert_eq!(scale_factor(1280, 800, None), 1.0);
    }

    #[test]
    fn totems_are_scaled_so_their_layout_is_the_portrait_one_larger() {
        assert_eq!(scale_factor(1080, 1920, None), 1.5);
        assert_eq!(scale_factor(1920, 1080, None), 1.5);
        assert_eq!(scale_factor(3840, 2160, None), 3.0);
        // 1080x1920 at 1.5 is 720x1280 logical: the portrait class.
        assert_eq!(DisplayClass::of(1080.0 / 1.5, 1920.0 / 1.5), DisplayClass::Portrait);
    }

    #[test]
    fn a_requested_scale_wins_unless_it_is_nonsense() {
        assert_eq!(scale_factor(1080, 1920, Some(1.25)), 1.25);
        assert_eq!(scale_factor(1080, 1920, Some(0.0)), 1.5);
        assert_eq!(scale_factor(1080, 1920, Some(f32::NAN)), 1.5);
        assert_eq!(scale_factor(800, 480, Some(100.0)), 1.0);
    }

    #[test]
    fn classes_follow_the_shape_and_the_height() {
        assert_eq!(DisplayClass::of(800.0, 480.0), DisplayClass::SmallLandscape);
        assert_eq!(DisplayClass::of(1280.0, 720.0), DisplayClass::Landscape);
        assert_eq!(DisplayClass::of(720.0, 1280.0), DisplayClass::Portrait);
    }
}
