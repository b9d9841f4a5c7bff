//! eSCL's XML documents: ScannerCapabilities and ScannerStatus read with quick-xml's serde
//! deserializer (which matches elements by local name, so `pwg:` and `scan:` prefixes, whatever
//! a device calls them, do not matter), and ScanSettings written with the prefixes every device
//! expects.

use serde::{Deserialize, Serialize};

pub const PWG_NS: &str = "http://www.pwg.org/schemas/2010/12/sm";
pub const SCAN_NS: &str = "http://schemas.hp.com/imaging/escl/2011/05/03";

/// What a scanner can do, from `GET /eSCL/ScannerCapabilities`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capabilities {
    pub make_and_model: String,
    pub platen: Option<InputCaps>,
    /// The automatic document feeder (its simplex capabilities).
    pub feeder: Option<InputCaps>,
}

/// What one input source can do.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InputCaps {
    /// In 1/300 inch.
    pub max_width: u32,
    pub max_height: u32,
    pub color_modes: Vec<String>,
    pub formats: Vec<String>,
    /// Discrete resolutions, ascending.
    pub resolutions: Vec<u32>,
    /// A resolution range (min, max, step), when the device gives one instead.
    pub resolution_range: Option<(u32, u32, u32)>,
    /// `SupportedIntents`: what the device tunes its scan for (`Document`, `TextAndGraphic`,
    /// `Photo`, `Preview`...); empty when it lists none.
    pub intents: Vec<String>,
}

impl InputCaps {
    /// The resolution to ask for: `wanted` if offered, else the nearest offered above it, else
    /// the highest below it.
    pub fn resolution(&self, wanted: u32) -> Option<u32> {
        if let Some((min, max, step)) = self.resolution_range {
            // In u64: a device's range may be anything up to u32::MAX, and a step of the grid
            // past `max` is not offered (the highest step at or below it is).
            let (min, max, step) = (u64::from(min), u64::from(max.max(min)), u64::from(step.max(1)));
            let clamped = u64::from(wanted).clamp(min, max);
            let up = min + (clamped - min).div_ceil(step) * step;
            let top = min + (max - min) / step * step;
            return u32::try_from(up.min(top)).ok();
        }
        self.resolutions
            .iter()
            .copied()
            .find(|&r| r >= wanted)
            .or_else(|| self.resolutions.last().copied())
    }

    /// The intent to ask for, among those the device lists: for a document page in grey,
    /// `Document` or else `TextAndGraphic`; in colour (an identity document's photo), `Photo`,
    /// `TextAndGraphic` or `Document`. `None` (no Intent sent, which eSCL allows) when it lists
    /// none of them: a device need not advertise `Document`, and a strict one refuses a job
    /// asking for what it did not list.
    pub fn intent(&self, color: bool) -> Option<&'static str> {
        let wished: &[&'static str] = if color {
            &["Photo", "TextAndGraphic", "Document"]
        } else {
            &["Document", "TextAndGraphic"]
        };
        wished.iter().copied().find(|w| self.intents.iter().any(|i| i == w))
    }

    pub fn has_color_mode(&self, mode: &str) -> bool {
        self.color_modes.iter().any(|m| m == mode)
    }

    pub fn has_format(&self, format: &str) -> bool {
        self.formats.iter().any(|f| f.eq_ignore_ascii_case(format))
    }
}

/// The scanner's state, from `GET /eSCL/ScannerStatus`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// `Idle`, `Processing`, `Testing`, `Stopped` or `Down`.
    pub state: String,
    /// `ScannerAdfLoaded`, `ScannerAdfEmpty`, `ScannerAdfJam`, ... when the device has a feeder.
    pub adf_state: Option<String>,
    pub jobs: Vec<JobInfo>,
}

impl Status {
    pub fn feeder_loaded(&self) -> bool {
        self.adf_state.as_deref() == Some("ScannerAdfLoaded")
    }

    /// Whether the feeder reports a jam or a misfeed (the names eSCL devices use).
    pub fn feeder_jammed(&self) -> bool {
        self.adf_state
            .as_deref()
            .is_some_and(|s| s.contains("Jam") || s.contains("Mispick") || s.contains("Multipick"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobInfo {
    pub uri: String,
    pub state: String,
    pub reasons: Vec<String>,
}

// ---- What the documents look like (local names) ----

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CapsDoc {
    #[serde(default)]
    make_and_model: String,
    platen: Option<PlatenDoc>,
    adf: Option<AdfDoc>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PlatenDoc {
    platen_input_caps: Option<InputCapsDoc>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AdfDoc {
    adf_simplex_input_caps: Option<InputCapsDoc>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct InputCapsDoc {
    #[serde(default)]
    max_width: u32,
    #[serde(default)]
    max_height: u32,
    setting_profiles: Option<SettingProfiles>,
    supported_intents: Option<SupportedIntents>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SupportedIntents {
    #[serde(default)]
    supported_intent: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SettingProfiles {
    #[serde(default)]
    setting_profile: Vec<SettingProfile>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SettingProfile {
    color_modes: Option<ColorModes>,
    document_formats: Option<DocumentFormats>,
    supported_resolutions: Option<SupportedResolutions>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ColorModes {
    #[serde(default)]
    color_mode: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DocumentFormats {
    #[serde(default)]
    document_format: Vec<String>,
    #[serde(default)]
    document_format_ext: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SupportedResolutions {
    discrete_resolutions: Option<DiscreteResolutions>,
    resolution_range: Option<ResolutionRange>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DiscreteResolutions {
    #[serde(default)]
    discrete_resolution: Vec<DiscreteResolution>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DiscreteResolution {
    x_resolution: u32,
    y_resolution: u32,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ResolutionRange {
    x_resolution_range: Range,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Range {
    min: u32,
    max: u32,
    #[serde(default)]
    step: u32,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StatusDoc {
    state: String,
    adf_state: Option<String>,
    jobs: Option<JobsDoc>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct JobsDoc {
    #[serde(default)]
    job_info: Vec<JobInfoDoc>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[allow(clippy::struct_field_names)] // eSCL's names
struct JobInfoDoc {
    #[serde(default)]
    job_uri: String,
    #[serde(default)]
    job_state: String,
    job_state_reasons: Option<JobStateReasons>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct JobStateReasons {
    #[serde(default)]
    job_state_reason: Vec<String>,
}

/// A document that is not what eSCL says it should be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what}: {reason}")]
pub struct XmlError {
    pub what: &'static str,
    pub reason: String,
}

fn input_caps(doc: InputCapsDoc) -> InputCaps {
    let mut caps = InputCaps {
        max_width: doc.max_width,
        max_height: doc.max_height,
        intents: doc
            .supported_intents
            .map(|i| i.supported_intent.into_iter().map(|i| i.trim().to_owned()).collect())
            .unwrap_or_default(),
        ..InputCaps::default()
    };
    for profile in doc.setting_profiles.map(|p| p.setting_profile).unwrap_or_default() {
        for mode in profile.color_modes.map(|m| m.color_mode).unwrap_or_default() {
            if !caps.color_modes.contains(&mode) {
                caps.color_modes.push(mode);
            }
        }
        if let Some(formats) = profile.document_formats {
            for f in formats.document_format.into_iter().chain(formats.document_format_ext) {
                if !caps.formats.contains(&f) {
                    caps.formats.push(f);
                }
            }
        }
        if let Some(res) = profile.supported_resolutions {
            for r in res
                .discrete_resolutions
                .map(|d| d.discrete_resolution)
                .unwrap_or_default()
            {
                // Square resolutions only: the kiosk scans documents, not fax-style pages.
                if r.x_resolution == r.y_resolution
                    && r.x_resolution >= 50
                    && !caps.resolutions.contains(&r.x_resolution)
                {
                    caps.resolutions.push(r.x_resolution);
                }
            }
            if let Some(range) = res.resolution_range {
                let r = range.x_resolution_range;
                caps.resolution_range = Some((r.min, r.max, r.step));
            }
        }
    }
    caps.resolutions.sort_unstable();
    caps
}

/// Reads a ScannerCapabilities document.
pub fn parse_capabilities(text: &str) -> Result<Capabilities, XmlError> {
    let doc: CapsDoc = quick_xml::de::from_str(text).map_err(|e| XmlError {
        what: "ScannerCapabilities",
        reason: e.to_string(),
    })?;
    let caps = Capabilities {
        make_and_model: doc.make_and_model.trim().to_owned(),
        platen: doc.platen.and_then(|p| p.platen_input_caps).map(input_caps),
        feeder: doc.adf.and_then(|a| a.adf_simplex_input_caps).map(input_caps),
    };
    if caps.platen.is_none() && caps.feeder.is_none() {
        return Err(XmlError {
            what: "ScannerCapabilities",
            reason: "neither a platen nor a feeder".into(),
        });
    }
    Ok(caps)
}

/// Reads a ScannerStatus document.
pub fn parse_status(text: &str) -> Result<Status, XmlError> {
    let doc: StatusDoc = quick_xml::de::from_str(text).map_err(|e| XmlError {
        what: "ScannerStatus",
        reason: e.to_string(),
    })?;
    Ok(Status {
        state: doc.state.trim().to_owned(),
        adf_state: doc.adf_state.map(|s| s.trim().to_owned()),
        jobs: doc
            .jobs
            .map(|j| j.job_info)
            .unwrap_or_default()
            .into_iter()
            .map(|j| JobInfo {
                uri: j.job_uri,
                state: j.job_state,
                reasons: j.job_state_reasons.map(|r| r.job_state_reason).unwrap_or_default(),
            })
            .collect(),
    })
}

// ---- ScanSettings, written ----

/// A scan job's settings, as `POST /eSCL/ScanJobs` takes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanSettings {
    /// `Platen` or `Feeder`.
    pub input_source: &'static str,
    /// `Grayscale8` or `RGB24`.
    pub color_mode: &'static str,
    pub dpi: u32,
    /// In 1/300 inch.
    pub width: u32,
    pub height: u32,
    pub format: &'static str,
    /// One the device listed ([`InputCaps::intent`]), or none.
    pub intent: Option<&'static str>,
}

#[derive(Debug, Serialize)]
#[serde(rename = "scan:ScanSettings")]
struct SettingsDoc<'a> {
    #[serde(rename = "@xmlns:pwg")]
    pwg: &'static str,
    #[serde(rename = "@xmlns:scan")]
    scan: &'static str,
    #[serde(rename = "pwg:Version")]
    version: &'static str,
    #[serde(rename = "pwg:ScanRegions")]
    regions: RegionsDoc,
    #[serde(rename = "pwg:InputSource")]
    input_source: &'a str,
    #[serde(rename = "scan:ColorMode")]
    color_mode: &'a str,
    #[serde(rename = "pwg:DocumentFormat")]
    format: &'a str,
    #[serde(rename = "scan:XResolution")]
    x_resolution: u32,
    #[serde(rename = "scan:YResolution")]
    y_resolution: u32,
    #[serde(rename = "scan:Intent", skip_serializing_if = "Option::is_none")]
    intent: Option<&'static str>,
}

#[derive(Debug, Serialize)]
struct RegionsDoc {
    #[serde(rename = "pwg:ScanRegion")]
    region: RegionDoc,
}

#[derive(Debug, Serialize)]
struct RegionDoc {
    #[serde(rename = "pwg:ContentRegionUnits")]
    units: &'static str,
    #[serde(rename = "pwg:XOffset")]
    x: u32,
    #[serde(rename = "pwg:YOffset")]
    y: u32,
    #[serde(rename = "pwg:Width")]
    width: u32,
    #[serde(rename = "pwg:Height")]
    height: u32,
}

impl ScanSettings {
    /// The XML body of `POST /eSCL/ScanJobs`.
    pub fn to_xml(&self) -> String {
        let doc = SettingsDoc {
            pwg: PWG_NS,
            scan: SCAN_NS,
            version: "2.0",
            regions: RegionsDoc {
                region: RegionDoc {
                    units: "escl:ThreeHundredthsOfInches",
                    x: 0,
                    y: 0,
                    width: self.width,
                    height: self.height,
                },
            },
            input_source: self.input_source,
            color_mode: self.color_mode,
            format: self.format,
            x_resolution: self.dpi,
            y_resolution: self.dpi,
            intent: self.intent,
        };
        let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        // Serialising plain strings and numbers into a String cannot fail.
        if let Err(e) = quick_xml::se::to_writer(&mut xml, &doc) {
            unreachable!("ScanSettings serialise: {e}");
        }
        xml
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn reads_airsanes_capabilities_from_the_transcript() {
        let trace = include_str!("../../tests/fixtures/airsane-adf-10-pages.trace.log");
        let start = trace.find("<scan:ScannerCapabilities").unwrap();
        let end = trace.find("</scan:ScannerCapabilities>").unwrap() + "</scan:ScannerCapabilities>".len();
        let caps = parse_capabilities(&trace[start..end]).unwrap();
        assert_eq!(caps.make_and_model, "Noname frontend-tester");
        let feeder = caps.feeder.unwrap();
        assert_eq!(feeder.max_width, 2362);
        assert_eq!(feeder.resolutions, vec![75, 150, 300, 600, 1200]);
        assert!(feeder.has_color_mode("Grayscale8") && feeder.has_color_mode("RGB24"));
        assert!(feeder.has_format("image/jpeg") && feeder.has_format("image/png"));
        assert!(caps.platen.is_some());
    }

    #[test]
    fn picks_the_nearest_offered_resolution_at_or_above_the_wish() {
        let caps = InputCaps {
            resolutions: vec![75, 150, 600],
            ..InputCaps::default()
        };
        assert_eq!(caps.resolution(300), Some(600));
        assert_eq!(caps.resolution(150), Some(150));
        assert_eq!(caps.resolution(1200), Some(600));
        let range = InputCaps {
            resolution_range: Some((100, 600, 50)),
            ..InputCaps::default()
        };
        assert_eq!(range.resolution(300), Some(300));
        assert_eq!(range.resolution(320), Some(350));
        assert_eq!(range.resolution(2000), Some(600));
        assert_eq!(InputCaps::default().resolution(300), None);
        // A maximum off the grid: the highest step under it, never a value the device lacks.
        let off_grid = InputCaps {
            resolution_range: Some((100, 620, 50)),
            ..InputCaps::default()
        };
        assert_eq!(off_grid.resolution(610), Some(600));
    }

    #[test]
    fn a_device_range_at_the_edge_of_u32_does_not_overflow() {
        for range in [
            (0, u32::MAX, u32::MAX - 1),
            (u32::MAX - 1, u32::MAX, 3),
            (5, 0, 0),
            (1, u32::MAX, 2),
        ] {
            let caps = InputCaps {
                resolution_range: Some(range),
                ..InputCaps::default()
            };
            for wanted in [0, 300, u32::MAX] {
                let r = caps.resolution(wanted).unwrap();
                assert!(r >= range.0 && r <= range.1.max(range.0), "{range:?} {wanted} -> {r}");
            }
        }
    }

    #[test]
    fn reads_a_status_with_a_finished_job() {
        let status = parse_status(
            r#"<scan:ScannerStatus xmlns:pwg="p" xmlns:scan="s"><pwg:Version>2.0</pwg:Version>
            <pwg:State>Idle</pwg:State><scan:AdfState>ScannerAdfEmpty</scan:AdfState>
            <scan:Jobs><scan:JobInfo><pwg:JobUri>/eSCL/ScanJobs/1</pwg:JobUri><pwg:JobState>Completed</pwg:JobState>
            <pwg:JobStateReasons><pwg:JobStateReason>JobCompletedSuccessfully</pwg:JobStateReason></pwg:JobStateReasons>
            </scan:JobInfo></scan:Jobs></scan:ScannerStatus>"#,
        )
        .unwrap();
        assert_eq!(status.state, "Idle");
        assert!(!status.feeder_loaded() && !status.feeder_jammed());
        assert_eq!(status.jobs[0].reasons, vec!["JobCompletedSuccessfully".to_owned()]);
    }

    #[test]
    fn rejects_documents_that_are_not_escl() {
        assert!(parse_status("<html>nope</html>").is_err());
        assert!(parse_status("not xml at all <").is_err());
        assert!(parse_capabilities("<scan:ScannerCapabilities xmlns:scan=\"s\"/>").is_err());
    }

    #[test]
    fn writes_settings_with_the_prefixes_devices_expect() {
        let xml = ScanSettings {
            input_source: "Feeder",
            color_mode: "Grayscale8",
            dpi: 300,
            width: 2550,
            height: 3508,
            format: "image/jpeg",
            intent: Some("TextAndGraphic"),
        }
        .to_xml();
        for part in [
            "<scan:ScanSettings xmlns:pwg=\"http://www.pwg.org/schemas/2010/12/sm\"",
            "<pwg:InputSource>Feeder</pwg:InputSource>",
            "<scan:XResolution>300</scan:XResolution>",
            "<pwg:Width>2550</pwg:Width>",
            "<pwg:ContentRegionUnits>escl:ThreeHundredthsOfInches</pwg:ContentRegionUnits>",
            "<scan:Intent>TextAndGraphic</scan:Intent>",
        ] {
            assert!(xml.contains(part), "{part} missing from {xml}");
        }
        let without = ScanSettings {
            input_source: "Platen",
            color_mode: "Grayscale8",
            dpi: 300,
            width: 2550,
            height: 3508,
            format: "image/jpeg",
            intent: None,
        }
        .to_xml();
        assert!(!without.contains("Intent"), "{without}");
    }

    #[test]
    fn asks_only_for_an_intent_the_device_lists() {
        let airsane = InputCaps {
            intents: vec!["Preview".into(), "TextAndGraphic".into(), "Photo".into()],
            ..InputCaps::default()
        };
        assert_eq!(airsane.intent(false), Some("TextAndGraphic"));
        assert_eq!(airsane.intent(true), Some("Photo"));
        let documents = InputCaps {
            intents: vec!["Document".into(), "Photo".into()],
            ..InputCaps::default()
        };
        assert_eq!(documents.intent(false), Some("Document"));
        assert_eq!(InputCaps::default().intent(false), None);
        let preview_only = InputCaps {
            intents: vec!["Preview".into()],
            ..InputCaps::default()
        };
        assert_eq!(preview_only.intent(true), None);
    }
}
