//! The stand-alone `.npy` parser: any bytes give an array or an error, never a panic, a hang or
//! an allocation beyond the input's size.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(a) = release_data::npy_from_bytes("fuzz.npy", data) {
        // The decoded array is consistent with its shape.
        let n: usize = a.shape.iter().product();
        assert_eq!(a.len(), n);
        let _ = a.to_f64_vec();
    }
});
