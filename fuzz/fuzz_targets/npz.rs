//! The `.npz` (zip) reader: the central directory, every member (stored or deflated, CRC
//! checked) and the typed accessors; any bytes give values or errors, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(npz) = release_data::Npz::from_bytes("fuzz.npz", data.to_vec()) {
        for key in npz.keys() {
            if let Ok(a) = npz.array(&key) {
                let n: usize = a.shape.iter().product();
                assert_eq!(a.len(), n);
            }
            let _ = npz.f64_scalar(&key);
            let _ = npz.i64_scalar(&key);
            let _ = npz.f64_array(&key);
        }
    }
});
