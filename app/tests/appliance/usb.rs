//! A visitor's USB devices, plugged into the running appliance through QEMU's xHCI controller
//! (images/qemu/run.sh): a USB stick gets no driver (its interface stays unauthorized, no block
//! device appears) and a keyboard reaches nothing (libinput, and so the kiosk, ignores it).

use std::path::Path;

use kiosk_tests::qemu::{Channel, Qmp};
use serde_json::json;

use super::guest;

/// Plugs a keyboard and a USB stick in, checks what they got, and unplugs them.
pub(crate) fn a_visitors_usb_devices_get_nowhere(ch: &mut Channel, qmp: &mut Qmp, ev: &Path) {
    let since = guest(ch, "date +%s").trim().to_owned();
    for (driver, id, extra) in [
        ("usb-kbd", "lobby-kbd", json!({})),
        ("usb-storage", "lobby-stick", json!({"drive": "lobbystick"})),
    ] {
        let mut args = json!({"driver": driver, "id": id, "bus": "xhci.0"});
        if let (Some(a), Some(e)) = (args.as_object_mut(), extra.as_object()) {
            a.extend(e.clone());
        }
        qmp.execute("device_add", &args)
            .unwrap_or_else(|e| panic!("device_add {driver}: {e}"));
    }
    // Each interface of each USB device, its class and whether it may have a driver, once udev
    // has handled the plugging.
    let said = guest(
        ch,
        "for i in $(seq 50); do n=$(ls -d /sys/bus/usb/devices/*-[1-9]*:* 2>/dev/null | wc -l); [ \"$n\" -ge 2 ] && break; \
         udevadm settle -t 1 >/dev/null 2>&1; done; udevadm settle -t 30 >/dev/null 2>&1; \
         for i in /sys/bus/usb/devices/*-[1-9]*:*; do echo \"$(cat $i/bInterfaceClass) $(cat $i/authorized) $(basename $(readlink $i/driver 2>/dev/null) 2>/dev/null)\"; done | sort",
    );
    let interfaces: Vec<&str> = said.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    assert_eq!(
        interfaces,
        ["03 1 usbhid", "08 0"],
        "the keyboard's HID interface bound, the stick's mass storage refused (class authorized driver)"
    );
    let disks = guest(ch, "ls /dev/sd* 2>/dev/null; true");
    assert!(disks.trim().is_empty(), "the USB stick is a disk: {disks}");
    let keyboard = guest(
        ch,
        "for e in /dev/input/event*; do p=$(udevadm info -q property $e); \
         echo \"$p\" | grep -q '^ID_INPUT_KEYBOARD=1' && echo \"$p\" | grep -E '^(NAME|ID_MODEL|LIBINPUT_IGNORE_DEVICE)='; done; true",
    );
    assert!(
        keyboard.lines().any(|l| l.trim() == "LIBINPUT_IGNORE_DEVICE=1"),
        "the keyboard reaches libinput:\n{keyboard}"
    );
    // The kiosk names every input device libinput gives it (app/src/shell/display.rs): none since
    // the plugging may be the keyboard.
    let kiosk_saw = guest(
        ch,
        &format!(
            "journalctl -u citas-kiosk --since @{since} --no-pager -o verbose | grep -E '^ +(MESSAGE|F_DEVICE|F_SYSNAME|F_CAPABILITIES)='; true"
        ),
    );
    assert!(
        !kiosk_saw.contains("Keyboard") && !kiosk_saw.contains("\"keyboard\""),
        "the kiosk reads the plugged keyboard:\n{kiosk_saw}"
    );
    std::fs::write(
        ev.join("usb-plugged.txt"),
        format!(
            "interfaces (class authorized driver):\n{said}\nkeyboard:\n{keyboard}\nthe kiosk's log since:\n{kiosk_saw}"
        ),
    )
    .unwrap();
    for id in ["lobby-kbd", "lobby-stick"] {
        qmp.execute("device_del", &json!({"id": id}))
            .unwrap_or_else(|e| panic!("device_del {id}: {e}"));
    }
}
