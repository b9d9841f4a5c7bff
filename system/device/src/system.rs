//! Which system the kiosk runs: the image's name and version (`/etc/os-release`) and the RAUC
//! slot it booted (`rauc.slot=` on the kernel's command line, put there by U-Boot's script).
//! The health report and the heartbeat carry them, so staff and the fleet's server see which
//! kiosks run an update and which went back to the previous system.

use std::borrow::Cow;
use std::collections::HashMap;

/// The running system.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct System {
    /// `PRETTY_NAME` of os-release (`Citas SRE kiosk 1.0 (wrynose)`), or `NAME VERSION_ID`.
    pub name: Option<String>,
    /// `A` or `B`; `None` off the kiosk's image.
    pub slot: Option<String>,
}

impl System {
    pub fn of_this_machine() -> System {
        System {
            name: rs_release::get_os_release().ok().and_then(|v| name_of(&v)),
            slot: std::fs::read_to_string("/proc/cmdline")
                .ok()
                .and_then(|c| booted_slot(&c)),
        }
    }
}

fn name_of(v: &HashMap<Cow<'static, str>, String>) -> Option<String> {
    let get = |k: &str| v.get(k).map(|s| s.trim()).filter(|s| !s.is_empty());
    get("PRETTY_NAME").map(str::to_owned).or_else(|| {
        let name = get("NAME")?;
        Some(get("VERSION_ID").map_or_else(|| name.to_owned(), |version| format!("{name} {version}")))
    })
}

/// The slot RAUC booted, from the kernel's command line.
pub fn booted_slot(cmdline: &str) -> Option<String> {
    cmdline
        .split_whitespace()
        .find_map(|arg| arg.strip_prefix("rauc.slot="))
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn names_the_image_from_os_release() {
        let yocto = "ID=citas\nNAME=\"Citas SRE kiosk\"\nVERSION=\"1.0 (wrynose)\"\nVERSION_ID=1.0\n\
                     PRETTY_NAME=\"Citas SRE kiosk 1.0 (wrynose)\"\n";
        let v = rs_release::parse_os_release_str(yocto).unwrap();
        assert_eq!(name_of(&v).as_deref(), Some("Citas SRE kiosk 1.0 (wrynose)"));
        let v = rs_release::parse_os_release_str("NAME=Citas\nVERSION_ID='1.1'\n").unwrap();
        assert_eq!(name_of(&v).as_deref(), Some("Citas 1.1"));
        let v = rs_release::parse_os_release_str("ID=citas\n").unwrap();
        assert_eq!(name_of(&v), None);
    }

    #[test]
    fn finds_the_booted_slot_on_the_kernel_command_line() {
        let cmdline = "coherent_pool=1M 8250.nr_uarts=0 console=tty1 rootwait root=/dev/mmcblk0p3 \
                       rootfstype=ext4 rootwait ro rauc.slot=B\n";
        assert_eq!(booted_slot(cmdline).as_deref(), Some("B"));
        assert_eq!(booted_slot("root=/dev/sda1 quiet"), None);
        assert_eq!(booted_slot("rauc.slot= quiet"), None);
    }
}
