//! Progress bars: an indicatif bar with an ETA on a terminal, hidden when stderr is not a
//! terminal or `CI` is set ([`crate::Finished::log_line`] is the one line logged instead).

use std::io::IsTerminal;

/// Whether progress bars are off: stderr is not a terminal, or `CI` is set (to anything but
/// an empty string or `false`).
pub fn quiet() -> bool {
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    ci || !std::io::stderr().is_terminal()
}

/// A progress bar of `len` work units labelled `[label]`, with elapsed time and ETA, drawn on
/// stderr only when it is a terminal and `CI` is not set (hidden otherwise).
pub fn progress_bar(label: &str, len: u64) -> indicatif::ProgressBar {
    let target = if quiet() {
        indicatif::ProgressDrawTarget::hidden()
    } else {
        indicatif::ProgressDrawTarget::stderr()
    };
    let bar = indicatif::ProgressBar::with_draw_target(Some(len), target);
    let template =
        format!("[{label}] {{wide_bar}} {{percent:>3}}% {{elapsed_precise}} eta {{eta_precise}}");
    bar.set_style(
        indicatif::ProgressStyle::with_template(&template)
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}
