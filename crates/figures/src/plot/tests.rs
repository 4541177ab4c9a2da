//! Rendering tests: determinism, PNG validity, SVG output, errors instead of panics.

use super::demo::{
    histogram as example_histogram, lines as example_lines, scatter as example_scatter,
};
use super::*;
use crate::style::{self, Marker};

#[test]
fn png_renders_are_byte_identical() {
    let p = example_histogram();
    let a = p.png_bytes().unwrap();
    let b = p.png_bytes().unwrap();
    assert_eq!(a, b);
    assert_eq!(png_dimensions(&a).unwrap(), (1200, 900));
}

#[test]
fn png_decodes_with_expected_size() {
    let p = example_scatter();
    let bytes = p.png_bytes().unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(&bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0u8; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (1200, 900));
    assert_eq!(info.color_type, png::ColorType::Rgb);
    // Not blank: some dark pixels (axes, text) and mostly white background.
    let px = &buf[..info.buffer_size()];
    let dark = px.chunks(3).filter(|c| c.iter().all(|&v| v < 60)).count();
    let white = px.chunks(3).filter(|c| c.iter().all(|&v| v == 255)).count();
    assert!(dark > 1000, "{dark} dark pixels");
    assert!(white > px.len() / 3 / 2, "{white} white pixels");
}

#[test]
fn svg_contains_labels_and_font() {
    let svg = example_histogram().svg_string().unwrap();
    assert!(svg.starts_with("<svg"));
    assert!(svg.contains("ρ(x)"));
    assert!(svg.contains("Eq. (11)"));
    assert!(svg.contains(style::FONT_FAMILY));
    assert_eq!(svg, example_histogram().svg_string().unwrap());
}

#[test]
fn render_writes_both_files() {
    let dir = tempfile::tempdir().unwrap();
    let stem = dir.path().join("sub/fig");
    // Writers create no directories (runner::check_output): the caller does.
    assert!(example_lines().render(&stem).is_err());
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let out = example_lines().render(&stem).unwrap();
    assert_eq!(out.png, dir.path().join("sub/fig.png"));
    let png = std::fs::read(&out.png).unwrap();
    assert_eq!(png_dimensions(&png).unwrap(), (1200, 900));
    assert!(std::fs::read_to_string(&out.svg)
        .unwrap()
        .contains("epoch t"));
}

#[test]
fn grid_is_side_by_side() {
    let g = Grid::row(vec![example_histogram().into(), example_scatter().into()]);
    assert_eq!(g.size(), (2400, 900));
    let png = g.png_bytes().unwrap();
    assert_eq!(png_dimensions(&png).unwrap(), (2400, 900));
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let stem = dir.path().join("bad");

    let empty = HistogramPlot::default();
    assert!(empty.render(&stem).is_err());

    let mut h = example_histogram();
    h.series[0].heights[3] = f64::NAN;
    let e = h.render(&stem).unwrap_err();
    assert!(e.to_string().contains("NaN"), "{e}");

    let mut h = example_histogram();
    h.series[0].heights.clear();
    assert!(h.png_bytes().is_err());

    let mut h = example_histogram();
    h.curves[0].y.pop();
    assert!(h.svg_string().is_err());

    let mut h = example_histogram();
    h.axes.x_range = Some((1.0, 1.0));
    assert!(h.png_bytes().is_err());

    let mut h = example_histogram();
    h.axes.vlines.push(VLine::new(f64::INFINITY));
    assert!(h.png_bytes().is_err());

    assert!(HistSeries::from_samples("s", &[], 10, None).is_err());
    assert!(HistSeries::from_samples("s", &[1.0, f64::NAN], 10, None).is_err());

    let mut s = example_scatter();
    s.series[1].yerr = Some(vec![0.1; 2]);
    assert!(s.png_bytes().is_err());
    let mut s = example_scatter();
    s.series[0].yerr = Some(vec![-0.1; 6]);
    assert!(s.png_bytes().is_err());
    let mut s = example_scatter();
    s.series[0].x[0] = f64::NAN;
    assert!(s.png_bytes().is_err());
    assert!(ScatterPlot::default().png_bytes().is_err());

    let mut l = example_lines();
    l.bundles[0].ys[3].pop();
    assert!(l.png_bytes().is_err());
    let mut l = example_lines();
    l.bundles[0].ys[3][7] = f64::NEG_INFINITY;
    assert!(l.png_bytes().is_err());
    assert!(LinePlot::default().png_bytes().is_err());

    let mut p = example_histogram();
    p.axes.theme = p.axes.theme.with_size(0, 0);
    assert!(p.png_bytes().is_err());

    assert!(Grid::row(vec![]).png_bytes().is_err());

    // Nothing was written by any failed render.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn out_of_range_data_is_clipped_not_rejected() {
    let mut h = example_histogram();
    h.axes.x_range = Some((-0.5, 0.5));
    h.axes.y_range = Some((0.0, 0.3));
    h.png_bytes().unwrap();
    let mut s = example_scatter();
    s.axes.x_range = Some((0.1, 0.2));
    s.axes.y_range = Some((0.25, 0.3));
    s.series[0].marker = Some(Marker::OpenSquare);
    s.png_bytes().unwrap();
}

#[test]
fn png_signature_check() {
    assert!(png_dimensions(b"not a png at all, definitely not").is_err());
    assert!(png_dimensions(&[]).is_err());
}
