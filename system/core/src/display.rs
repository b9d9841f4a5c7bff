//! The display a kiosk stands behind: which layout class a window gets, how much the UI is
//! scaled on a panel, and how a panel mounted turned is drawn and touched. The screens are
//! designed in logical pixels for three classes (the Pi's 7" 800x480, landscape
//! 1280x720..1280x800, portrait 720x1280); a larger panel (a totem's 1080x1920, a 1920x1080
//! screen) or a denser one (Touch Display 2 turned to 1280x720 on 7", 210 dpi) draws the same
//! layout scaled, so its type and touch targets keep their size in the hand.

/// The short side a layout is designed for, in logical pixels; panels with a longer short side
/// are scaled up by quarters until theirs is no longer than this much larger.
const DESIGN_SHORT_SIDE: f32 = 720.0;
/// The density the layouts are drawn for: a 10" 1280x800 panel, about 150 pixels an inch,
/// where a 60 px touch target is 10 mm wide. A denser panel whose size is known is scaled up
/// so the target keeps its width in millimetres.
const DESIGN_DPI: f32 = 150.0;
/// The narrowest and the lowest window the layouts are designed for (portrait's 720 wide, the
/// Pi's 480 high): a panel is never scaled so far that its logical size falls below them.
const SMALLEST_WIDTH: f32 = 720.0;
const SMALLEST_HEIGHT: f32 = 480.0;
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

/// A panel as the kiosk draws on it: its size in physical pixels (after any rotation) and,
/// when kiosk.toml gives it, its diagonal.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Panel {
    pub width: u32,
    pub height: u32,
    pub diagonal_inches: Option<f32>,
}

impl Panel {
    /// A panel whose physical size is not known.
    pub fn of_size(width: u32, height: u32) -> Panel {
        Panel {
            width,
            height,
            diagonal_inches: None,
        }
    }

    /// Pixels an inch, when the diagonal is known and sane.
    pub fn dpi(&self) -> Option<f32> {
        #[allow(clippy::cast_precision_loss)] // panel sizes are far below f32's exact range
        let diagonal_px = (self.width as f32).hypot(self.height as f32);
        self.diagonal_inches
            .filter(|d| d.is_finite() && *d > 0.0)
            .map(|d| diagonal_px / d)
    }

    /// The scale factor: the larger of the size rule (1 up to a short side of about 720, then
    /// quarter steps: 1080 gives 1.5, 2160 gives 3) and, when the diagonal is known, the density
    /// rule (quarter steps of dpi / 150: Touch Display 2's 210 dpi gives 1.25), lowered by
    /// quarters while the logical window would be narrower than 720 or lower than 480 (so
    /// Touch Display 2 turned to 1280x720 is drawn at 1.25, upright at 1). `requested` (kiosk.toml's
    /// `[display] scale`, or `SLINT_SCALE_FACTOR`) wins when it is a sane number.
    pub fn scale_factor(&self, requested: Option<f32>) -> f32 {
        if let Some(s) = requested.filter(|s| s.is_finite() && (0.5..=MAX_SCALE).contains(s)) {
            return s;
        }
        #[allow(clippy::cast_precision_loss)] // panel sizes are far below f32's exact range
        let (width, height) = (self.width as f32, self.height as f32);
        let by_size = quarters(width.min(height) / DESIGN_SHORT_SIDE);
        let by_density = self.dpi().map_or(MIN_SCALE, |dpi| quarters(dpi / DESIGN_DPI));
        let mut scale = by_size.max(by_density).clamp(MIN_SCALE, MAX_SCALE);
        while scale > MIN_SCALE && (width / scale < SMALLEST_WIDTH || height / scale < SMALLEST_HEIGHT) {
            scale -= 0.25;
        }
        scale
    }
}

fn quarters(x: f32) -> f32 {
    (x * 4.0).floor() / 4.0
}

/// How a panel is mounted, as kiosk.toml's `[display] rotation` says: the picture is turned
/// clockwise by this much on the panel, so a panel hung on its side shows it upright.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Rotation {
    #[default]
    None,
    Clockwise90,
    Half,
    Clockwise270,
}

impl Rotation {
    /// From degrees: 0, 90, 180 or 270.
    pub fn from_degrees(degrees: i64) -> Option<Rotation> {
        match degrees {
            0 => Some(Rotation::None),
            90 => Some(Rotation::Clockwise90),
            180 => Some(Rotation::Half),
            270 => Some(Rotation::Clockwise270),
            _ => None,
        }
    }

    pub fn degrees(self) -> u16 {
        match self {
            Rotation::None => 0,
            Rotation::Clockwise90 => 90,
            Rotation::Half => 180,
            Rotation::Clockwise270 => 270,
        }
    }

    /// The window's size on a panel of `width` x `height` pixels as the panel reports it.
    pub fn window_size(self, width: u32, height: u32) -> (u32, u32) {
        match self {
            Rotation::None | Rotation::Half => (width, height),
            Rotation::Clockwise90 | Rotation::Clockwise270 => (height, width),
        }
    }

    /// The touch panel's calibration matrix (libinput's `[a, b, c, d, e, f]`: a touch at the
    /// panel's normalised x, y lands at `a x + b y + c`, `d x + e y + f` in the window), so a
    /// finger lands where the turned picture shows what it touches.
    pub fn touch_matrix(self) -> [f32; 6] {
        match self {
            Rotation::None => [1.0, 0.0, 0.0, 0.0, 1.0, 0.0],
            // Turned right: the window's top edge is the panel's right edge.
            Rotation::Clockwise90 => [0.0, 1.0, 0.0, -1.0, 0.0, 1.0],
            Rotation::Half => [-1.0, 0.0, 1.0, 0.0, -1.0, 1.0],
            // Turned left: the window's top edge is the panel's left edge.
            Rotation::Clockwise270 => [0.0, -1.0, 1.0, 1.0, 0.0, 0.0],
        }
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // quarters and the matrices' corners are exact in binary
mod tests {
    use super::*;

    fn scale(width: u32, height: u32) -> f32 {
        Panel::of_size(width, height).scale_factor(None)
    }

    fn sized(width: u32, height: u32, inches: f32) -> f32 {
        Panel {
            width,
            height,
            diagonal_inches: Some(inches),
        }
        .scale_factor(None)
    }

    #[test]
    fn the_pis_displays_and_ten_inch_panels_are_drawn_unscaled() {
        assert_eq!(scale(800, 480), 1.0);
        assert_eq!(scale(720, 1280), 1.0);
        assert_eq!(scale(1280, 720), 1.0);
        assert_eq!(scale(1280, 800), 1.0);
        // Their diagonals say the same: 133 and 149 dpi.
        assert_eq!(sized(800, 480, 7.0), 1.0);
        assert_eq!(sized(1280, 800, 10.1), 1.0);
    }

    #[test]
    fn totems_are_scaled_so_their_layout_is_the_portrait_one_larger() {
        assert_eq!(scale(1080, 1920), 1.5);
        assert_eq!(scale(1920, 1080), 1.5);
        assert_eq!(scale(3840, 2160), 3.0);
        // 1080x1920 at 1.5 is 720x1280 logical: the portrait class.
        assert_eq!(DisplayClass::of(1080.0 / 1.5, 1920.0 / 1.5), DisplayClass::Portrait);
        // A 43" totem is coarse (51 dpi): its size, not its density, sets the scale.
        assert_eq!(sized(1080, 1920, 43.0), 1.5);
    }

    #[test]
    fn a_dense_panel_of_known_size_is_scaled_so_targets_keep_their_width() {
        // Touch Display 2 turned: 1280x720 on 7" is 210 dpi; at 1.25 (1024x576 logical) a
        // 60 px target is 9 mm, not 7.
        assert_eq!(sized(1280, 720, 7.0), 1.25);
        // Upright it would be 576 wide, narrower than any layout: drawn as designed.
        assert_eq!(sized(720, 1280, 7.0), 1.0);
        // A 5" 800x480 (187 dpi) would be 1.25, but it would fall to 640x384.
        assert_eq!(sized(800, 480, 5.0), 1.0);
        // Nonsense diagonals are ignored.
        assert_eq!(sized(720, 1280, 0.0), 1.0);
        assert_eq!(sized(720, 1280, f32::NAN), 1.0);
    }

    #[test]
    fn a_requested_scale_wins_unless_it_is_nonsense() {
        let totem = Panel::of_size(1080, 1920);
        assert_eq!(totem.scale_factor(Some(1.25)), 1.25);
        assert_eq!(totem.scale_factor(Some(0.0)), 1.5);
        assert_eq!(totem.scale_factor(Some(f32::NAN)), 1.5);
        assert_eq!(Panel::of_size(800, 480).scale_factor(Some(100.0)), 1.0);
    }

    #[test]
    fn classes_follow_the_shape_and_the_height() {
        assert_eq!(DisplayClass::of(800.0, 480.0), DisplayClass::SmallLandscape);
        assert_eq!(DisplayClass::of(1280.0, 720.0), DisplayClass::Landscape);
        assert_eq!(DisplayClass::of(720.0, 1280.0), DisplayClass::Portrait);
        // Touch Display 2 turned, at 1.25.
        assert_eq!(DisplayClass::of(1024.0, 576.0), DisplayClass::SmallLandscape);
    }

    fn touch(rotation: Rotation, (x, y): (f32, f32)) -> (f32, f32) {
        let m = rotation.touch_matrix();
        (m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5])
    }

    /// The window's corners, and where a picture turned clockwise by `rotation` draws them on
    /// the panel (normalised: (0, 0) top left, (1, 1) bottom right).
    fn corners_drawn(rotation: Rotation) -> [((f32, f32), (f32, f32)); 4] {
        let (tl, tr, br, bl) = ((0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0));
        let panel = match rotation {
            Rotation::None => [tl, tr, br, bl],
            Rotation::Clockwise90 => [tr, br, bl, tl],
            Rotation::Half => [br, bl, tl, tr],
            Rotation::Clockwise270 => [bl, tl, tr, br],
        };
        [(tl, panel[0]), (tr, panel[1]), (br, panel[2]), (bl, panel[3])]
    }

    #[test]
    fn a_touch_lands_where_the_turned_picture_shows_it() {
        for rotation in [
            Rotation::None,
            Rotation::Clockwise90,
            Rotation::Half,
            Rotation::Clockwise270,
        ] {
            for (window, panel) in corners_drawn(rotation) {
                assert_eq!(touch(rotation, panel), window, "{rotation:?}: panel {panel:?}");
            }
        }
    }

    #[test]
    fn a_panel_on_its_side_swaps_the_windows_sides() {
        assert_eq!(Rotation::Clockwise90.window_size(720, 1280), (1280, 720));
        assert_eq!(Rotation::Half.window_size(720, 1280), (720, 1280));
        assert_eq!(Rotation::from_degrees(270), Some(Rotation::Clockwise270));
        assert_eq!(Rotation::from_degrees(45), None);
        assert_eq!(Rotation::Clockwise270.degrees(), 270);
    }
}
