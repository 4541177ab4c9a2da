//! Render the example plots (synthetic data) to look at the style:
//! `cargo run -p figures --example gallery -- /tmp/gallery`.

#![forbid(unsafe_code)]

use std::path::PathBuf;

use figures::plot::{demo, Grid, Plot};

fn main() -> anyhow::Result<()> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "target/gallery".into()),
    );
    let h = demo::histogram();
    let s = demo::scatter();
    let l = demo::lines();
    for (name, out) in [
        ("histogram", h.render(&dir.join("histogram"))?),
        ("scatter", s.render(&dir.join("scatter"))?),
        ("lines", l.render(&dir.join("lines"))?),
        (
            "grid",
            Grid::row(vec![h.into(), s.into()]).render(&dir.join("grid"))?,
        ),
    ] {
        println!("{name}: {} {}", out.png.display(), out.svg.display());
    }
    Ok(())
}
