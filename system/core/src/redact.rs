//! Personal data out of text that leaves the visit: log lines and support exports. The kiosk
//! never logs a visitor's data on purpose; this is the net under that rule, for what a library
//! or a server's error message might carry (a request URL with a CURP in it, an address echoed
//! back). CURPs, e-mail addresses and phone numbers are replaced by a tag.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

static PATTERNS: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    [
        // A CURP: 4 letters, 6 digits, the sex, 5 letters, a letter or digit, a digit.
        (r"(?i)\b[A-Z]{4}\d{6}[HMX][A-Z]{5}[A-Z0-9]\d\b", "[curp]"),
        (r"(?i)[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,}", "[email]"),
        // Ten digits or more, possibly with +, spaces, dots, dashes or brackets between; not
        // digits inside a longer word (a UUID's hex groups, a hash).
        (r"(?:\+|\b)\(?\d(?:[\s.()-]{0,2}\d){9,14}\b", "[phone]"),
    ]
    .into_iter()
    .filter_map(|(p, tag)| Regex::new(p).ok().map(|r| (r, tag)))
    .collect()
});

/// `text` with every CURP, e-mail address and phone number replaced by `[curp]`, `[email]`
/// and `[phone]`; borrowed when there is none.
pub fn redact(text: &str) -> Cow<'_, str> {
    let mut out = Cow::Borrowed(text);
    for (re, tag) in PATTERNS.iter() {
        if re.is_match(&out) {
            out = Cow::Owned(re.replace_all(&out, *tag).into_owned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hides_curps_emails_and_phones_in_a_log_line() {
        let line = "GET http://h/v1/curp/GODE561231HDFRRN00 failed for ana.lopez@example.com, call +1 (213) 351-6800";
        assert_eq!(
            redact(line),
            "GET http://h/v1/curp/[curp] failed for [email], call [phone]"
        );
        assert_eq!(redact("tel 2133516800 ok"), "tel [phone] ok");
    }

    #[test]
    fn leaves_uuids_and_hashes_alone_but_not_phones_written_with_brackets() {
        let job = "job=http://127.0.0.1:41595/eSCL/ScanJobs/a23069a8-ab21-43e6-a928-b329ce04f1ee";
        assert_eq!(redact(job), job);
        assert_eq!(redact("call +1 (213) 351-6800 now"), "call [phone] now");
        assert_eq!(redact("tel:(213) 351-6800"), "tel:([phone]");
    }

    #[test]
    fn leaves_ordinary_lines_alone() {
        let line = "outbox=5f3a delivered in 120 ms; slot LAX-2026-12-03T18:30 booked; job 12 printed 934 bytes";
        assert!(matches!(redact(line), Cow::Borrowed(_)));
        assert_eq!(redact("2026-11-28T18:00:00.123Z"), "2026-11-28T18:00:00.123Z");
    }
}
