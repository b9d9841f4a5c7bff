//! The layout checker: walks the element tree of a laid-out window (Slint's item tree, in
//! paint order) and names what a visitor could not see or touch: an interactive element or
//! one marked `must-see` outside the window or clipped by its parents (unless it is inside a
//! `ScrollList` whose "more" cue shows on that side), a touch target under 60 x 60 logical
//! pixels, two touch targets that overlap, a text wider or taller than its box.
//!
//! What is covered by a touch area painted later (a modal's backdrop) cannot be touched or
//! read, so it is left out: only what is on top is judged.

use std::fmt;

use i_slint_core::item_tree::{ItemRc, ParentItemTraversalMode};
use i_slint_core::items::{
    BasicBorderRectangle, BorderRectangle, Clip, ComplexText, Flickable, Rectangle, SimpleText, TextInput, TextWrap,
    TouchArea,
};
use i_slint_core::layout::Orientation;
use i_slint_core::window::WindowInner;
use slint::ComponentHandle;

/// The smallest touch target, in logical pixels (ADA 707 / WCAG 2.5.5 ask for less; a lobby
/// kiosk is touched standing, often in a hurry).
pub(crate) const MIN_TARGET: f32 = 60.0;
/// Rounding in the layout: a pixel's fraction is not a fault.
const SLACK: f32 = 1.0;

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Rect {
    x: f32,
    y: f32,
    w: f32,
    h: f32,
}

impl Rect {
    fn right(self) -> f32 {
        self.x + self.w
    }
    fn bottom(self) -> f32 {
        self.y + self.h
    }
    fn contains(self, o: Rect) -> bool {
        o.x >= self.x - SLACK
            && o.y >= self.y - SLACK
            && o.right() <= self.right() + SLACK
            && o.bottom() <= self.bottom() + SLACK
    }
    fn intersection(self, other: Rect) -> Option<Rect> {
        let left = self.x.max(other.x);
        let top = self.y.max(other.y);
        let width = self.right().min(other.right()) - left;
        let height = self.bottom().min(other.bottom()) - top;
        (width > 0.0 && height > 0.0).then_some(Rect {
            x: left,
            y: top,
            w: width,
            h: height,
        })
    }
    fn overlap_area(self, o: Rect) -> f32 {
        let w = self.right().min(o.right()) - self.x.max(o.x);
        let h = self.bottom().min(o.bottom()) - self.y.max(o.y);
        if w > 0.0 && h > 0.0 { w * h } else { 0.0 }
    }
}

impl fmt::Display for Rect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.0}x{:.0} at ({:.0},{:.0})", self.w, self.h, self.x, self.y)
    }
}

/// What a walked element is, for the rules.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Touch,
    Input,
    Text,
    MustSee,
    /// A mostly opaque background: what it covers, painted before it, cannot be seen.
    Cover,
}

struct Node {
    item: ItemRc,
    kind: Kind,
    rect: Rect,
    /// The element's name for a report: its ids and component names, innermost first.
    name: String,
    /// What its clipping ancestors leave of it; `None` when wholly cut away.
    visible: Option<Rect>,
    /// The nearest `ScrollList` that cuts it, and on which sides.
    scrolled: Option<Scrolled>,
}

struct Scrolled {
    list: ItemRc,
    above: bool,
    below: bool,
}

/// One fault, in words a person can act on.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Fault(pub(crate) String);

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn names(item: &ItemRc) -> Vec<(String, String)> {
    (0..item.element_count().unwrap_or(0))
        .flat_map(|i| item.element_type_names_and_ids(i).unwrap_or_default())
        .map(|(t, id)| (t.to_string(), id.to_string()))
        .collect()
}

fn is_a(item: &ItemRc, component: &str) -> bool {
    names(item).iter().any(|(t, _)| t == component)
}

fn has_id(item: &ItemRc, suffix: &str) -> bool {
    names(item).iter().any(|(_, id)| id.ends_with(suffix))
}

fn describe(item: &ItemRc) -> String {
    let mut parts: Vec<String> = names(item)
        .into_iter()
        .map(|(t, id)| if id.is_empty() { t } else { id })
        .collect();
    let label = item.accessible_string_property(i_slint_core::accessibility::AccessibleStringProperty::Label);
    let mut cur = item.parent_item(ParentItemTraversalMode::StopAtPopups);
    let mut label = label.filter(|l| !l.is_empty());
    // A touch area's label is on the component around it.
    while label.is_none() {
        let Some(p) = cur else { break };
        label = p
            .accessible_string_property(i_slint_core::accessibility::AccessibleStringProperty::Label)
            .filter(|l| !l.is_empty());
        cur = p.parent_item(ParentItemTraversalMode::StopAtPopups);
    }
    if let Some(text) = text_of(item).or(label.map(|l| l.to_string())) {
        parts.push(format!("{:?}", text.chars().take(40).collect::<String>()));
    }
    parts.join(" ")
}

fn text_of(item: &ItemRc) -> Option<String> {
    if let Some(t) = item.downcast::<SimpleText>() {
        return Some(t.as_pin_ref().text().to_string());
    }
    item.downcast::<ComplexText>()
        .map(|t| t.as_pin_ref().text().to_string())
}

fn window_rect(item: &ItemRc) -> Rect {
    let g = item.geometry();
    let p = item.map_to_window(g.origin);
    Rect {
        x: p.x,
        y: p.y,
        w: g.size.width,
        h: g.size.height,
    }
}

/// `None` when the element is hidden (`visible: false` on it or an ancestor).
fn clipped(item: &ItemRc, rect: Rect) -> Option<(Option<Rect>, Option<Scrolled>)> {
    let mut visible = Some(rect);
    let mut scrolled = None;
    let mut cur = item.parent_item(ParentItemTraversalMode::StopAtPopups);
    while let Some(a) = cur {
        if let Some(c) = a.downcast::<Clip>() {
            let c = c.as_pin_ref();
            if c.is_visibility_clip() && c.clip() {
                return None;
            }
        }
        if a.borrow().as_ref().clips_children() {
            let r = window_rect(&a);
            let is_list = a.downcast::<Flickable>().is_some();
            if scrolled.is_none() && is_list && !r.contains(rect) {
                let list = list_of(&a);
                scrolled = list.map(|list| Scrolled {
                    list,
                    above: rect.y < r.y - SLACK,
                    below: rect.bottom() > r.bottom() + SLACK,
                });
            }
            visible = visible.and_then(|v| v.intersection(r));
        }
        cur = a.parent_item(ParentItemTraversalMode::StopAtPopups);
    }
    Some((visible, scrolled))
}

/// The `ScrollList` a flickable belongs to: its cues are the flickable's siblings.
fn list_of(flickable: &ItemRc) -> Option<ItemRc> {
    names(flickable)
        .iter()
        .any(|(_, id)| id == "ScrollList::flick")
        .then(|| flickable.parent_item(ParentItemTraversalMode::StopAtPopups))
        .flatten()
}

fn is_descendant(item: &ItemRc, of: &ItemRc) -> bool {
    let mut cur = item.parent_item(ParentItemTraversalMode::StopAtPopups);
    while let Some(a) = cur {
        if &a == of {
            return true;
        }
        cur = a.parent_item(ParentItemTraversalMode::StopAtPopups);
    }
    false
}

fn kind_of(item: &ItemRc) -> Option<Kind> {
    if let Some(t) = item.downcast::<TouchArea>() {
        return t.as_pin_ref().enabled().then_some(Kind::Touch);
    }
    if item.downcast::<TextInput>().is_some() {
        return Some(Kind::Input);
    }
    if has_id(item, "must-see") {
        return Some(Kind::MustSee);
    }
    if item.downcast::<SimpleText>().is_some() || item.downcast::<ComplexText>().is_some() {
        return Some(Kind::Text);
    }
    // A list's cue lies over its edge on purpose: what it covers is "more", not hidden.
    if is_a(item, "MoreCue") {
        return None;
    }
    let background = if let Some(r) = item.downcast::<Rectangle>() {
        r.as_pin_ref().background()
    } else if let Some(r) = item.downcast::<BasicBorderRectangle>() {
        r.as_pin_ref().background()
    } else if let Some(r) = item.downcast::<BorderRectangle>() {
        r.as_pin_ref().background()
    } else {
        return None;
    };
    (background.color().alpha() >= 128).then_some(Kind::Cover)
}

/// Whether the cue on one side of the list is showing: a visible element under the list with
/// an id ending in `more-above` or `more-below`.
fn cue_showing(list: &ItemRc, id: &str) -> bool {
    let mut found = false;
    list.visit_descendants(|d| {
        if has_id(d, id) && clipped(d, window_rect(d)).is_some_and(|(v, _)| v.is_some()) {
            found = true;
            return std::ops::ControlFlow::Break(());
        }
        std::ops::ControlFlow::Continue(())
    });
    found
}

fn walk(ui: &impl ComponentHandle) -> Vec<Node> {
    let root = ItemRc::new_root(WindowInner::from_pub(ui.window()).component());
    let mut nodes = Vec::new();
    root.visit_descendants(|item| {
        if let Some(kind) = kind_of(item) {
            let rect = window_rect(item);
            let blank = kind == Kind::Text && text_of(item).is_some_and(|t| t.trim().is_empty());
            if let Some((visible, scrolled)) = clipped(item, rect).filter(|_| rect.w > 0.0 && rect.h > 0.0 && !blank) {
                {
                    nodes.push(Node {
                        item: item.clone(),
                        kind,
                        rect,
                        name: describe(item),
                        visible,
                        scrolled,
                    });
                }
            }
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
    nodes
}

/// A text cut by its own box: wider than it on one line, or taller once wrapped.
fn text_fault(item: &ItemRc, rect: Rect) -> Option<String> {
    let wa = item.window_adapter()?;
    let wrap = item
        .downcast::<ComplexText>()
        .map_or(TextWrap::NoWrap, |t| t.as_pin_ref().wrap());
    let layout = |o, cross| item.borrow().as_ref().layout_info(o, cross, &wa, item);
    if wrap == TextWrap::NoWrap {
        let need = layout(Orientation::Horizontal, -1.0).preferred;
        (need > rect.w + SLACK).then(|| format!("needs {need:.0} px wide, has {:.0}", rect.w))
    } else {
        // The longest word must fit the width, and the wrapped lines the height.
        let min_w = layout(Orientation::Horizontal, -1.0).min;
        let need = layout(Orientation::Vertical, rect.w).preferred;
        if min_w > rect.w + SLACK {
            Some(format!("a word needs {min_w:.0} px wide, has {:.0}", rect.w))
        } else {
            (need > rect.h + SLACK).then(|| format!("needs {need:.0} px high wrapped, has {:.0}", rect.h))
        }
    }
}

/// Every fault of the window as laid out now, `width` x `height` logical pixels.
pub(crate) fn faults(ui: &impl ComponentHandle, width: f32, height: f32) -> Vec<Fault> {
    let nodes = walk(ui);
    let window = Rect {
        x: 0.0,
        y: 0.0,
        w: width,
        h: height,
    };
    // On top: not wholly under a cover or a touch area painted after it that is not its own
    // (a modal's backdrop takes the touches and hides what is under it).
    let covers = |n: &Node, m: &Node| {
        matches!(m.kind, Kind::Touch | Kind::Cover)
            && m.visible.is_some_and(|v| v.contains(n.visible.unwrap_or(n.rect)))
            && !is_descendant(&n.item, &m.item)
            && !is_descendant(&m.item, &n.item)
    };
    let on_top: Vec<(usize, &Node)> = nodes
        .iter()
        .enumerate()
        .filter(|(i, n)| n.kind != Kind::Cover && !nodes[i + 1..].iter().any(|m| covers(n, m)))
        .collect();
    let mut faults = Vec::new();
    for &(i, n) in &on_top {
        // Partly under a background painted after it (a button over a code): cut as well. A
        // card wholly inside it (a modal's card on its backdrop) is not.
        if let Some(m) = nodes[i + 1..].iter().find(|m| {
            m.kind == Kind::Cover
                && !is_descendant(&n.item, &m.item)
                && !is_descendant(&m.item, &n.item)
                && m.visible
                    .zip(n.visible)
                    .is_some_and(|(v, w)| v.overlap_area(w) > 4.0 && !w.contains(v))
        }) {
            faults.push(Fault(format!(
                "{} ({}) is partly covered by {} ({})",
                n.name, n.rect, m.name, m.rect
            )));
        }
        let cut = match (&n.visible, &n.scrolled) {
            (_, Some(s)) => {
                let missing: Vec<&str> = [(s.above, "more-above"), (s.below, "more-below")]
                    .into_iter()
                    .filter(|&(cut, id)| cut && !cue_showing(&s.list, id))
                    .map(|(_, id)| id)
                    .collect();
                (!missing.is_empty()).then(|| format!("cut by a list with no {} cue", missing.join("/")))
            }
            (None, None) => Some("hidden by its parents".to_owned()),
            // A text field's own text scrolls inside it: what counts is the box it shows.
            (Some(v), None) if n.kind != Kind::Input && !v.contains(n.rect) => {
                Some(format!("cut to {v} by its parents"))
            }
            _ => None,
        };
        // In a list, what is scrolled away is judged by the list's cue alone.
        let outside = n.scrolled.is_none() && !window.contains(n.visible.unwrap_or(n.rect));
        match n.kind {
            Kind::Touch | Kind::Input | Kind::MustSee => {
                if outside {
                    faults.push(Fault(format!(
                        "{} ({}) is outside the {width:.0}x{height:.0} window",
                        n.name, n.rect
                    )));
                } else if let Some(why) = cut {
                    faults.push(Fault(format!("{} ({}) is {why}", n.name, n.rect)));
                }
            }
            Kind::Cover => {}
            Kind::Text => {
                if n.scrolled.is_none() {
                    if outside && n.visible.is_some() {
                        faults.push(Fault(format!("text {} ({}) is outside the window", n.name, n.rect)));
                    } else if let Some(why) = cut.filter(|_| n.visible.is_some()) {
                        faults.push(Fault(format!("text {} ({}) is {why}", n.name, n.rect)));
                    }
                }
            }
        }
        if matches!(n.kind, Kind::Touch | Kind::Input)
            && (n.rect.w < MIN_TARGET - SLACK || n.rect.h < MIN_TARGET - SLACK)
        {
            faults.push(Fault(format!(
                "{} is a touch target of {} (under {MIN_TARGET} x {MIN_TARGET})",
                n.name, n.rect
            )));
        }
    }
    let targets: Vec<&Node> = on_top
        .iter()
        .map(|&(_, n)| n)
        .filter(|n| n.kind == Kind::Touch && n.visible.is_some())
        .collect();
    for (i, a) in targets.iter().enumerate() {
        for b in &targets[i + 1..] {
            let (va, vb) = (a.visible.unwrap_or(a.rect), b.visible.unwrap_or(b.rect));
            if va.overlap_area(vb) > 4.0 && !va.contains(vb) && !vb.contains(va) {
                faults.push(Fault(format!("{} ({va}) and {} ({vb}) overlap", a.name, b.name)));
            }
        }
    }
    // Last: asking a text for its size at its width can refresh what its layout remembered,
    // and the rules above must judge the window as it was drawn.
    for &(_, n) in &on_top {
        if n.kind == Kind::Text
            && let Some(why) = text_fault(&n.item, n.rect)
        {
            faults.push(Fault(format!("text {} ({}) is cut: {why}", n.name, n.rect)));
        }
    }
    faults
}
