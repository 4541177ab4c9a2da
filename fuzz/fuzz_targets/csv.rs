//! The CSV table parser (spectra or flattened matrices): any bytes give a rectangular table of
//! finite numbers or an error naming the line and column, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(t) = release_data::table::parse_csv("fuzz.csv", data) {
        assert_eq!(t.data.len(), t.rows * t.cols);
        assert!(t.rows > 0 && t.cols > 0);
        assert!(t.data.iter().all(|v| v.is_finite()));
    }
});
