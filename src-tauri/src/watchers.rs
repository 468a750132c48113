//! Locking when the session does: the system going to sleep or the screen
//! locking, as the platform reports them over D-Bus.

use std::time::Duration;

use tauri::AppHandle;

use crate::lifecycle::lock_now;

/// Locks when the system goes to sleep (logind) or the screen locks (the
/// freedesktop and GNOME screensavers), where the platform reports it over D-Bus.
pub(crate) fn watch_sleep_and_screen_lock(app: AppHandle) {
    use dbus::blocking::Connection;
    use dbus::message::MatchRule;
    let system = app.clone();
    std::thread::spawn(move || {
        let Ok(conn) = Connection::new_system() else { return };
        let rule = MatchRule::new_signal("org.freedesktop.login1.Manager", "PrepareForSleep");
        if conn
            .add_match(rule, move |(sleeping,): (bool,), _, _| {
                if sleeping {
                    lock_now(&system);
                }
                true
            })
            .is_err()
        {
            return;
        }
        loop {
            let _ = conn.process(Duration::from_secs(3600));
        }
    });
    std::thread::spawn(move || {
        let Ok(conn) = Connection::new_session() else { return };
        for iface in ["org.freedesktop.ScreenSaver", "org.gnome.ScreenSaver"] {
            let app = app.clone();
            let rule = MatchRule::new_signal(iface, "ActiveChanged");
            let _ = conn.add_match(rule, move |(active,): (bool,), _, _| {
                if active {
                    lock_now(&app);
                }
                true
            });
        }
        loop {
            let _ = conn.process(Duration::from_secs(3600));
        }
    });
}
