//! Property tests of the parsers: writer → reader round trips for random shapes, dtypes, orders
//! and format versions (stand-alone `.npy`, inside `.npz`, and CSV); arbitrary bytes and every
//! truncation of a valid file give an error, never a panic.

#![forbid(unsafe_code)]

use proptest::prelude::*;
use release_data::table::parse_csv;
use release_data::write::{encode_npy, NpzWriter};
use release_data::{npy_from_bytes, Npz};

const DTYPES: [&str; 16] = [
    "<f8", ">f8", "<f4", ">f4", "<f2", ">f2", "|i1", "<i2", ">i4", "<i8", "|u1", "<u2", ">u4",
    "<u8", "<i4", ">i8",
];

fn shape_and_values() -> impl Strategy<Value = (Vec<usize>, Vec<i32>)> {
    proptest::collection::vec(0usize..5, 0..5).prop_flat_map(|shape| {
        let n: usize = shape.iter().product();
        (Just(shape), proptest::collection::vec(0i32..100, n))
    })
}

/// Values exactly representable in every dtype of [`DTYPES`] (f2 has 11 significant bits).
fn value(k: i32, descr: &str) -> f64 {
    if descr.as_bytes()[1] == b'f' {
        k as f64 / 4.0 - 12.0
    } else {
        k as f64
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn npy_round_trips((shape, ks) in shape_and_values(), d in 0usize..DTYPES.len(),
                       fortran in any::<bool>(), version in 1u8..4) {
        let descr = DTYPES[d];
        let vals: Vec<f64> = ks.iter().map(|&k| value(k, descr)).collect();
        let bytes = encode_npy(version, descr, fortran, &shape, &vals).unwrap();
        let a = npy_from_bytes("p.npy", &bytes).unwrap();
        prop_assert_eq!(&a.shape, &shape);
        prop_assert_eq!(a.fortran_order, fortran);
        prop_assert_eq!(a.to_f64_vec(), vals.clone());
        // The same member inside an archive.
        let mut w = NpzWriter::new();
        w.add_raw("W.npy", bytes.clone());
        let npz = Npz::from_bytes("p.npz", w.to_bytes()).unwrap();
        prop_assert_eq!(npz.array("W").unwrap().to_f64_vec(), vals);
        // Every truncation is an error naming the file.
        for cut in 0..bytes.len() {
            let e = npy_from_bytes("p.npy", &bytes[..cut]).unwrap_err().to_string();
            prop_assert!(e.starts_with("p.npy: "), "{}", e);
        }
    }

    #[test]
    fn npz_truncations_and_corruptions_never_panic(cut in 0usize..4000, pos in 0usize..4000,
                                                   byte in any::<u8>()) {
        let vals: Vec<f64> = (0..24).map(|k| k as f64).collect();
        let mut w = NpzWriter::new();
        w.add_f64("W", &[2, 3, 4], &vals, true).add_i64("batch_size", &[], &[16], false);
        let good = w.to_bytes();
        let c = cut % good.len();
        match Npz::from_bytes("t.npz", good[..c].to_vec()) {
            Err(e) => prop_assert!(e.to_string().starts_with("t.npz: ")),
            Ok(n) => prop_assert!(n.array("W").is_err()),
        }
        let mut bad = good.clone();
        bad[pos % good.len()] = byte;
        if let Ok(n) = Npz::from_bytes("t.npz", bad) {
            let _ = n.array("W");
            let _ = n.i64_scalar("batch_size");
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = npy_from_bytes("a.npy", &bytes);
        if let Ok(n) = Npz::from_bytes("a.npz", bytes.clone()) {
            for k in n.keys() {
                let _ = n.array(&k);
            }
        }
        let _ = parse_csv("a.csv", &bytes);
        // The same bytes behind a valid .npy magic and header length.
        let mut npy = b"\x93NUMPY\x01\x00".to_vec();
        npy.extend_from_slice(&(bytes.len().min(200) as u16).to_le_bytes());
        npy.extend_from_slice(&bytes);
        let _ = npy_from_bytes("b.npy", &npy);
    }

    #[test]
    fn csv_round_trips(rows in 1usize..30, cols in 1usize..8, header in any::<bool>(),
                       index in any::<bool>(), seed in any::<u64>()) {
        let mut s = seed;
        let mut next = || {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((s >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 1e3
        };
        let data: Vec<f64> = (0..rows * cols).map(|_| next()).collect();
        let mut text = String::new();
        if header {
            let mut h: Vec<String> = (1..=cols).map(|c| format!("lambda{c}")).collect();
            if index {
                h.insert(0, "realisation".into());
            }
            text.push_str(&h.join(","));
            text.push('\n');
        }
        for r in 0..rows {
            let mut f: Vec<String> = data[r * cols..(r + 1) * cols].iter().map(|v| format!("{v:?}")).collect();
            if header && index {
                f.insert(0, r.to_string());
            }
            text.push_str(&f.join(","));
            text.push('\n');
        }
        let t = parse_csv("r.csv", text.as_bytes()).unwrap();
        prop_assert_eq!((t.rows, t.cols), (rows, cols));
        prop_assert_eq!(t.index_column.is_some(), header && index);
        prop_assert_eq!(t.data, data);
        // Every truncation parses or errors, never panics.
        for cut in 0..text.len() {
            let _ = parse_csv("r.csv", &text.as_bytes()[..cut]);
        }
    }
}

#[test]
fn absurd_sizes_are_rejected_before_allocation() {
    // 10^15 elements announced, 16 bytes present.
    let payload = [0u8; 16];
    let bytes = release_data::write::npy_bytes("<f8", false, &[1_000_000_000_000_000], &payload);
    let e = npy_from_bytes("big.npy", &bytes).unwrap_err().to_string();
    assert!(e.starts_with("big.npy: ") && e.contains("needs"), "{e}");
    let e = npy_from_bytes("empty.npy", b"").unwrap_err().to_string();
    assert!(e.contains("empty"), "{e}");
}
